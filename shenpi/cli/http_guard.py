"""What ``shenpi serve`` adds to uvicorn's HTTP/1.1 protocol: a request-head timeout, a connection cap, a quiet log.

uvicorn times out an idle keep-alive connection, but not one whose request head never completes: a client sending
a header a byte at a time held its connection (and a file descriptor) for ever, and enough of them exhausted the
descriptors. Here a connection that has not sent a whole request head within ``SHENPI_HEADER_TIMEOUT`` seconds of
opening (or of its previous answer) is closed, and a process holding ``SHENPI_MAX_CONNECTIONS`` connections closes a
new one at once, so that descriptors run out neither for the server nor for its database connections. The settings
travel as environment variables because uvicorn's worker processes import this class afresh.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import time

from uvicorn.protocols.http.h11_impl import H11Protocol

DEFAULT_HEADER_TIMEOUT_S = 10.0
DEFAULT_MAX_CONNECTIONS = 1000
_FD_HEADROOM = 256  # descriptors beyond the connection cap: the listening socket, the database pool, files


class GuardedH11Protocol(H11Protocol):
    header_timeout_s = float(os.environ.get("SHENPI_HEADER_TIMEOUT", DEFAULT_HEADER_TIMEOUT_S))
    max_connections = int(os.environ.get("SHENPI_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS))
    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            transport.close()  # refused without a word: the client has not sent a request to answer yet
            return
        self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head()  # a kept-alive connection's next request head is timed too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def _await_head(self) -> None:
        if self.header_timeout_s <= 0:
            return
        if self._head_timer is not None:
            self._head_timer.cancel()
        # A whole request head makes a new cycle: if the cycle is still the one of now when the timer fires, no
        # request head arrived in time.
        self._head_timer = self.loop.call_later(self.header_timeout_s, self._head_timed_out, self.cycle)

    def _head_timed_out(self, cycle: object) -> None:
        if self.cycle is cycle and not self.transport.is_closing():
            self.transport.close()


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


# Installed in every process that serves with this protocol (uvicorn's worker processes import it afresh).
quiet_accept_errors()
