"""A webhook receiver on 127.0.0.1 for delivery tests.

It speaks just enough HTTP/1.1 by hand to keep each header name exactly as it arrived on the wire (ASGI servers
lower-case them), and hands every request to the real lark-oapi ``EventDispatcherHandler`` as a ``RawRequest`` with
those headers and the raw body bytes, which is what lark-oapi's own Flask adapter builds. A lower-cased or
missing signature header therefore fails here exactly as it would behind a Flask app.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lark_oapi as lark
from lark_oapi.core.model import RawRequest

from shenpi.events import crypto
from shenpi.store.records import App
from tests.events.helpers import lark_handler

# What the receiver does with the n-th request (0-based), given the request: "ok" = dispatch to the SDK handler
# and answer with its reply; "500" = answer 500 without dispatching; "hang" = never answer; "drop" = close the
# connection at once.
Behaviour = Callable[[int, "Received"], str]


@dataclass
class Received:
    header_names: list[str]
    headers: dict[str, str]
    body: bytes
    status: int = 0  # what was answered (0 = nothing)

    def plaintext(self, encrypt_key: str) -> dict[str, Any]:
        obj: dict[str, Any] = json.loads(self.body)
        if "encrypt" in obj:
            obj = json.loads(crypto.decrypt(encrypt_key, obj["encrypt"]))
        return obj


@dataclass
class Receiver:
    handler: lark.EventDispatcherHandler
    behaviour: Behaviour = field(default=lambda n, rec: "ok")
    requests: list[Received] = field(default_factory=list)
    delay_s: float = 0.0  # how long each answer takes (a slow receiver)
    _server: asyncio.AbstractServer | None = None
    _conns: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def url(self) -> str:
        assert self._server is not None
        port = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/webhook/event"

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for t in list(self._conns):
            t.cancel()
        for t in list(self._conns):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await t
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                names: list[str] = []
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        name, value = line.split(":", 1)
                        names.append(name)
                        headers[name] = value.strip()
                length = int(next((v for k, v in headers.items() if k.lower() == "content-length"), "0"))
                body = await reader.readexactly(length)
                rec = Received(names, headers, body)
                self.requests.append(rec)
                action = self.behaviour(len(self.requests) - 1, rec)
                if action == "drop":
                    return
                if action == "hang":
                    await asyncio.sleep(3600)
                    return
                if action == "500":
                    status, reply = 500, b'{"msg":"receiver is down"}'
                else:
                    raw = RawRequest()
                    raw.uri, raw.headers, raw.body = path, headers, body
                    resp = self.handler.do(raw)
                    status, reply = resp.status_code, resp.content or b""
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                rec.status = status
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\n"
                    f"Content-Length: {len(reply)}\r\n\r\n".encode() + reply
                )
                await writer.drain()
        except asyncio.CancelledError:
            pass  # stopped by __aexit__: end quietly (asyncio's stream callback logs a cancelled handler as an error)
        finally:
            self._conns.discard(task)
            writer.close()


# The Encrypt Key and Verification Token of the app a ReceiverThread stands for (cli_acme of tests/seeds.py).
KEY, TOKEN = "e2e_encrypt_key", "e2e_verification_token"


class ReceiverThread:
    """The asyncio receiver on its own loop in a thread, so sync SDK tests can run beside it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []
        self.mode = "ok"  # or "500"
        app = App(app_id="cli_acme", tenant_key="acme", app_secret="", encrypt_key=KEY, verification_token=TOKEN)
        self.receiver = Receiver(lark_handler(app, self.events), behaviour=lambda n, rec: self.mode)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.receiver.__aenter__(), self.loop).result(5)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.receiver.__aexit__(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)

    def wait_for(self, n: int, timeout: float = 20) -> list[tuple[str, str]]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.events) < n:
            time.sleep(0.05)
        return [(t, d.event["status"]) for t, d in self.events]
