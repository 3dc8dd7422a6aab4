"""Several worker processes on one database send each event once and in order; each app has its own lane.

The workers here share a real database (SQLite and PostgreSQL), as ``serve --workers 2`` does: claims go through the
same SQL. The lease is compressed so that a claim held longer than the old send queue allowed would expire.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import httpx

import shenpi.app.deliveries
from shenpi.app import Shenpi
from shenpi.events.delivery import Delivery, DeliveryWorker
from shenpi.seed import apply_seed
from shenpi.store import open_store
from tests.seeds import test_seed

Seen = list[tuple[str, str, int]]  # (app_id, stream, seq) in the order the receivers got them


def _with_app(url: str, body: Callable[[Shenpi], Awaitable[None]]) -> None:
    async def main() -> None:
        svc = Shenpi(open_store(url))
        await svc.open()
        try:
            await apply_seed(svc, test_seed())
            await body(svc)
        finally:
            await svc.close()

    asyncio.run(main())


async def _queue(svc: Shenpi, app_id: str, tenant_key: str, streams: int, per_stream: int) -> None:
    await svc.people.set_app_events(app_id, event_url=f"http://{app_id}.receiver.test/events", encrypt_key="")
    now = svc.clock.now_ms()
    await svc.deliveries.enqueue([
        Delivery(app_id=app_id, tenant_key=tenant_key, stream=f"{app_id}-s{i}", event_id=f"{app_id}-s{i}-{j}",
                 event_type="approval_instance", created_at=now, next_at_ms=now,
                 body=json.dumps({"app_id": app_id, "stream": f"{app_id}-s{i}", "seq": j}).encode())
        for j in range(per_stream) for i in range(streams)])  # interleaved, as changes to several instances come


def _client(seen: Seen, answer: Callable[[str], Awaitable[None]]) -> httpx.AsyncClient:
    async def handle(request: httpx.Request) -> httpx.Response:
        event = json.loads(request.content)
        seen.append((event["app_id"], event["stream"], event["seq"]))
        await answer(event["app_id"])
        return httpx.Response(200, json={})

    return httpx.AsyncClient(transport=httpx.MockTransport(handle))


async def _until(check: Callable[[], Awaitable[bool]], timeout_s: float = 60.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.02)


async def _pending(svc: Shenpi, app_id: str) -> int:
    return len([d for d in await svc.deliveries.overview(app_id=app_id) if d["state"] != "delivered"])


def test_two_workers_send_every_event_once_and_in_order_per_instance(db_url, monkeypatch):
    monkeypatch.setattr(shenpi.app.deliveries, "LEASE_MS", 300)  # a send below takes half of it
    seen: Seen = []

    async def slow(app_id: str) -> None:
        await asyncio.sleep(0.15)

    async def body(svc: Shenpi) -> None:
        await _queue(svc, "cli_acme", "acme", streams=6, per_stream=4)
        workers = [DeliveryWorker(svc.deliveries, client=_client(seen, slow), poll_interval_s=0.05, concurrency=2,
                                  timeout_s=2.0) for _ in range(2)]
        for w in workers:
            await w.start()
        try:
            async def done() -> bool:
                return await _pending(svc, "cli_acme") == 0

            await _until(done)
        finally:
            for w in workers:
                await w.stop()

    _with_app(db_url, body)
    assert sorted(seen) == sorted(set(seen)), "an event was sent twice"
    assert len(seen) == 24
    for i in range(6):
        assert [seq for _, stream, seq in seen if stream == f"cli_acme-s{i}"] == [0, 1, 2, 3]


def test_a_slow_receiver_fills_its_own_lane_and_another_app_s_events_go_by(db_url):
    seen: Seen = []
    gate = asyncio.Event()

    async def answer(app_id: str) -> None:
        if app_id == "cli_acme":
            await gate.wait()  # the slow receiver answers only when the test says so

    async def body(svc: Shenpi) -> None:
        await _queue(svc, "cli_acme", "acme", streams=5, per_stream=2)  # queued first: the oldest events
        await _queue(svc, "cli_other", "other", streams=3, per_stream=2)
        worker = DeliveryWorker(svc.deliveries, client=_client(seen, answer), poll_interval_s=0.05, concurrency=2,
                                timeout_s=60.0)
        await worker.start()
        try:
            async def other_done() -> bool:
                return await _pending(svc, "cli_other") == 0

            await _until(other_done)
            # every event of the fast app acknowledged while the slow app's lane is still full and its queue waits
            assert await _pending(svc, "cli_acme") == 10
            assert [a for a, _, _ in seen].count("cli_acme") == 2
            gate.set()

            async def all_done() -> bool:
                return await _pending(svc, "cli_acme") == 0

            await _until(all_done)
        finally:
            await worker.stop()

    _with_app(db_url, body)
    assert len(seen) == len(set(seen)) == 16
