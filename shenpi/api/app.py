"""The ASGI application: the Open API routes, health, and the lifespan that opens the store."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from shenpi import __version__, ids
from shenpi.api import admin, apaas_v1, approval_v4, contact_v3
from shenpi.api.auth import ROUTES as AUTH_ROUTES
from shenpi.api.auth import auth_v3, authen
from shenpi.api.wire import Receive, Router, Scope, Send, dispatch, envelope, respond
from shenpi.app import Shenpi
from shenpi.platform import errors as perr
from shenpi.testing.control import close_delivery_client, control_of, delivery_client  # issue 7 hooks

log = logging.getLogger("shenpi")

ROUTES = [*approval_v4.ROUTES, *apaas_v1.ROUTES, *contact_v3.ROUTES, *AUTH_ROUTES]

Startup = Callable[[Shenpi], Awaitable[None]]


class ShenpiApp:
    def __init__(self, svc: Shenpi, on_startup: Startup | None = None, admin_token: str = "", *,
                 events: bool = True, event_retry_scale: float = 1.0) -> None:
        self.svc = svc
        self.admin_token = admin_token
        self._events = events
        self._event_retry_scale = event_retry_scale
        self.router = Router(ROUTES)
        self._on_startup = on_startup
        # --- web inbox hook (issue 6): the web app (shenpi/web) serves every path outside /open-apis/,
        # /_shenpi/ and /healthz; built here so a worker pays for templates once, not per request.
        from shenpi.web import asgi_app

        self.web = asgi_app(svc)
        # --- end of web inbox hook ---

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            # -- shenpi.testing hook (issue 7): the admin journal keeps Open API calls; inert unless admin is on --
            control = control_of(self.svc)
            if control is not None:
                await control.journal.record(self._http, scope, receive, send)
                return
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
                    if self._events:
                        await self._start_events()
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.svc.events is not None:
                    await self.svc.events.stop()
                await close_delivery_client(self.svc)  # issue 7 hook: the client above, if there was one
                await self.svc.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start_events(self) -> None:
        """Push subscribed apps their events from the outbox (every worker process runs one; claims are leases)."""
        from shenpi.events.delivery import DeliveryWorker
        from shenpi.events.outbox_store import StoreDeliveries
        from shenpi.events.payloads import DEFAULT_EVENT_TYPES

        deliveries = StoreDeliveries(self.svc)
        worker = DeliveryWorker(deliveries, source=deliveries, now_ms=self.svc.clock.now_ms,
                                schedule_scale=self._event_retry_scale, poll_interval_s=0.5,
                                event_types=lambda app: app.event_types or DEFAULT_EVENT_TYPES,
                                # issue 7 hook: a client drop_events faults can act on; None (the worker's own) unless
                                # the admin API is on
                                client=delivery_client(self.svc))
        await worker.start()
        self.svc.events = worker

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
        # --- web inbox hook (issue 6): everything else is a page of the web app (its own 404 included) ---
        if not path.startswith("/_shenpi/"):
            await self.web(scope, receive, send)
            return
        # --- end of web inbox hook ---
        log_id = ids.log_id()
        await respond(send, 404, envelope(99991201, "resource not find", None, {"log_id": log_id}), log_id)
