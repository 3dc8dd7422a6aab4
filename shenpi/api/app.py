"""The Open API as one ASGI app: every path under ``/open-apis/``, routed by the dispatcher."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial

from shenpi import ids
from shenpi.api import apaas_v1, approval_v4, contact_v3
from shenpi.api.auth import ROUTES as AUTH_ROUTES
from shenpi.api.auth import auth_v3, authen
from shenpi.api.wire import Receive, Router, Scope, Send, dispatch, envelope, internal_error, respond
from shenpi.app import Shenpi
from shenpi.hooks import ServerHooks
from shenpi.platform import errors as perr

log = logging.getLogger("shenpi.api")

ROUTES = [*approval_v4.ROUTES, *apaas_v1.ROUTES, *contact_v3.ROUTES, *AUTH_ROUTES]


class OpenApi:
    """Answers ``/open-apis/...``: the routes above through :func:`~shenpi.api.wire.dispatch`, and the token and
    OAuth endpoints, which authenticate by app secret or sign-in rather than by access token."""

    def __init__(self, svc: Shenpi, hooks: ServerHooks | None = None) -> None:
        self.svc = svc
        self.hooks = hooks
        self.router = Router(ROUTES)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        route, params, other_method = self.router.match(method, path)
        if route is not None:
            await dispatch(self.svc, route, params, scope, receive, send, self.hooks)
            return
        own: Callable[[Receive, Send], Awaitable[None]] | None = None
        if method == "POST" and path == "/open-apis/auth/v3/tenant_access_token/internal":
            own = partial(auth_v3.issue_token, self.svc, "tenant", scope)
        elif method == "POST" and path == "/open-apis/auth/v3/app_access_token/internal":
            own = partial(auth_v3.issue_token, self.svc, "app", scope)
        elif method in ("GET", "POST") and path in ("/open-apis/authen/v1/authorize", "/open-apis/authen/v1/index"):
            own = partial(authen.authorize, self.svc, scope)
        elif method == "POST" and path == "/open-apis/authen/v2/oauth/token":
            own = partial(authen.oauth_v2_token, self.svc, scope)
        if own is not None:
            await _answering_errors(path, own, receive, send)
            return
        err: perr.PlatformError = perr.MethodMismatch() if other_method else perr.NotFound()
        log_id = ids.log_id()
        await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)


async def _answering_errors(path: str, endpoint: Callable[[Receive, Send], Awaitable[None]], receive: Receive,
                            send: Send) -> None:
    """Run an endpoint that answers by itself (outside the dispatcher), with the dispatcher's answer to the
    unexpected: a failing database made the token endpoint answer a plain-text 500 that no SDK can read."""
    started = False

    async def tracking_send(message: dict[str, object]) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await endpoint(receive, tracking_send)
    except Exception:
        log_id = ids.log_id()
        log.exception("unexpected error in %s (log id %s)", path, log_id)
        if not started:
            status, body = internal_error(log_id)
            await respond(send, status, body, log_id)
