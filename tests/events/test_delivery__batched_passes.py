"""delivery: one transaction records a pass's outcomes and claims its next sends, so under load a transaction serves
many events; two worker processes claiming in batches at the same moment never take the same delivery.

The workers share a real database (SQLite and PostgreSQL). "Two processes" are two services, each with its own
connections, as ``serve --workers 2`` runs them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

import shenpi.app.deliveries
from shenpi.app import Shenpi
from shenpi.events.delivery import DELIVERED, Delivery, DeliveryWorker, Outcome
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.seeds import test_seed

APP = "cli_acme"


def _run(url: str, processes: int, body: Callable[[list[Shenpi]], Awaitable[None]]) -> None:
    async def main() -> None:
        services = [Shenpi(open_store(url)) for _ in range(processes)]
        for svc in services:
            await svc.open()
        try:
            await apply_seed(services[0], test_seed())
            await services[0].people.set_app_events(APP, event_url="http://receiver.test/events", encrypt_key="")
            await body(services)
        finally:
            for svc in services:
                await svc.close()

    asyncio.run(main())


async def _queue(svc: Shenpi, streams: int, per_stream: int) -> int:
    now = svc.clock.now_ms()
    await svc.deliveries.enqueue([
        Delivery(app_id=APP, tenant_key="acme", stream=f"IC-{i}", event_id=f"IC-{i}-{j}",
                 event_type="approval_instance", created_at=now, next_at_ms=now,
                 body=json.dumps({"stream": f"IC-{i}", "seq": j}).encode())
        for j in range(per_stream) for i in range(streams)])
    return streams * per_stream


@asynccontextmanager
async def _counting_transactions(svc: Shenpi) -> AsyncIterator[list[int]]:
    """Count the transactions ``svc`` opens while the block runs."""
    count = [0]
    real = svc.store.transaction

    def counted() -> Any:
        count[0] += 1
        return real()

    svc.store.transaction = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        svc.store.transaction = real  # type: ignore[method-assign]


def _client(handle: Callable[[dict[str, Any]], Awaitable[None]]) -> httpx.AsyncClient:
    async def transport(request: httpx.Request) -> httpx.Response:
        await handle(json.loads(request.content))
        return httpx.Response(200, json={})

    return httpx.AsyncClient(transport=httpx.MockTransport(transport))


async def _delivered(svc: Shenpi) -> int:
    return sum(d["state"] == "delivered" for d in await svc.deliveries.overview(app_id=APP))


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 60.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.02)


def test_a_pass_records_and_claims_many_events_in_one_transaction(db_url):
    """Each event used to cost four transactions (claim, renewal, app, result); now a pass's one transaction
    records every send finished since the last pass and claims the next ones, with their app."""
    counts: dict[str, int] = {}

    async def instant(event: dict[str, Any]) -> None:
        return None

    async def body(services: list[Shenpi]) -> None:
        (svc,) = services
        events = await _queue(svc, streams=20, per_stream=3)
        worker = DeliveryWorker(svc.deliveries, client=_client(instant), concurrency=8, timeout_s=30.0)
        async with _counting_transactions(svc) as transactions:
            attempts = await worker.run_once()
        await worker.stop()
        counts.update(events=events, attempts=attempts, transactions=transactions[0],
                      delivered=await _delivered(svc))

    _run(db_url, 1, body)
    assert counts["attempts"] == counts["delivered"] == counts["events"] == 60
    # a pass claims up to the lane's 8 at once, and a stream's next event in the pass that records its head
    assert counts["transactions"] <= counts["events"] / 4


def test_the_outcomes_of_a_pass_are_fenced_each_by_its_own_lease(db_url):
    """In one batch, an outcome whose lease was taken over is not recorded while the others are."""
    got: dict[str, Any] = {}

    async def body(services: list[Shenpi]) -> None:
        (svc,) = services
        store = svc.deliveries
        await _queue(svc, streams=3, per_stream=1)
        now = svc.clock.now_ms()
        first = (await store.settle_and_claim([], now, 10)).due
        assert len(first) == 3
        # the first two are renewed while their sends run; the third's claim runs out unrenewed, and another
        # worker takes that delivery over
        leases = [await store.renew(d.id, d.next_at_ms, now + 5) for d in first[:2]]
        late = now + store.lease_ms + 1
        taken_over = (await store.settle_and_claim([], late, 10)).due
        assert [d.id for d in taken_over] == [first[2].id]
        outcomes = [Outcome(d.id, lease, DELIVERED, 1) for d, lease in zip(first[:2], leases, strict=True)]
        outcomes.append(Outcome(first[2].id, first[2].next_at_ms, "pending", 1, next_at_ms=late + 1000, error="x"))
        settled = await store.settle_and_claim(outcomes, late, 10)
        got.update(recorded=settled.recorded, due=settled.due,
                   rows={d["event_id"]: (d["state"], d["attempts"]) for d in await store.overview(app_id=APP)})

    _run(db_url, 1, body)
    assert got["recorded"] == [True, True, False]
    assert got["due"] == []  # the taken-over one is still leased by its new holder
    assert got["rows"] == {"IC-0-0": ("delivered", 1), "IC-1-0": ("delivered", 1), "IC-2-0": ("pending", 0)}


def test_two_processes_claiming_at_once_never_take_the_same_delivery(db_url):
    got: dict[str, Any] = {}

    async def body(services: list[Shenpi]) -> None:
        await _queue(services[0], streams=60, per_stream=2)
        now = services[0].clock.now_ms()
        claims = await asyncio.gather(*(svc.deliveries.settle_and_claim([], now, 100) for svc in services))
        got["claims"] = [[d.event_id for d in c.due] for c in claims]
        got["apps"] = [sorted(c.apps) for c in claims if c.due]

    _run(db_url, 2, body)
    first, second = got["claims"]
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(f"IC-{i}-0" for i in range(60))  # every head, none behind it
    assert all(apps == [APP] for apps in got["apps"])


def test_two_processes_send_every_event_once_and_in_order_under_short_leases(db_url, monkeypatch):
    """Two workers, each claiming whole lanes at once and recording in batches, against a receiver that answers
    within about a third of the lease: no event is sent twice, and no two events of one instance are in flight at
    once."""
    monkeypatch.setattr(shenpi.app.deliveries, "LEASE_MS", 600)
    seen: list[tuple[str, int]] = []
    in_flight: set[str] = set()
    overlaps: list[str] = []

    async def answer(event: dict[str, Any]) -> None:
        stream = event["stream"]
        if stream in in_flight:
            overlaps.append(stream)
        in_flight.add(stream)
        seen.append((stream, event["seq"]))
        try:
            await asyncio.sleep(0.002 * (int(stream.split("-")[1]) % 7) + 0.001)
        finally:
            in_flight.discard(stream)

    async def body(services: list[Shenpi]) -> None:
        events = await _queue(services[0], streams=40, per_stream=3)
        workers = [DeliveryWorker(svc.deliveries, client=_client(answer), poll_interval_s=0.05, concurrency=16,
                                  timeout_s=5.0) for svc in services]
        for w in workers:
            await w.start()
        try:
            async def done() -> bool:
                return await _delivered(services[0]) == events

            await _until(done)
        finally:
            for w in workers:
                await w.stop()

    _run(db_url, 2, body)
    assert overlaps == []
    assert len(seen) == len(set(seen)) == 120, "an event was sent twice"
    for i in range(40):
        assert [seq for stream, seq in seen if stream == f"IC-{i}"] == [0, 1, 2]
