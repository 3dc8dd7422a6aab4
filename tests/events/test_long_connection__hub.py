"""The hub that sends an event over one of an app's connections: the answer decides the attempt (200 delivered,
another code or none in time failed), a connection that drops hands the event to the app's next one, and an app's
connections share its events; with no client connected, the delivery worker's retry schedule runs to a dead letter."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from shenpi.events.delivery import RETRY_SCHEDULE_S, DeliveryWorker, route_event
from shenpi.events.long_connection.frames import ClientConfig, decode, encode
from shenpi.events.long_connection.hub import NO_CLIENT, WINDOW, Connection, Hub
from shenpi.events.memory import MemoryDeliveryStore
from tests.events.helpers import FakeClock, app, directory, outbox, run


class Records:
    def __init__(self) -> None:
        self.open: set[str] = set()

    async def connection_opened(self, conn_id: str, app_id: str, tenant_key: str, address: str) -> None:
        self.open.add(conn_id)

    async def connection_closed(self, conn_id: str) -> None:
        self.open.discard(conn_id)

    async def connections_seen(self, conns: Sequence[tuple[str, str, str, str]]) -> None:
        pass


class Client:
    """A connection's far end: answers each event with ``code`` (None: never), or drops when ``drop``."""

    def __init__(self, name: str, code: int | None = 200, drop: bool = False) -> None:
        self.code, self.drop, self.got = code, drop, []
        self.conn = Connection(name, "cli_app", "acme", 1, "", self.write)

    async def write(self, data: bytes) -> None:
        if self.drop:
            raise ConnectionResetError("gone")
        frame = decode(data)
        self.got.append(frame.payload)
        if self.code is not None:
            answer = encode(method=frame.method, service=frame.service, headers=frame.headers,
                            payload=json.dumps({"code": self.code}).encode())
            asyncio.get_running_loop().call_soon(self.conn.answered, decode(answer))


async def _hub(*clients: Client) -> Hub:
    hub = Hub(Records(), ClientConfig())
    for c in clients:
        await hub.opened(c.conn)
    return hub


def test_the_answer_decides_the_attempt() -> None:
    async def go() -> None:
        assert await (await _hub()).send("cli_app", b"{}", 1.0) == NO_CLIENT
        assert await (await _hub(Client("ok"))).send("cli_app", b"{}", 1.0) is None
        assert await (await _hub(Client("500", code=500))).send("cli_app", b"{}", 1.0) == "client answered code 500"
        silent = await _hub(Client("silent", code=None))
        assert await silent.send("cli_app", b"{}", 0.05) == "no response within 0.05s"
        await silent.stop()

    run(go())


def test_a_dropped_connection_hands_the_event_to_the_next() -> None:
    async def go() -> None:
        dropping, steady = Client("dropping", drop=True), Client("steady")
        hub = await _hub(dropping, steady)
        assert await hub.send("cli_app", b'{"n":1}', 1.0) is None
        assert steady.got == [b'{"n":1}'] and dropping.conn.closed
        only_dropping = await _hub(Client("alone", drop=True))
        assert await only_dropping.send("cli_app", b"{}", 1.0) == "the connection closed before the client answered"
        for h in (hub, only_dropping):
            await h.stop()

    run(go())


def test_an_apps_connections_share_its_events() -> None:
    async def go() -> None:
        a, b = Client("a"), Client("b")
        hub = await _hub(a, b)
        assert hub.held() == {"cli_app": 2} and hub.count() == 2
        results = await asyncio.gather(*(hub.send("cli_app", b"%d" % i, 1.0) for i in range(10)))
        assert results == [None] * 10
        assert len(a.got) + len(b.got) == 10 and a.got and b.got
        await hub.closed(a.conn)
        assert hub.held() == {"cli_app": 1} and hub.window("cli_app") == WINDOW
        await hub.stop()

    run(go())


def test_without_a_client_the_retry_schedule_runs_to_a_dead_letter_and_a_client_gets_the_rest() -> None:
    async def go() -> None:
        store, clock = MemoryDeliveryStore(), FakeClock()
        lc = app(app_id="cli_app")  # no URL: it receives over its long connection
        store.apps[lc.app_id] = lc
        rows = [outbox("instance", "PENDING", instance="IC-9"), outbox("instance", "APPROVED", instance="IC-9")]
        for row in rows:
            await store.enqueue(route_event(row, [lc], directory()))
        hub = await _hub()
        worker = DeliveryWorker(store, now_ms=clock, long_connections=hub)
        for wait_s in (0, *RETRY_SCHEDULE_S[:-1]):  # the first attempt and three retries, each failing
            clock.advance(wait_s)
            assert await worker.run_once() == 1  # only the head: the instance's next event waits behind it
        clock.advance(RETRY_SCHEDULE_S[-1])
        assert await worker.run_once() == 2  # the last retry fails; the next event, now the head, fails once
        [dead] = await store.dead_letters()
        assert (dead.attempts, dead.last_error) == (5, NO_CLIENT)
        client = Client("late")  # a client connects (the SQL stores then make the waiting events due at once)
        await hub.opened(client.conn)
        clock.advance(RETRY_SCHEDULE_S[0])
        assert await worker.run_once() == 1 and len(client.got) == 1
        assert json.loads(client.got[0])["event"]["status"] == "APPROVED"
        await hub.stop()

    run(go())
