"""The long connections this process holds, and sending an event over one of them.

Feishu pushes a long-connection app's event to exactly one of the app's connected clients ("集群模式": no
broadcast). Here the delivery worker hands a claimed delivery to :meth:`Hub.send`, which picks the connection of
the app with the fewest events awaiting an answer, writes the event's data frames and waits for the client's
response frame (matched by ``message_id``). A connection that drops before answering hands the event to the app's
next connection, if this process holds another; otherwise the attempt fails and the worker's retry schedule runs.

Every connection is also a row of the store (through :class:`ConnectionRecords`), refreshed every
``HEARTBEAT_MS``: so the worker of any process sharing the database knows whether some process holds a connection
of an app, and the CLI and web admin count the clients of each app.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from shenpi.background import cancel_and_wait
from shenpi.events.long_connection.frames import MESSAGE_ID, PART_BYTES, ClientConfig, Received, event_frames

log = logging.getLogger(__name__)

HEARTBEAT_MS = 5_000  # how often a process marks its connections alive in the store
STALE_MS = 3 * HEARTBEAT_MS  # a connection row not marked for this long belongs to a process that died
# Events a connection has in flight at once: a process with one connection of an app claims at most this many of
# the app's events, so a process that did not commit them still gets its share to send. In flight means sent and
# not yet answered, so a window carries window / round trip events a second: with 4 and round trips of 10-20 ms on
# a busy server, one connection fell behind at 500 events/s and its backlog grew for as long as the load lasted.
WINDOW = 16
NO_CLIENT = "no long-connection client connected"
Writer = Callable[[bytes], Awaitable[None]]


class ConnectionLost(Exception):
    """The connection closed while an event on it waited for its answer."""


class ConnectionRecords(Protocol):
    """The store's list of open connections (shenpi/app/long_connections.py)."""

    async def connection_opened(self, conn_id: str, app_id: str, tenant_key: str, address: str) -> None:
        """Record it, and make the app's events that wait for a client due now."""
        ...

    async def connection_closed(self, conn_id: str) -> None: ...

    async def connections_seen(self, conns: Sequence[tuple[str, str, str, str]]) -> None:
        """Mark these (conn_id, app_id, tenant_key, address) alive, and forget rows of processes that stopped
        marking theirs."""
        ...


class Connection:
    """One client's WebSocket: writes are serialized (an event's parts go out back to back), answers are matched to
    the sends waiting for them."""

    def __init__(self, conn_id: str, app_id: str, tenant_key: str, service_id: int, address: str,
                 write: Writer) -> None:
        self.conn_id, self.app_id, self.tenant_key = conn_id, app_id, tenant_key
        self.service_id, self.address = service_id, address
        self.pending: dict[str, asyncio.Future[Received | None]] = {}  # None: the connection closed
        self.closed = False
        self._write = write
        self._lock = asyncio.Lock()

    async def write(self, frames: Sequence[bytes]) -> None:
        async with self._lock:
            if self.closed:
                raise ConnectionLost()
            try:
                for frame in frames:
                    await self._write(frame)
            except Exception:  # the socket is gone (the ASGI server's own disconnect error)
                self.close()
                raise ConnectionLost() from None

    def answered(self, frame: Received) -> None:
        waiting = self.pending.get(frame.headers.get(MESSAGE_ID, ""))
        if waiting is not None and not waiting.done():
            waiting.set_result(frame)

    def close(self) -> None:
        self.closed = True
        for waiting in self.pending.values():
            if not waiting.done():
                waiting.set_result(None)


class Hub:
    def __init__(self, records: ConnectionRecords, config: ClientConfig, *, on_open: Callable[[], None] = lambda: None,
                 part_bytes: int = PART_BYTES) -> None:
        self.records = records
        self.config = config
        self.part_bytes = part_bytes
        self._on_open = on_open
        self._by_app: dict[str, list[Connection]] = {}
        self._turn = itertools.count()
        self._heartbeat: asyncio.Task[None] | None = None

    # -- what the worker and the operators' views ask -------------------------------------------------
    def held(self) -> dict[str, int]:
        """Connections this process holds, per app id."""
        return {app_id: len(conns) for app_id, conns in self._by_app.items() if conns}

    def count(self) -> int:
        """Connections this process holds (the ``shenpi_ws_connections`` gauge)."""
        return sum(len(conns) for conns in self._by_app.values())

    def window(self, app_id: str) -> int:
        """How many of the app's events this process may have in flight at once."""
        return WINDOW * len(self._by_app.get(app_id, ()))

    # -- connections ------------------------------------------------------------------------------------
    async def opened(self, conn: Connection) -> None:
        """Hold ``conn`` once the store lists it (if that fails the session ends, and nothing is held)."""
        await self.records.connection_opened(conn.conn_id, conn.app_id, conn.tenant_key, conn.address)
        self._by_app.setdefault(conn.app_id, []).append(conn)
        self._on_open()  # the worker looks now: the app's waiting events were made due
        self._start_heartbeat()

    async def closed(self, conn: Connection) -> None:
        conn.close()
        conns = self._by_app.get(conn.app_id, [])
        if conn in conns:
            conns.remove(conn)
        if not conns:
            self._by_app.pop(conn.app_id, None)
        await self.records.connection_closed(conn.conn_id)

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or self._heartbeat.done():
            self._heartbeat = asyncio.create_task(self._beat(), name="shenpi-long-connection-heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_MS / 1000)
            alive = [(c.conn_id, c.app_id, c.tenant_key, c.address) for conns in self._by_app.values() for c in conns]
            try:
                await self.records.connections_seen(alive)
            except Exception:  # a store hiccup: the next beat tries again, well inside STALE_MS
                log.exception("marking long connections alive failed")

    async def stop(self) -> None:
        task, self._heartbeat = self._heartbeat, None
        await cancel_and_wait(task)

    # -- sending ----------------------------------------------------------------------------------------
    def _pick(self, app_id: str, tried: set[str]) -> Connection | None:
        open_ = [c for c in self._by_app.get(app_id, ()) if not c.closed and c.conn_id not in tried]
        if not open_:
            return None
        turn = next(self._turn)
        # the least busy; among equals, in turn, so that one app's clients share its events
        return min(open_, key=lambda c: (len(c.pending), (open_.index(c) - turn) % len(open_)))

    async def send(self, app_id: str, body: bytes, timeout_s: float) -> str | None:
        """Push one event to one of the app's clients; None once a client answered 200, else why not (a failed
        attempt). ``timeout_s`` bounds the whole exchange, as Feishu's 3 s does for a callback."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        tried: set[str] = set()
        while True:
            conn = self._pick(app_id, tried)
            if conn is None:
                return "the connection closed before the client answered" if tried else NO_CLIENT
            tried.add(conn.conn_id)
            message_id = secrets.token_hex(16)  # per push: a retry is never mixed with an old push's parts
            answer: asyncio.Future[Received | None] = loop.create_future()
            conn.pending[message_id] = answer
            try:
                async with asyncio.timeout_at(deadline):
                    await conn.write(event_frames(body, message_id=message_id, trace_id=secrets.token_hex(8),
                                                  service=conn.service_id, part_bytes=self.part_bytes))
                    frame = await answer
            except TimeoutError:
                return f"no response within {timeout_s:g}s"
            except ConnectionLost:
                frame = None
            finally:
                conn.pending.pop(message_id, None)
            if frame is None:
                continue  # the connection closed: the next connection of the app, if this process holds one
            code, why = frame.response()
            return None if code == 200 else why
