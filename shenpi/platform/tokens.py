"""Access tokens as the Open Platform rules them: how long they live, when asking again gives a new one, which
prefix each kind carries, and which token an API accepts. Pure: issuing and looking tokens up is
shenpi/app/tokens.py.

A tenant_access_token or app_access_token lives two hours; asking for one again while the current one has more
than half an hour left answers that same token, and with less a new one (the old one stays valid until it ends).
"""

from __future__ import annotations

from shenpi.platform.errors import (
    BadTokenPrefix,
    InvalidAppToken,
    InvalidTenantToken,
    InvalidUserToken,
    NeedToken,
    PlatformError,
)

LIFETIME_S = 7200
RENEW_WITHIN_S = 30 * 60  # with less than this left, asking again gives a new token; the old one stays valid
# A new token lives this much beyond its lifetime, so that its remaining lifetime, rounded down when the answer is
# written a few ms after the token was stamped, still says the whole lifetime; under a second, so it never lives a
# whole second longer.
ANSWER_MARGIN_MS = 999
_PREFIX = {"user": "u-", "refresh": "ur-", "code": "", "tenant": "t-", "app": "t-"}


def prefix(kind: str) -> str:
    """What a new token of this kind starts with (authorization codes have no prefix)."""
    return _PREFIX.get(kind, "t-")


def expires_at(now_ms: int, lifetime_s: int) -> int:
    """When a token stamped at ``now_ms`` expires."""
    return now_ms + lifetime_s * 1000 + ANSWER_MARGIN_MS


def remaining_s(expires_at_ms: int, now_ms: int) -> int:
    """Whole seconds a token has left, rounded down: a client that trusts this number never holds a token the
    server already considers expired."""
    return max(0, (expires_at_ms - now_ms) // 1000)


def reusable(expires_at_ms: int, now_ms: int) -> bool:
    """Whether the current token is still answered when its owner asks for one again."""
    return expires_at_ms - now_ms >= RENEW_WITHIN_S * 1000


def bearer(authorization: str | None) -> str:
    """The token an ``Authorization`` header carries (``Bearer`` optional); raises when there is none or its
    prefix is not one the Open API takes (``t-`` or ``u-``)."""
    if not authorization:
        raise NeedToken()
    scheme, _, value = authorization.partition(" ")
    value = value.strip() if scheme.lower() == "bearer" else authorization.strip()
    if not value:
        raise NeedToken()
    if not value.startswith(("t-", "u-")):
        raise BadTokenPrefix()
    return value


def refusal(value: str, kind: str | None, expires_at_ms: int, now_ms: int, *, accept_user: bool,
            accept_tenant: bool, accept_app: bool) -> PlatformError | None:
    """The error an API that accepts the given token kinds answers for this token (``kind`` None: no such token),
    or None when the token opens it."""
    is_user = value.startswith("u-")
    if kind is None or expires_at_ms <= now_ms:
        return InvalidUserToken() if is_user else InvalidTenantToken()
    if kind == "app":  # an app_access_token opens only the APIs that ask for one
        return None if accept_app else InvalidTenantToken()
    if accept_app and not (accept_tenant or accept_user):
        return InvalidAppToken()
    if is_user and not accept_user:
        # A user token on an API that takes only tenant tokens is refused with 99991668 "user access token not
        # support".
        return InvalidUserToken("user access token not support")
    if not is_user and not accept_tenant:
        return InvalidTenantToken()
    return None
