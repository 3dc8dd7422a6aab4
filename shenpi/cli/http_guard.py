"""What ``shenpi serve`` adds to uvicorn's HTTP/1.1 protocols: a request-head timeout, a head size limit, a
connection cap, a quiet log.

uvicorn times out an idle keep-alive connection, but not one whose request head never completes: a client sending
a header a byte at a time held its connection (and a file descriptor) for ever, and enough of them exhausted the
descriptors. Here a connection that has not sent a whole request head within ``SHENPI_HEADER_TIMEOUT`` seconds of
opening (or of its previous answer) is closed, and a process holding ``SHENPI_MAX_CONNECTIONS`` connections closes a
new one at once, so that descriptors run out neither for the server nor for its database connections. The settings
travel as environment variables because uvicorn's worker processes import these classes afresh.

Two parsers: h11 (pure Python, the default) and httptools (llhttp, in C; several times h11's requests per CPU-second,
but uvicorn's httptools protocol sends header names in lower case, and lark-oapi reads ``X-Tt-Logid`` as written).
h11 refuses a request head still incomplete past 16 KiB; httptools buffers a head of any size, so
:class:`GuardedHttpToolsProtocol` refuses one past the same :data:`MAX_HEAD_BYTES` itself: 400, the connection closed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time
from typing import Any, Protocol

from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
_FD_HEADROOM = 256  # descriptors beyond the connection cap: the listening socket, the database pool, files
MAX_HEAD_BYTES = 16 * 1024  # h11's own limit on a request head (its default max_incomplete_event_size)


class Limits:
    """The guard's settings, shared by both protocols; ``shenpi serve`` sets them in its own process."""

    header_timeout_s = float(os.environ.get("SHENPI_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT_S))
    max_connections = int(os.environ.get("SHENPI_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS))


class _Connection(Protocol):
    """What the guard reads of a uvicorn HTTP protocol (both have these)."""

    @property
    def cycle(self) -> object: ...
    @property
    def transport(self) -> asyncio.Transport: ...


class HeadTimer:
    """One connection's deadline for its next request head: when it passes, the connection is closed unless a new
    request cycle began (a whole head makes a new cycle)."""

    __slots__ = ("_handle",)

    def __init__(self) -> None:
        self._handle: asyncio.TimerHandle | None = None

    def start(self, loop: asyncio.AbstractEventLoop, conn: _Connection) -> None:
        self.cancel()
        if Limits.header_timeout_s > 0:
            self._handle = loop.call_later(Limits.header_timeout_s, _head_timed_out, conn, conn.cycle)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None


def _head_timed_out(conn: _Connection, cycle: object) -> None:
    if conn.cycle is cycle and not conn.transport.is_closing():
        conn.transport.close()


def _over_cap(connections: set[Any], transport: asyncio.Transport) -> bool:
    if len(connections) > Limits.max_connections:
        transport.close()  # refused without a word: the client has not sent a request to answer yet
        return True
    return False


class GuardedH11Protocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer = HeadTimer()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if not _over_cap(self.connections, transport):
            self._head_timer.start(self.loop, self)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._head_timer.start(self.loop, self)  # a kept-alive connection's next request head is timed too

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._head_timer.cancel()  # the connection is the WebSocket's now: this protocol never hears of it again
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_timer.cancel()
        super().connection_lost(exc)


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 only
    HttpToolsProtocol = None  # type: ignore[assignment,misc]
else:
    class GuardedHttpToolsProtocol(HttpToolsProtocol):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._head_timer = HeadTimer()
            # Bytes received since the current request head began; -1 from its end until the next one begins. A head
            # that begins within a read is counted from the next read: the limit bounds what a head can hold by
            # one read at most, and a body's bytes never count against the next head.
            self._head_bytes = 0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if not _over_cap(self.connections, transport):
                self._head_timer.start(self.loop, self)

        def data_received(self, data: bytes) -> None:
            if self._head_bytes >= 0:
                self._head_bytes += len(data)
            super().data_received(data)
            # Still no whole head after this many bytes: refused as h11 refuses it.
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            if self._head_bytes < 0:
                self._head_bytes = 0

        def on_headers_complete(self) -> None:
            self._head_bytes = -1
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._head_timer.start(self.loop, self)  # a kept-alive connection's next request head is timed too

        def handle_websocket_upgrade(self) -> None:
            self._head_timer.cancel()  # the connection is the WebSocket's now: this protocol never hears of it again
            super().handle_websocket_upgrade()

        def connection_lost(self, exc: Exception | None) -> None:
            self._head_timer.cancel()
            super().connection_lost(exc)


def guarded_protocol(parser: str) -> type[asyncio.Protocol]:
    """The guarded protocol class for ``parser``: ``h11``, or ``httptools`` (when installed)."""
    if parser == "h11":
        return GuardedH11Protocol
    if parser != "httptools":
        raise ValueError(f"unknown HTTP parser {parser!r}: h11 or httptools")
    if HttpToolsProtocol is None:
        raise ValueError("the httptools parser is not installed (pip install httptools)")
    return GuardedHttpToolsProtocol


def raise_descriptor_limit(max_connections: int) -> None:
    """Raise the soft open-files limit (up to the hard one) so that the connection cap is reached before it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max_connections + _FD_HEADROOM
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard == resource.RLIM_INFINITY else min(want, hard), hard))


class OncePerInterval(logging.Filter):
    """Let through one record per ``interval_s`` of those whose message starts with ``prefix`` (and count the rest).

    asyncio logs every failed ``accept()`` when descriptors run out; under a connection flood that was hundreds of
    thousands of lines a minute."""

    def __init__(self, prefix: str, interval_s: float = 10.0) -> None:
        super().__init__()
        self.prefix, self.interval_s = prefix, interval_s
        self._last = float("-inf")
        self._dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self.prefix):
            return True
        now = time.monotonic()
        if now - self._last < self.interval_s:
            self._dropped += 1
            return False
        self._last = now
        if self._dropped:
            record.msg = f"{record.msg} ({self._dropped} more like it not logged)"
            self._dropped = 0
        record.exc_info = None  # the same traceback every time: the message says enough
        return True


def quiet_accept_errors() -> None:
    logging.getLogger("asyncio").addFilter(OncePerInterval("socket.accept() out of system resource"))


# Installed in every process that serves with these protocols (uvicorn's worker processes import them afresh).
quiet_accept_errors()
