"""Open Platform errors: a missing, malformed, unknown or expired token, a missing scope, a rate limit, an unknown
path. Each answers with the platform's own code (99991xxx) and message, before a request reaches the engine."""

from __future__ import annotations

from typing import Any

HELP = "https://open.feishu.cn/document/uAjLw4CM/ugTN1YjL4UTN24CO1UjN/trouble-shooting/"


class PlatformError(Exception):
    code: int = 0
    msg: str = ""
    http_status: int = 400
    help_page: str = ""

    def __init__(self, msg: str = "", *, headers: dict[str, str] | None = None, **error: Any) -> None:
        super().__init__(msg or self.msg)
        if msg:
            self.msg = msg
        self.headers = headers or {}
        self.error = error


# The two "Invalid access token" answers carry the same message under different codes (tenant and user token).
_INVALID_ACCESS_TOKEN = "Invalid access token for authorization. Please make a request with token attached."

class NeedToken(PlatformError): code, msg = 99991661, "Need a token"
class InvalidAppToken(PlatformError): code, msg = 99991664, "invalid app token"
class InvalidUserToken(PlatformError): code, msg = 99991668, _INVALID_ACCESS_TOKEN
class BadTokenPrefix(PlatformError): code, msg = 99991671, "Invalid token: must start with t-/u-"
class RateLimited(PlatformError): code, msg, http_status = 99991400, "request trigger frequency limit", 429
class NotFound(PlatformError): code, msg, http_status = 99991201, "resource not find", 404
class MethodMismatch(PlatformError): code, msg, http_status = 99991301, "request method doesn’t match", 405


class InvalidTenantToken(PlatformError):
    code, msg = 99991663, _INVALID_ACCESS_TOKEN
    help_page = "how-to-fix-99991663-error"


class ScopeDenied(PlatformError):
    code = 99991672
    help_page = "how-to-fix-the-99991672-error"

# A body too large or too slow is refused by the server before any route reads it. Feishu documents no code for
# either; 99992402 is its generic "field validation failed", the closest to "this request can never succeed".
class BodyTooLarge(PlatformError): code, msg, http_status = 99992402, "request body too large", 413
class BodyTimeout(PlatformError): code, msg, http_status = 99992402, "request body not received in time", 408
