"""The one place a shenpi server is assembled: the Open API, the web inbox, the admin API, the event delivery worker
and the hooks, from one :class:`ServerConfig`.

``shenpi serve`` builds it through :func:`build_app_from_env` (the factory every ``--workers`` process calls), and
``shenpi.testing.run`` through :func:`build_app`::

    app = build_app(ServerConfig(db="postgresql://...", demo=True))   # an ASGI app; its lifespan opens the store

Paths: ``/open-apis/...`` is the Open API (with the approval file upload, ``/approval/openapi/v2/file/upload``),
``/approval/files/...`` the signed URLs of uploaded files, ``/_shenpi/...`` the admin API (a 404 like any unknown path
while no admin token is set), ``/healthz`` a liveness probe, ``/metrics`` the Prometheus metrics (unless turned off),
``/openapi.json`` the API document and ``/docs`` its page, ``/callback/ws/...`` apps' long connections (the discovery
call, and every WebSocket), and every other path a page of the web inbox.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hmac
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from shenpi import __version__, ids, metrics
from shenpi.api import approval_v2
from shenpi.api.app import ROUTES, OpenApi
from shenpi.api.openapi import docs_page, document_json
from shenpi.api.wire import JSON_CT, envelope, respond
from shenpi.app import Shenpi
from shenpi.app.deliveries import LEASE_MS
from shenpi.app.files import DOWNLOAD_PREFIX
from shenpi.app.ratelimits import SignInLimits, parse_limit
from shenpi.control.admin_api import AdminApi
from shenpi.control.plane import install_control
from shenpi.demo import demo_seed
from shenpi.events.delivery import DeliveryWorker
from shenpi.events.long_connection import ClientConfig, Hub, LongConnectionEndpoint
from shenpi.events.payloads import DEFAULT_EVENT_TYPES
from shenpi.hooks import ASGIApp, Receive, Scope, Send, ServerHooks
from shenpi.logs import log_http
from shenpi.mailing import Mailing
from shenpi.platform import errors as perr
from shenpi.seed import SeedError, apply_seed, load_seed
from shenpi.store import open_store
from shenpi.store.signals import DELIVERIES_QUEUED, Listening
from shenpi.web import asgi_app
from shenpi.web.sso_config import SsoConfig

log = logging.getLogger("shenpi")

Startup = Callable[[], Awaitable[None]]
_DEFAULT_DB = "sqlite:///shenpi.db"
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # Feishu documents no gateway limit: ours, larger than any API body
DEFAULT_BODY_TIMEOUT_S = 30.0
_ENDPOINTS = tuple(route.endpoint for route in ROUTES)
# The /docs page is our own: its script and style are inline, and it fetches nothing but /openapi.json.
_DOCS_HEADERS = [(b"Content-Type", b"text/html; charset=utf-8"), (b"Content-Security-Policy",
                  b"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
                  b"base-uri 'none'; form-action 'none'")]


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """Everything a server is built from. :meth:`to_env` and :meth:`from_env` carry it to worker processes."""

    db: str = _DEFAULT_DB  # sqlite:///path or postgresql://...
    seed_path: str = ""  # a seed file (YAML or JSON) applied at start
    seed: dict[str, Any] | None = None  # a seed (or snapshot) given in memory; cannot travel to worker processes
    demo: bool = False  # the built-in demo data (applied before the seed file); see with_demo_admin_token
    admin_token: str = ""  # the /_shenpi/ admin API's bearer token; "" leaves it off
    events: bool = True  # run the delivery worker that pushes events to subscribed apps
    event_retry_scale: float = 1.0  # multiplies the retry schedule (15 s, 5 min, 1 h, 6 h)
    event_lease_s: float = LEASE_MS / 1000  # how long a claim on an event holds without a renewal
    rate_limit_scale: float = 1.0  # multiplies every rate limit; 0 turns them off
    workers: int = 1  # processes serving the same database
    # Web sign-in throttles, ATTEMPTS/SECONDS: passwords checked per account, and per client address.
    sign_in_account_limit: str = "5/900"
    sign_in_address_limit: str = "30/60"
    # Start from exactly the seeds, as POST /_shenpi/reset does (the store wiped, a snapshot restored whole), rather
    # than applying them over what the store holds. The test harness starts this way; it needs the admin API.
    start_from_seed: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES  # a request body over this answers 413, on every path
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S  # a body not read whole this long after its headers answers 408
    metrics: bool = True  # count requests and deliveries, and answer GET /metrics
    metrics_token: str = ""  # a bearer token GET /metrics then requires; "" leaves it open, as Prometheus expects
    # What long-connection clients are told (seconds), at discovery and in every pong: how often to ping, how long to
    # wait between reconnect attempts, and the most the first reconnect waits (a random part of it).
    ws_ping_interval_s: int = 120
    ws_reconnect_interval_s: int = 120
    ws_reconnect_nonce_s: int = 30
    files_dir: str = ""  # keep uploaded files' bytes in this directory; "" keeps them in the database
    sso: SsoConfig = SsoConfig()  # the web inbox's identity providers, and shenpi's own authorize page

    def with_demo_admin_token(self) -> ServerConfig:
        """Demo mode turns the admin API on: behind the token given, or else a random one for this start (the banner
        prints it). Never a fixed token: anyone who knows the default could reset or export a demo left running."""
        if not self.demo or self.admin_token:
            return self
        return dataclasses.replace(self, admin_token=secrets.token_urlsafe(18))

    @property
    def shared_rate_limits(self) -> bool:
        """Whether rate-limit counters live in the database: when several processes share it (``workers`` > 1, or
        PostgreSQL, which several servers may share); a single SQLite process keeps them in memory."""
        return self.workers > 1 or not self.db.startswith("sqlite:")

    def seeds(self) -> list[dict[str, Any]]:
        """The seeds in the order they apply; the file is read again on every call, so a reset picks up edits."""
        return (([demo_seed()] if self.demo else []) + ([load_seed(self.seed_path)] if self.seed_path else [])
                + ([self.seed] if self.seed is not None else []))

    def to_env(self) -> dict[str, str]:
        if self.seed is not None:
            raise ValueError("an in-memory seed cannot reach worker processes: write it to a file (seed_path)")
        return {
            "SHENPI_DB": self.db, "SHENPI_SEED": self.seed_path, "SHENPI_DEMO": _flag(self.demo),
            "SHENPI_ADMIN_TOKEN": self.admin_token, "SHENPI_EVENTS": _flag(self.events),
            "SHENPI_EVENT_RETRY_SCALE": str(self.event_retry_scale), "SHENPI_EVENT_LEASE": str(self.event_lease_s),
            "SHENPI_RATE_LIMIT_SCALE": str(self.rate_limit_scale), "SHENPI_WORKERS": str(self.workers),
            "SHENPI_START_FROM_SEED": _flag(self.start_from_seed),
            "SHENPI_MAX_BODY_BYTES": str(self.max_body_bytes), "SHENPI_BODY_TIMEOUT": str(self.body_timeout_s),
            "SHENPI_FILES": self.files_dir,
            "SHENPI_SIGN_IN_ACCOUNT_LIMIT": self.sign_in_account_limit,
            "SHENPI_SIGN_IN_ADDRESS_LIMIT": self.sign_in_address_limit,
            "SHENPI_METRICS": _flag(self.metrics), "SHENPI_METRICS_TOKEN": self.metrics_token,
            "SHENPI_WS_PING_INTERVAL": str(self.ws_ping_interval_s),
            "SHENPI_WS_RECONNECT_INTERVAL": str(self.ws_reconnect_interval_s),
            "SHENPI_WS_RECONNECT_NONCE": str(self.ws_reconnect_nonce_s), **self.sso.to_env(),
        }

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ServerConfig:
        return cls(
            db=env.get("SHENPI_DB", _DEFAULT_DB), seed_path=env.get("SHENPI_SEED", ""),
            demo=env.get("SHENPI_DEMO") == "1", admin_token=env.get("SHENPI_ADMIN_TOKEN", ""),
            events=env.get("SHENPI_EVENTS", "1") == "1",
            event_retry_scale=float(env.get("SHENPI_EVENT_RETRY_SCALE", "1")),
            event_lease_s=float(env.get("SHENPI_EVENT_LEASE", str(LEASE_MS / 1000))),
            rate_limit_scale=float(env.get("SHENPI_RATE_LIMIT_SCALE", "1")),
            workers=int(env.get("SHENPI_WORKERS", "1")), start_from_seed=env.get("SHENPI_START_FROM_SEED") == "1",
            max_body_bytes=int(env.get("SHENPI_MAX_BODY_BYTES", str(DEFAULT_MAX_BODY_BYTES))),
            body_timeout_s=float(env.get("SHENPI_BODY_TIMEOUT", str(DEFAULT_BODY_TIMEOUT_S))),
            files_dir=env.get("SHENPI_FILES", ""),
            sign_in_account_limit=env.get("SHENPI_SIGN_IN_ACCOUNT_LIMIT", "5/900"),
            sign_in_address_limit=env.get("SHENPI_SIGN_IN_ADDRESS_LIMIT", "30/60"),
            metrics=env.get("SHENPI_METRICS", "1") == "1", metrics_token=env.get("SHENPI_METRICS_TOKEN", ""),
            ws_ping_interval_s=int(env.get("SHENPI_WS_PING_INTERVAL", "120")),
            ws_reconnect_interval_s=int(env.get("SHENPI_WS_RECONNECT_INTERVAL", "120")),
            ws_reconnect_nonce_s=int(env.get("SHENPI_WS_RECONNECT_NONCE", "30")), sso=SsoConfig.from_env(env),
        )

    def client_config(self) -> ClientConfig:
        return ClientConfig(reconnect_interval_s=self.ws_reconnect_interval_s,
                            reconnect_nonce_s=self.ws_reconnect_nonce_s, ping_interval_s=self.ws_ping_interval_s)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def build_service(config: ServerConfig) -> Shenpi:
    """The application object over the configured store (not opened yet: the server's lifespan opens it)."""
    limits = SignInLimits(parse_limit(config.sign_in_account_limit), parse_limit(config.sign_in_address_limit))
    return Shenpi(open_store(config.db), rate_limit_scale=config.rate_limit_scale,
                  shared_rate_limits=config.shared_rate_limits, sign_in_limits=limits, files_dir=config.files_dir)


def build_app(config: ServerConfig) -> Server:
    """The server as ``config`` describes it. With an admin token, the control plane (:mod:`shenpi.control`) is
    installed as the server's hooks and the admin API answers under ``/_shenpi/``; without one, neither exists."""
    svc = build_service(config)
    admin_token = config.admin_token
    if not admin_token:
        if config.start_from_seed:
            raise ValueError("start_from_seed resets through the admin API's control plane: set an admin token")
        return Server(svc, config, _applying_seeds(svc, config))
    # POST /_shenpi/reset goes back to the configured seeds (the seed file is read again each time).
    control = install_control(svc, config.seeds)
    admin = AdminApi(svc, control, admin_token, [route.endpoint for route in ROUTES])
    return Server(svc, config, _resetting(control.reset) if config.start_from_seed else _applying_seeds(svc, config),
                  hooks=control, admin=admin)


def build_app_from_env() -> Server:
    """The server as the SHENPI_* variables describe it (how ``shenpi serve --workers N`` configures each worker)."""
    return build_app(ServerConfig.from_env())


def _resetting(reset: Callable[[], Awaitable[object]]) -> Startup:
    async def startup() -> None:
        await reset()

    return startup


def _applying_seeds(svc: Shenpi, config: ServerConfig) -> Startup:
    async def startup() -> None:
        for seed in config.seeds():
            await apply_seed(svc, seed)

    return startup


class Server:
    """The ASGI app: routes a request by its path, and opens and closes what the server runs in its lifespan."""

    def __init__(self, svc: Shenpi, config: ServerConfig, startup: Startup, *, hooks: ServerHooks | None = None,
                 admin: ASGIApp | None = None) -> None:
        self.svc = svc
        self.config = config
        self.hooks = hooks
        self.open_api = OpenApi(svc, hooks, picker=config.sso.picker(demo=config.demo, control_plane=admin is not None))
        self.admin = admin
        # Built once here, so a worker process pays for loading the templates once, not per request.
        self.web = asgi_app(svc, config.sso)
        # Apps' long connections (WebSockets on this same port): the delivery worker sends their events over them.
        self.hub = Hub(svc.long_connections, config.client_config(), on_open=svc.committed)
        self.listening: Listening | None = None  # other processes' signals that deliveries were queued
        self.long_connection = LongConnectionEndpoint(self.hub, svc.long_connections, now_s=svc.clock.now_s)
        self.downloads = approval_v2.download_app(svc)
        self.mailing = Mailing.from_env(svc, retry_scale=config.event_retry_scale, lease_s=config.event_lease_s)
        self._startup = startup
        metrics.enable(config.metrics)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            limit = self.config.max_body_bytes
            if scope["path"] == approval_v2.UPLOAD_PATH:  # the file upload takes files up to 50 MB
                limit = max(limit, approval_v2.UPLOAD_MAX_BODY_BYTES)
            guard = _BodyGuard(receive, send, limit, self.config.body_timeout_s)
            if (declared := _content_length(scope)) is not None and declared > limit:
                await guard.refuse(perr.BodyTooLarge())  # said up front: not a byte of it is read
                return
            try:
                if self.hooks is not None:
                    await self.hooks.serve_http(self._http, scope, guard.receive, guard.send)
                else:
                    await self._http(scope, guard.receive, guard.send)
            except _RequestRefused:
                pass  # answered already, by the guard
        elif kind == "websocket":
            await self.long_connection(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path.startswith("/open-apis/") or path == approval_v2.UPLOAD_PATH:
            await self.open_api(scope, receive, send)
        elif path.startswith(DOWNLOAD_PREFIX):  # a signed URL of an uploaded file
            await self.downloads(scope, receive, send)
        elif path.startswith("/_shenpi/"):
            if self.admin is not None:
                await _logged(self.admin, "admin", scope, receive, send)
            else:  # no admin token: the prefix does not exist
                log_id = ids.log_id()
                await respond(send, 404, envelope(99991201, "resource not find", None, {"log_id": log_id}), log_id)
        elif path.startswith("/callback/ws/"):
            await self.long_connection(scope, receive, send)
        elif path == "/healthz":
            body: dict[str, Any] = {"status": "ok", "version": __version__}
            await respond(send, 200, msgspec.json.encode(body), ids.log_id())
        elif path in ("/openapi.json", "/docs"):
            await _api_document(scope, send)
        elif path == "/metrics" and self.config.metrics:
            await self._scrape(scope, send)
        else:  # a page of the web inbox, its own 404 included
            await _logged(self.web, "web", scope, receive, send)

    async def _scrape(self, scope: Scope, send: Send) -> None:
        """Prometheus's scrape: the counters of every worker process, and the outbox's depth read now."""
        token, log_id = self.config.metrics_token, ids.log_id()
        if scope["method"] not in ("GET", "HEAD"):
            err = perr.MethodMismatch()
            await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)
            return
        if token and not any(k == b"authorization" and hmac.compare_digest(v, b"Bearer " + token.encode())
                             for k, v in scope["headers"]):
            await respond(send, 401, envelope(401, "metrics token required", None, {"log_id": log_id}), log_id)
            return
        gauges = {}
        try:
            depth = await self.svc.deliveries.depth()
            connected = await self.svc.long_connections.counts()  # every process's, as the store lists them
            gauges = {"shenpi_outbox_depth": ("Event deliveries not acknowledged yet", depth["pending"]),
                      "shenpi_event_dead_letters_waiting": ("Dead-lettered event deliveries, not replayed", depth["dead"]),
                      "shenpi_ws_connections": ("Apps' open long connections (event WebSockets), over every server "
                                                "process", sum(connected.values()))}
        except Exception as exc:  # the database is down: the counters are what the operator needs to see now
            log.warning("metrics: the outbox depth was not read: %s", " ".join(str(exc).split()) or type(exc).__name__)
        body = metrics.exposition(gauges)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"Content-Type", metrics.CONTENT_TYPE.encode()), (b"Content-Length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.svc.open()
                    await self._startup()
                    if self.config.events:
                        await self._start_events()
                    await self.mailing.start()  # notification mail (with an SMTP URL) and the reminder timer
                except SeedError as exc:  # the seed's own mistake, said in a line: no traceback to read
                    log.error("startup failed: %s", exc)
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                except Exception as exc:
                    log.exception("startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.listening is not None:
                    await self.listening.aclose()
                if self.svc.events is not None:
                    await self.svc.events.stop()
                await self.mailing.stop()
                await self.hub.stop()
                if self.hooks is not None:
                    await self.hooks.aclose()
                await self.svc.close()
                metrics.process_exited()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start_events(self) -> None:
        """Push subscribed apps their events from the outbox (every worker process runs one; claims are leases)."""
        deliveries = self.svc.deliveries
        deliveries.lease_ms = max(1, round(self.config.event_lease_s * 1000))
        worker = DeliveryWorker(deliveries, source=deliveries, now_ms=self.svc.clock.now_ms,
                                schedule_scale=self.config.event_retry_scale, poll_interval_s=0.5,
                                event_types=lambda app: app.event_types or DEFAULT_EVENT_TYPES,
                                poster=self.hooks.delivery_poster() if self.hooks is not None else None,
                                long_connections=self.hub)
        await worker.start()
        self.svc.events = worker

        def queued_elsewhere() -> None:  # only a long connection's holder has to send what another process queued
            if self.hub.held():
                worker.nudge()

        self.listening = self.svc.store.listen(DELIVERIES_QUEUED, queued_elsewhere)


async def _logged(app: ASGIApp, area: str, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve the request with ``app`` and log its line (status 0: no answer was sent, the client went away)."""
    started, status = time.perf_counter(), 0

    async def sending(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    try:
        await app(scope, receive, sending)
    finally:
        log_http(scope, status, started, area)


async def _api_document(scope: Scope, send: Send) -> None:
    """``/openapi.json`` (the API document, from the endpoint contract) or ``/docs`` (the page that reads it)."""
    log_id = ids.log_id()
    if scope["method"] not in ("GET", "HEAD"):
        err = perr.MethodMismatch()
        await respond(send, err.http_status, envelope(err.code, err.msg, None, {"log_id": log_id}), log_id)
        return
    if scope["path"] == "/openapi.json":
        body, headers = document_json(_ENDPOINTS), [(b"Content-Type", JSON_CT)]
    else:
        body, headers = docs_page(_ENDPOINTS), _DOCS_HEADERS
    await send({"type": "http.response.start", "status": 200,
                "headers": [*headers, (b"Content-Length", str(len(body)).encode()), (b"X-Tt-Logid", log_id.encode())]})
    await send({"type": "http.response.body", "body": body})


class _RequestRefused(BaseException):
    """Raised out of ``receive()`` once the guard has answered 413 or 408. A BaseException, like a cancellation,
    so that no route's catch-all (which would log it as a bug and answer again) stops it: the request is over."""


def _content_length(scope: Scope) -> int | None:
    for k, v in scope["headers"]:
        if k == b"content-length":
            return int(v) if v.isdigit() else None
    return None


class _BodyGuard:
    """Every route's body limit and body timeout, enforced while the body is read: the route's ``receive()`` counts
    the bytes as they come and stops at the limit (or the deadline) with a Feishu envelope, so no route ever holds
    more than the limit in memory, whatever it does with the body, and a client trickling a body cannot hold the
    request open for ever. After the body is whole, ``receive()`` is the server's own (disconnect notices)."""

    def __init__(self, receive: Receive, send: Send, limit: int, timeout_s: float) -> None:
        self._receive, self._send, self._limit = receive, send, limit
        self._deadline = asyncio.get_running_loop().time() + timeout_s if timeout_s > 0 else None
        self._read = 0
        self._body_done = self._answered = self._started = False

    async def receive(self) -> dict[str, Any]:
        if self._body_done:
            return await self._receive()
        try:
            if self._deadline is None or self._started:  # a route streaming its answer may wait for a disconnect
                message = await self._receive()
            else:
                async with asyncio.timeout_at(self._deadline):  # no task per receive(), unlike wait_for
                    message = await self._receive()
        except TimeoutError:
            await self.refuse(perr.BodyTimeout())
            raise _RequestRefused() from None
        if message["type"] == "http.request":
            self._read += len(message.get("body", b""))
            if self._read > self._limit:
                await self.refuse(perr.BodyTooLarge())
                raise _RequestRefused()
            self._body_done = not message.get("more_body", False)
        else:
            self._body_done = True  # a disconnect: nothing more will come
        return message

    async def send(self, message: dict[str, Any]) -> None:
        if self._answered:
            return  # the route's own answer, after the guard's, goes nowhere
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)

    async def refuse(self, error: perr.PlatformError) -> None:
        """Answer ``error`` (unless the route has begun its answer) and close the connection: the rest of the body
        is never read, so the connection cannot carry another request."""
        if self._started or self._answered:
            return
        self._answered = True
        log_id = ids.log_id()
        await respond(self._send, error.http_status, envelope(error.code, error.msg, None, {"log_id": log_id}),
                      log_id, {"Connection": "close"})
