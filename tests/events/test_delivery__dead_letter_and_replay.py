"""delivery: retries follow Feishu's schedule (15 s, 5 min, 1 h, 6 h) on the injected clock, then the event is
dead-lettered, which releases the instance's later events; a replay sends it again with the same id."""

from __future__ import annotations

from typing import Any

import httpx

from shenpi.events.delivery import RETRY_SCHEDULE_S, DeliveryWorker, route_event
from shenpi.events.memory import MemoryDeliveryStore
from tests.events.helpers import T0, FakeClock, app, directory, lark_handler, outbox, run
from tests.events.receiver import Received, Receiver


def test_schedule_dead_letter_then_replay() -> None:
    async def go() -> None:
        a = app()
        up = {"on": False}

        def behaviour(n: int, rec: Received) -> str:
            return "ok" if up["on"] else "500"

        sink: list[tuple[str, Any]] = []
        async with Receiver(lark_handler(a, sink), behaviour) as rx, httpx.AsyncClient() as client:
            a.event_url = rx.url
            store = MemoryDeliveryStore()
            store.apps[a.app_id] = a
            first = route_event(outbox("instance", "PENDING", instance="IC-D"), [a], directory())
            second = route_event(outbox("instance", "APPROVED", instance="IC-D"), [a], directory())
            await store.enqueue(first + second)
            clock = FakeClock()
            worker = DeliveryWorker(store, client=client, now_ms=clock)

            assert await worker.run_once() == 1  # first attempt, refused
            for delay in RETRY_SCHEDULE_S:
                clock.advance(delay - 0.001)
                assert await worker.run_once() == 0, "retried before its time"
                clock.advance(0.001)
                assert await worker.run_once() >= 1
            # 1 + 4 retries of the head, then it is dead and the second event goes out (and is refused too)
            uuids = [r.plaintext(a.encrypt_key)["uuid"] for r in rx.requests]
            assert uuids[:5] == [first[0].event_id] * 5 and uuids[5:] == [second[0].event_id]
            (dead,) = await store.dead_letters()
            assert dead.event_id == first[0].event_id and dead.attempts == 5 and "HTTP 500" in dead.last_error
            assert clock.ms - T0 == int(sum(RETRY_SCHEDULE_S) * 1000)  # the ≈7.1 h window

            up["on"] = True
            assert await store.replay(dead.id, clock.ms)
            assert not await store.replay(dead.id, clock.ms)  # no longer dead
            # the replayed event is again the oldest undelivered one of IC-D: it goes first, then the second
            clock.advance(RETRY_SCHEDULE_S[0])
            assert await worker.run_once() == 2
            assert [data.uuid for _, data in sink] == [first[0].event_id, second[0].event_id]
            assert await store.dead_letters() == []

    run(go())


def test_unknown_app_or_missing_url_counts_as_a_failed_attempt() -> None:
    async def go() -> None:
        a = app(url="http://127.0.0.1:9/unused")
        store = MemoryDeliveryStore()
        await store.enqueue(route_event(outbox("instance", "PENDING"), [a], directory()))
        async with httpx.AsyncClient() as client:
            worker = DeliveryWorker(store, client=client, now_ms=FakeClock(), schedule_scale=0)
            await worker.run_once()  # scale 0: all five attempts at once
        (d,) = await store.dead_letters()
        assert d.attempts == 5 and d.last_error == "app not found"

    run(go())


def test_connection_refused_is_retried() -> None:
    async def go() -> None:
        a = app(url="http://127.0.0.1:9/closed-port")
        store = MemoryDeliveryStore()
        store.apps[a.app_id] = a
        await store.enqueue(route_event(outbox("instance", "PENDING"), [a], directory()))
        async with httpx.AsyncClient() as client:
            await DeliveryWorker(store, client=client, now_ms=FakeClock()).run_once()
        (d,) = store.deliveries.values()
        assert d.state == "pending" and d.attempts == 1 and "ConnectError" in d.last_error

    run(go())
