"""The Open API as one ASGI app: every path under ``/open-apis/``, routed by the dispatcher."""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any
from urllib.parse import parse_qsl

import msgspec

from shenpi import ids
from shenpi.api import apaas_v1, approval_v2, approval_v4, contact_v3
from shenpi.api.auth import ROUTES as AUTH_ROUTES
from shenpi.api.auth import auth_v3, authen
from shenpi.api.wire import (
    Receive,
    Router,
    Scope,
    Send,
    dispatch,
    envelope,
    internal_error,
    respond,
)
from shenpi.app import Shenpi
from shenpi.hooks import ServerHooks
from shenpi.logs import log_request
from shenpi.platform import errors as perr

log = logging.getLogger("shenpi.api")

ROUTES = [*approval_v4.ROUTES, *approval_v2.ROUTES, *apaas_v1.ROUTES, *contact_v3.ROUTES, *AUTH_ROUTES]


class OpenApi:
    """Answers ``/open-apis/...`` and the approval file upload: the routes above through
    :func:`~shenpi.api.wire.dispatch`, and the token and OAuth endpoints, which authenticate by app secret or
    sign-in rather than by access token."""

    def __init__(self, svc: Shenpi, hooks: ServerHooks | None = None, *, picker: bool = False) -> None:
        self.svc = svc
        self.hooks = hooks
        self.picker = picker  # the authorize page lets a person pick who they are (an emulator's; see authen)
        self.router = Router(ROUTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        path: str = scope["path"]
        method: str = scope["method"]
        route, params, other_method = self.router.match(method, path)
        if route is not None:
            await dispatch(self.svc, route, params, scope, receive, send, self.hooks)
            return
        own: Callable[[Receive, Send], Awaitable[None]] | None = None
        endpoint = ""
        if method == "POST" and path == "/open-apis/auth/v3/tenant_access_token/internal":
            own, endpoint = partial(auth_v3.issue_token, self.svc, "tenant", scope), "auth.v3.tenant_access_token"
        elif method == "POST" and path == "/open-apis/auth/v3/app_access_token/internal":
            own, endpoint = partial(auth_v3.issue_token, self.svc, "app", scope), "auth.v3.app_access_token"
        elif method in ("GET", "POST") and path in ("/open-apis/authen/v1/authorize", "/open-apis/authen/v1/index"):
            own, endpoint = partial(authen.authorize, self.svc, scope, picker=self.picker), "authen.v1.authorize"
        elif method == "POST" and path == "/open-apis/authen/v2/oauth/token":
            own, endpoint = partial(authen.oauth_v2_token, self.svc, scope), "authen.v2.oauth.token"
        if own is not None:
            await _answering_errors(scope, started, endpoint, own, receive, send)
            return
        err: perr.PlatformError = perr.MethodMismatch() if other_method else perr.NotFound()
        log_id = ids.log_id()
        await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)
        # one label for every path that is no route, so that a client cannot grow the metrics by inventing paths
        log_request(scope, err.http_status, err.code, started, log_id, None, "unmatched")


class _Answer(msgspec.Struct):
    code: int = 0


class _Client(msgspec.Struct):
    app_id: Any = None
    client_id: Any = None


_APP_ID = re.compile(r"[\w.-]{1,64}")


def _app_id_of(scope: Scope, body: bytes) -> str | None:
    """The app id a token or OAuth request names (``app_id`` or ``client_id``, in its JSON or form body or query);
    None unless it looks like one, so that a client cannot write what it likes into the log."""
    fields = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    try:
        sent = msgspec.json.decode(body or b"{}", type=_Client)
        fields.update(app_id=sent.app_id, client_id=sent.client_id)
    except msgspec.DecodeError:  # a form: the OAuth sign-in page posts one
        fields.update(parse_qsl(body.decode("utf-8", "replace")))
    app_id = fields.get("app_id") or fields.get("client_id")
    return app_id if isinstance(app_id, str) and _APP_ID.fullmatch(app_id) else None


async def _answering_errors(scope: Scope, started: float, name: str,
                            endpoint: Callable[[Receive, Send], Awaitable[None]], receive: Receive, send: Send) -> None:
    """Run an endpoint that answers by itself (outside the dispatcher), with the dispatcher's answer to the
    unexpected: a failing database made the token endpoint answer a plain-text 500 that no SDK can read. Its
    request is logged as the dispatcher's are, from what it answered (these answers are small and rare)."""
    path: str = scope["path"]
    status, code, log_id = 0, 0, ""
    chunks: list[bytes] = []  # the request body as the endpoint read it, for its app id

    async def tracking_receive() -> dict[str, Any]:
        message = await receive()
        chunks.append(message.get("body", b""))
        return message

    async def tracking_send(message: dict[str, Any]) -> None:
        nonlocal status, code, log_id
        if message["type"] == "http.response.start":
            status = message["status"]
            log_id = next((v.decode("latin-1") for k, v in message["headers"] if k == b"X-Tt-Logid"), "")
        elif message["type"] == "http.response.body" and status:
            with contextlib.suppress(msgspec.DecodeError):  # a page (the OAuth sign-in) has no code
                code = msgspec.json.decode(message.get("body", b""), type=_Answer).code
        await send(message)

    try:
        await endpoint(tracking_receive, tracking_send)
    except Exception:
        fault_id = ids.log_id()
        log.exception("unexpected error in %s (log id %s)", path, fault_id)
        if not status:
            status, code, body = internal_error(fault_id)
            log_id = fault_id
            await respond(send, status, body, log_id)
    log_request(scope, status, code, started, log_id, _app_id_of(scope, b"".join(chunks)), name)

