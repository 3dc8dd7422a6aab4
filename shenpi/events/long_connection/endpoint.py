"""The two doors of the long connection, as the official SDKs use them.

``POST /callback/ws/endpoint`` with ``{"AppID", "AppSecret"}``: the discovery call. It answers, as Feishu does,
``{"code": 0, "data": {"URL": ..., "ClientConfig": {...}}}``, the URL a WebSocket on this same server (``ws://``,
or ``wss://`` when served over TLS) whose query carries the ``device_id`` and ``service_id`` the SDKs read, and a
ticket that proves the app's secret was shown (signed with that secret, so any process sharing the database
checks it). The refusals and their codes are chosen from what both SDKs do with them (docs/compatibility.md):

* 514 wrong app id or secret, 403 an app that receives its events by callback, 1000040350 over the connection
  limit: the SDKs give up (lark-oapi raises from ``start()``, the Node SDK calls ``onError``);
* HTTP 429, too many wrong secrets from the address: the SDKs try again later.

``GET /callback/ws/connect?...`` upgraded to a WebSocket: the session. Pings are answered with pongs carrying the
client configuration; response frames are handed to the :class:`Hub`, which sends the events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode

from shenpi import ids
from shenpi.events.long_connection.frames import CONTROL, DATA, PING, FrameError, decode, pong
from shenpi.events.long_connection.hub import Connection, Hub
from shenpi.store.records import App

log = logging.getLogger(__name__)

ENDPOINT_PATH = "/callback/ws/endpoint"
CONNECT_PATH = "/callback/ws/connect"
MAX_CONNECTIONS = 50  # per app: "每个应用最多建立 50 个连接"
TICKET_TTL_S = 300  # a discovered URL is good for this long (the SDKs dial it at once, and discover again to reconnect)
OK, AUTH_FAILED, FORBIDDEN, EXCEED_CONN_LIMIT = 0, 514, 403, 1000040350
LONG_CONNECTION = "long_connection"

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Refusal:
    code: int
    msg: str
    http_status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)


class Credentials(Protocol):
    """The apps, as the long connection needs them (shenpi/app/long_connections.py)."""

    async def long_connection_app(self, app_id: str, secret: object, address: str) -> App | Refusal:
        """The app when ``secret`` is its secret; otherwise the refusal to answer (514, or 429 for guessing)."""
        ...

    async def get_app(self, app_id: str) -> App | None: ...

    async def connection_count(self, app_id: str) -> int:
        """The app's open connections over every process."""
        ...


def ticket(app: App, device_id: str, service_id: int, expires_s: int) -> str:
    mac = hmac.new(app.app_secret.encode(), f"{app.app_id}|{device_id}|{service_id}|{expires_s}".encode(),
                   hashlib.sha256).hexdigest()[:32]
    return f"{expires_s}.{mac}"


def ticket_valid(app: App, device_id: str, service_id: int, given: str, now_s: int) -> bool:
    expires, _, _ = given.partition(".")
    if not expires.isdigit() or int(expires) < now_s:
        return False
    return hmac.compare_digest(given, ticket(app, device_id, service_id, int(expires)))


