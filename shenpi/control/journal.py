"""The journal: the last N Open API requests and the answers they got, for tests and operators to inspect.

It wraps the ASGI call, so it sees exactly the bytes a client sent and received — faulted answers included —
and never the admin API's own traffic. Secrets are not kept: the Authorization header is not recorded, and app and
client secrets, event keys, issued tokens and OAuth codes are masked in requests and answers alike (SECRET_KEYS).
Bodies are kept up to 64 KiB each.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from shenpi.hooks import ASGIApp, Receive, Scope, Send

MAX_BODY = 64 * 1024
CALL_KEY = "shenpi.call"  # scope entry where Control.before_call leaves tenant, app, endpoint and fired faults


def _decode(raw: bytes, oauth: bool = False) -> Any:
    """The body as JSON; a body that is not JSON (or too long to keep whole) as text, its secrets masked all the same."""
    if not raw:
        return None
    if len(raw) > MAX_BODY:
        return _mask_text(raw[:MAX_BODY].decode("utf-8", "replace"), oauth) + "…"
    try:
        return json.loads(raw)
    except ValueError:
        return _mask_text(raw.decode("utf-8", "replace"), oauth)


# Keys whose string values are secrets wherever they appear in a request or an answer: app and OAuth client
# secrets, event keys, and every token the platform issues (a journal read by a test or an operator must not hand
# out a live token).
SECRET_KEYS = frozenset({"app_secret", "client_secret", "encrypt_key", "verification_token", "password",
                         "tenant_access_token", "app_access_token", "user_access_token", "access_token",
                         "refresh_token", "id_token"})


def _text_secrets(oauth: bool) -> re.Pattern[str]:
    keys = "|".join(sorted(SECRET_KEYS | ({"code"} if oauth else set()), key=len, reverse=True))
    # a key, quoted or not, then ':' or '=', then its value up to the next quote, '&', ',', '}' or space
    return re.compile(rf"""(\b(?:{keys})\b["']?\s*[:=]\s*["']?)[^"'&,}}\s]*""")


_TEXT_SECRETS = {oauth: _text_secrets(oauth) for oauth in (False, True)}


def _mask_text(text: str, oauth: bool) -> str:
    """Text (a form body, broken JSON) with the value after every secret key replaced by ``***``."""
    return _TEXT_SECRETS[oauth].sub(r"\1***", text)


def _mask(body: Any, oauth: bool = False) -> Any:
    """``body`` with every secret replaced by ``***``; ``oauth``: a sign-in ``code`` is one too."""
    if isinstance(body, dict):
        return {k: "***" if isinstance(v, str) and (k in SECRET_KEYS or (oauth and k == "code")) else _mask(v, oauth)
                for k, v in body.items()}
    if isinstance(body, list):
        return [_mask(v, oauth) for v in body]
    return body


class Journal:
    def __init__(self, now_ms: Callable[[], int], capacity: int = 500) -> None:
        self._now_ms = now_ms
        self._entries: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._ids = itertools.count(1)

    def clear(self) -> None:
        self._entries.clear()

    def entries(self, *, limit: int = 100, tenant_key: str | None = None, endpoint: str | None = None,
                app_id: str | None = None) -> list[dict[str, Any]]:
        """The newest ``limit`` entries that match, oldest first."""
        found = [e for e in self._entries
                 if (tenant_key is None or e["tenant_key"] == tenant_key)
                 and (endpoint is None or e["endpoint"] == endpoint)
                 and (app_id is None or e["app_id"] == app_id)]
        return found[-limit:] if limit > 0 else []

    async def record(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` for one HTTP request, keeping a copy of what went in and out."""
        if not scope["path"].startswith("/open-apis/"):
            await app(scope, receive, send)
            return
        request: list[bytes] = []
        response: list[bytes] = []
        status = 0
        headers: dict[str, str] = {}

        async def tapped_receive() -> dict[str, Any]:
            message = await receive()
            if message.get("type") == "http.request" and sum(map(len, request)) <= MAX_BODY:
                request.append(message.get("body", b""))
            return message

        async def tapped_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers.update({k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])})
            elif message["type"] == "http.response.body" and sum(map(len, response)) <= MAX_BODY:
                response.append(message.get("body", b""))
            await send(message)

        at = self._now_ms()
        started = time.perf_counter()
        try:
            await app(scope, tapped_receive, tapped_send)
        finally:
            oauth = "/authen/" in scope["path"]
            req_body = _mask(_decode(b"".join(request), oauth), oauth)
            resp_body = _mask(_decode(b"".join(response)))
            call = scope.get(CALL_KEY) or {}
            app_id = call.get("app_id") or (req_body.get("app_id") if isinstance(req_body, dict) else None) or ""
            self._entries.append({
                "id": next(self._ids),
                "at_ms": at,
                "method": scope["method"],
                "path": scope["path"],
                "query": scope.get("query_string", b"").decode("latin-1"),
                "tenant_key": call.get("tenant_key", ""),
                "app_id": str(app_id),
                "endpoint": call.get("endpoint", ""),
                "status": status,
                "code": resp_body.get("code") if isinstance(resp_body, dict) else None,
                "log_id": headers.get("x-tt-logid", ""),
                "faults": list(call.get("faults", [])),
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                "request": req_body,
                "response": resp_body,
            })
