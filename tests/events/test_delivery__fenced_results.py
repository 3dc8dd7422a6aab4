"""A delivery's result is recorded only by the worker that holds its lease, and a replayed dead letter waits for the
event of its instance that is being sent: two sends of one instance are never in flight at once.

The workers share a real database (SQLite and PostgreSQL), as ``serve --workers 2`` does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

import shenpi.app.deliveries
from shenpi.app import Shenpi
from shenpi.events.delivery import Delivery, DeliveryWorker
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.seeds import test_seed

APP = "cli_acme"


def _with_app(url: str, body: Callable[[Shenpi], Awaitable[None]]) -> None:
    async def main() -> None:
        svc = Shenpi(open_store(url))
        await svc.open()
        try:
            await apply_seed(svc, test_seed())
            await svc.people.set_app_events(APP, event_url="http://receiver.test/events", encrypt_key="")
            await body(svc)
        finally:
            await svc.close()

    asyncio.run(main())


async def _queue(svc: Shenpi, *names: str) -> dict[str, int]:
    """One event per name, in this order, all of one instance; their delivery ids by name."""
    now = svc.clock.now_ms()
    await svc.deliveries.enqueue([
        Delivery(app_id=APP, tenant_key="acme", stream="IC-1", event_id=name, event_type="approval_instance",
                 created_at=now, next_at_ms=now, body=json.dumps({"name": name}).encode()) for name in names])
    return {d["event_id"]: d["id"] for d in await svc.deliveries.overview(app_id=APP)}


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.02)


async def _row(svc: Shenpi, delivery_id: int) -> dict[str, Any]:
    return next(d for d in await svc.deliveries.overview(app_id=APP) if d["id"] == delivery_id)


class _LosesItsLease:
    """The delivery store as a worker that stalls sees it: its claim and the renewal at the send's start go
    through, the renewals while the send is in flight never reach the database, so the lease runs out."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._renewed: set[int] = set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def renew(self, delivery_id: int, lease: int, now_ms: int) -> int:
        if delivery_id in self._renewed:
            return 0
        self._renewed.add(delivery_id)
        return int(await self._inner.renew(delivery_id, lease, now_ms))


def _client(handle: Callable[[dict[str, Any]], Awaitable[int]]) -> httpx.AsyncClient:
    async def transport(request: httpx.Request) -> httpx.Response:
        return httpx.Response(await handle(json.loads(request.content)), json={})

    return httpx.AsyncClient(transport=httpx.MockTransport(transport))


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_newer_attempt(db_url, monkeypatch):
    monkeypatch.setattr(shenpi.app.deliveries, "LEASE_MS", 300)
    stalled_send = asyncio.Event()
    release = asyncio.Event()

    async def stalls_then_fails(event: dict[str, Any]) -> int:
        stalled_send.set()
        await release.wait()
        return 500

    async def acknowledges(event: dict[str, Any]) -> int:
        return 200

    async def body(svc: Shenpi) -> None:
        ids = await _queue(svc, "E1")
        # no retries left for the first worker: its failure, if recorded, would dead-letter the event
        first = DeliveryWorker(_LosesItsLease(svc.deliveries), client=_client(stalls_then_fails), schedule=(),
                               poll_interval_s=0.05, concurrency=1, timeout_s=30.0)
        second = DeliveryWorker(svc.deliveries, client=_client(acknowledges), poll_interval_s=0.05)
        await first.start()
        try:
            await asyncio.wait_for(stalled_send.wait(), 10)
            await second.start()  # takes the delivery over once the first worker's lease has run out

            async def delivered() -> bool:
                return (await _row(svc, ids["E1"]))["state"] == "delivered"

            await _until(delivered)
            release.set()  # the first worker's send fails now, long after it lost the lease
        finally:
            await first.stop()
            await second.stop()
        row = await _row(svc, ids["E1"])
        assert (row["state"], row["attempts"], row["last_error"]) == ("delivered", 1, "")

    _with_app(db_url, body)


def test_a_replayed_dead_letter_waits_for_the_event_in_flight_then_goes_in_order(db_url):
    sends: list[str] = []
    in_flight: list[str] = []
    overlaps: list[tuple[str, ...]] = []
    e2_started, release_e2 = asyncio.Event(), asyncio.Event()

    async def receiver(event: dict[str, Any]) -> int:
        name = event["name"]
        if in_flight:
            overlaps.append((*in_flight, name))
        in_flight.append(name)
        sends.append(name)
        try:
            if name == "E2":
                e2_started.set()
                await release_e2.wait()
            await asyncio.sleep(0.01)
            return 500 if sends.count(name) == 1 and name == "E1" else 200  # E1 fails once, and is dead at once
        finally:
            in_flight.remove(name)

    async def body(svc: Shenpi) -> None:
        ids = await _queue(svc, "E1", "E2", "E3")
        worker = DeliveryWorker(svc.deliveries, client=_client(receiver), schedule=(), poll_interval_s=0.05,
                                concurrency=4, timeout_s=30.0)
        await worker.start()
        try:
            await asyncio.wait_for(e2_started.wait(), 10)
            assert (await _row(svc, ids["E1"]))["state"] == "dead"
            assert await svc.deliveries.replay_dead([ids["E1"]]) == [ids["E1"]]
            await asyncio.sleep(0.5)  # many polls: the replayed head must not go out while E2 is in flight
            release_e2.set()

            async def all_delivered() -> bool:
                return all(d["state"] == "delivered" for d in await svc.deliveries.overview(app_id=APP))

            await _until(all_delivered)
        finally:
            await worker.stop()

    _with_app(db_url, body)
    assert overlaps == []
    assert sends == ["E1", "E2", "E1", "E3"]


def test_the_memory_store_keeps_the_same_rules() -> None:
    """The in-memory store the worker's other tests run on: results fenced by the lease, a replay waits."""
    from shenpi.events.memory import MemoryDeliveryStore

    async def go() -> None:
        store = MemoryDeliveryStore()
        await store.enqueue([Delivery(app_id=APP, tenant_key="acme", stream="IC-1", event_id=name,
                                      event_type="approval_instance", created_at=0, body=b"{}")
                             for name in ("E1", "E2")])
        (first,) = await store.due(0, 10)
        (taken_over,) = await store.due(store.lease_ms + 1, 10)  # the first claim ran out unrenewed
        assert taken_over.id == first.id and taken_over.next_at_ms != first.next_at_ms
        assert not await store.dead_letter(first.id, first.next_at_ms, 1, "late")
        assert await store.dead_letter(taken_over.id, taken_over.next_at_ms, 1, "refused")
        (second,) = await store.due(store.lease_ms + 2, 10)  # E2, now the head
        assert await store.replay(first.id, store.lease_ms + 3)
        assert await store.due(store.lease_ms + 4, 10) == []  # E1 is the head again but E2 is in flight
        assert await store.mark_delivered(second.id, second.next_at_ms, store.lease_ms + 5)
        (replayed,) = await store.due(store.lease_ms + 6, 10)
        assert replayed.event_id == "E1"

    asyncio.run(go())