class LongConnectionEndpoint:
    """The ASGI app for both doors (the server routes ``/callback/ws/`` and every WebSocket here)."""

    def __init__(self, hub: Hub, credentials: Credentials, now_s: Callable[[], float] = time.time) -> None:
        self.hub = hub
        self.credentials = credentials
        self.now_s = now_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._session(scope, receive, send)
        elif scope["path"] == ENDPOINT_PATH and scope["method"] == "POST":
            await self._discover(scope, receive, send)
        else:
            await _answer(send, 404, {"code": 404, "msg": "not found", "data": {}})

    # -- discovery --------------------------------------------------------------------------------------
    async def _discover(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            given = json.loads(body or b"{}")
        except ValueError:
            given = None
        if not isinstance(given, dict) or not isinstance(given.get("AppID"), str) or not given["AppID"]:
            await _refuse(send, Refusal(AUTH_FAILED, "auth failed: AppID and AppSecret are required"))
            return
        address = (scope.get("client") or ("", 0))[0]
        found = await self.credentials.long_connection_app(given["AppID"], given.get("AppSecret"), address)
        if isinstance(found, Refusal):
            await _refuse(send, found)
            return
        if found.receives_by != LONG_CONNECTION:
            await _refuse(send, Refusal(FORBIDDEN, f"forbidden: app {found.app_id} receives its events by callback "
                                                   "(event_mode: long_connection turns the long connection on)"))
            return
        if await self.credentials.connection_count(found.app_id) >= MAX_CONNECTIONS:
            await _refuse(send, Refusal(EXCEED_CONN_LIMIT, f"exceed conn limit: {MAX_CONNECTIONS} per app"))
            return
        device_id, service_id = secrets.token_hex(8), secrets.randbelow(2**31 - 1) + 1
        expires = int(self.now_s()) + TICKET_TTL_S
        # device_id and service_id must not come first: the Node SDK reads the query by parsing the whole URL as one
        query = urlencode({"fpid": "1", "aid": found.app_id, "device_id": device_id, "service_id": service_id,
                           "ticket": ticket(found, device_id, service_id, expires)})
        url = f"{'wss' if scope.get('scheme') == 'https' else 'ws'}://{_host(scope)}{CONNECT_PATH}?{query}"
        await _answer(send, 200, {"code": OK, "msg": "ok",
                                  "data": {"URL": url, "ClientConfig": self.hub.config.as_json()}})

    # -- the WebSocket ------------------------------------------------------------------------------------
    async def _session(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (await receive())["type"] != "websocket.connect":
            return
        refusal, app, service_id = await self._admit(scope)
        if refusal is not None or app is None:
            await _refuse_handshake(scope, send, refusal or Refusal(AUTH_FAILED, "auth failed"))
            return
        await send({"type": "websocket.accept"})

        async def write(data: bytes) -> None:
            await send({"type": "websocket.send", "bytes": data})

        conn = Connection(secrets.token_hex(12), app.app_id, app.tenant_key, service_id,
                          (scope.get("client") or ("", 0))[0], write)
        await self.hub.opened(conn)
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    break
                data = message.get("bytes")
                if not data:
                    continue  # text frames are not part of the protocol
                try:
                    frame = decode(data)
                except FrameError:
                    log.info("long connection %s of app %s: a message that is not a frame", conn.conn_id, app.app_id)
                    continue
                if frame.method == CONTROL and frame.type == PING:
                    try:
                        await conn.write([pong(frame.service or service_id, self.hub.config)])
                    except Exception:
                        break
                elif frame.method == DATA:
                    conn.answered(frame)
        finally:
            await self.hub.closed(conn)

    async def _admit(self, scope: Scope) -> tuple[Refusal | None, App | None, int]:
        query = {k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
        service = query.get("service_id", "")
        if scope["path"] != CONNECT_PATH or not service.isdigit():
            return Refusal(AUTH_FAILED, "auth failed: not a connection URL", 403), None, 0
        app = await self.credentials.get_app(query.get("aid", ""))
        if app is None or not ticket_valid(app, query.get("device_id", ""), int(service), query.get("ticket", ""),
                                           int(self.now_s())):
            # the SDKs take 514 without the limit's code as a server error and discover a new URL to try again
            return Refusal(AUTH_FAILED, "auth failed: invalid or expired ticket", 403), None, 0
        if app.receives_by != LONG_CONNECTION:
            return Refusal(FORBIDDEN, "forbidden: the app receives its events by callback", 403), None, 0
        if await self.credentials.connection_count(app.app_id) >= MAX_CONNECTIONS:
            return Refusal(AUTH_FAILED, "exceed conn limit", 403,
                           {"handshake-autherrcode": str(EXCEED_CONN_LIMIT)}), None, 0
        return None, app, int(service)


def _host(scope: Scope) -> str:
    for key, value in scope.get("headers") or ():
        if key == b"host":
            return str(value.decode("latin-1"))
    server = scope.get("server") or ("127.0.0.1", 80)
    return f"{server[0]}:{server[1]}"


async def _answer(send: Send, status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None) -> None:
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    head = [(b"Content-Type", b"application/json; charset=utf-8"), (b"Content-Length", str(len(data)).encode()),
            (b"X-Tt-Logid", ids.log_id().encode()), *((k.encode(), v.encode()) for k, v in (headers or {}).items())]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": data})


async def _refuse(send: Send, refusal: Refusal) -> None:
    await _answer(send, refusal.http_status, {"code": refusal.code, "msg": refusal.msg, "data": {}}, refusal.headers)


async def _refuse_handshake(scope: Scope, send: Send, refusal: Refusal) -> None:
    """Refuse the upgrade with Feishu's handshake headers (lark-oapi reads them from the refused handshake), where
    the ASGI server lets an app answer a WebSocket request with a plain response; else a bare close (403)."""
    if "websocket.http.response" not in (scope.get("extensions") or {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"code": refusal.code, "msg": refusal.msg}).encode()
    # lark-oapi reads handshake-autherrcode whenever the status is 514 (only 1000040350 there makes it give up)
    headers = {"handshake-status": str(refusal.code), "handshake-msg": refusal.msg,
               "handshake-autherrcode": str(refusal.code), **refusal.headers}
    await send({"type": "websocket.http.response.start", "status": refusal.http_status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *((k.encode(), v.encode()) for k, v in headers.items())]})
    await send({"type": "websocket.http.response.body", "body": body})
