"""The ASGI application: the Open API routes, health, and the lifespan that opens the store."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from shenpi import __version__, ids
from shenpi.api import admin, apaas_v1, auth_v3, authen, contact_v3
from shenpi.api.approval_v4 import approvals, comments, districts, external, instances, search, tasks
from shenpi.api.wire import Receive, Router, Scope, Send, dispatch, envelope, respond
from shenpi.platform import errors as perr
from shenpi.services import Shenpi

log = logging.getLogger("shenpi")

ROUTES = [
    *approvals.ROUTES, *instances.ROUTES, *search.ROUTES, *tasks.ROUTES, *comments.ROUTES, *external.ROUTES,
    *districts.ROUTES, *apaas_v1.ROUTES, *contact_v3.ROUTES, *authen.ROUTES,
]

Startup = Callable[[Shenpi], Awaitable[None]]


class ShenpiApp:
    def __init__(self, svc: Shenpi, on_startup: Startup | None = None, admin_token: str = "") -> None:
        self.svc = svc
        self.admin_token = admin_token
        self.router = Router(ROUTES)
        self._on_startup = on_startup

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.svc.open()
                    if self._on_startup is not None:
                        await self._on_startup(self.svc)
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.svc.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        if path.startswith("/open-apis/"):
            route, params, other_method = self.router.match(method, path)
            if route is not None:
                await dispatch(self.svc, route, params, scope, receive, send)
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
            return
        if path.startswith("/_shenpi/") and self.admin_token:
            await admin.handle(self.svc, self.admin_token, scope, receive, send)
            return
        if path == "/healthz":
            body: dict[str, Any] = {"status": "ok", "version": __version__}
            await respond(send, 200, msgspec.json.encode(body), ids.log_id())
            return
        log_id = ids.log_id()
        await respond(send, 404, envelope(99991201, "resource not find", None, {"log_id": log_id}), log_id)
