"""The Open API as one ASGI app: every path under ``/open-apis/``, routed by the dispatcher."""

from __future__ import annotations

from shenpi import ids
from shenpi.api import apaas_v1, approval_v4, contact_v3
from shenpi.api.auth import ROUTES as AUTH_ROUTES
from shenpi.api.auth import auth_v3, authen
from shenpi.api.wire import Receive, Router, Scope, Send, dispatch, envelope, respond
from shenpi.app import Shenpi
from shenpi.hooks import ServerHooks
from shenpi.platform import errors as perr

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
        if method == "POST" and path == "/open-apis/auth/v3/tenant_access_token/internal":
            await auth_v3.issue_token(self.svc, "tenant", scope, receive, send)
            return
        if method == "POST" and path == "/open-apis/auth/v3/app_access_token/internal":
            await auth_v3.issue_token(self.svc, "app", scope, receive, send)
            return
        if method in ("GET", "POST") and path in ("/open-apis/authen/v1/authorize", "/open-apis/authen/v1/index"):
            await authen.authorize(self.svc, scope, receive, send)
            return
        if method == "POST" and path == "/open-apis/authen/v2/oauth/token":
            await authen.oauth_v2_token(self.svc, scope, receive, send)
            return
        err: perr.PlatformError = perr.MethodMismatch() if other_method else perr.NotFound()
        log_id = ids.log_id()
        await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)
