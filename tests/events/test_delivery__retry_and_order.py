"""delivery: a receiver that fails (500, timeouts, dropped connections) and then recovers gets every event
acknowledged exactly once, in per-instance order, each attempt of an event carrying the same id; an unacknowledged
event holds back the later events of its instance but not those of other instances or other apps."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shenpi.events.delivery import DeliveryWorker, route_event
from shenpi.events.memory import MemoryDeliveryStore
from tests.events.helpers import FakeClock, app, directory, lark_handler, outbox, run
from tests.events.receiver import Received, Receiver

FAILURES = ["500", "hang", "drop", "500", "hang"]  # the first requests the receiver gets, whatever they carry


def test_failing_receiver_then_recovers() -> None:
    async def go() -> tuple[list[tuple[str, Any]], Receiver, MemoryDeliveryStore, list[str]]:
        sink: list[tuple[str, Any]] = []
        a = app()

        def behaviour(n: int, rec: Received) -> str:
            return FAILURES[n] if n < len(FAILURES) else "ok"

        async with Receiver(lark_handler(a, sink), behaviour) as rx, httpx.AsyncClient() as client:
            a.event_url = rx.url
            store = MemoryDeliveryStore()
            store.apps[a.app_id] = a
            order: list[str] = []
            for inst in ("IC-A", "IC-B"):
                for ev in (
                    outbox("instance", "PENDING", instance=inst),
                    outbox("task", "PENDING", instance=inst, task_id=inst + "-t1", user_id="bob"),
                    outbox("task", "APPROVED", instance=inst, task_id=inst + "-t1", user_id="bob"),
                    outbox("instance", "APPROVED", instance=inst),
                ):
                    ds = route_event(ev, [a], directory())
                    order += [d.event_id for d in ds]
                    await store.enqueue(ds)
            # real time, Feishu's schedule compressed 10000x (15 s -> 1.5 ms, 5 min -> 30 ms, 1 h -> 360 ms)
            worker = DeliveryWorker(store, client=client, schedule_scale=0.0001, timeout_s=1.0, poll_interval_s=0.005)
            await worker.start()
            try:
                async with asyncio.timeout(20):
                    while any(d.state != "delivered" for d in store.deliveries.values()):
                        await asyncio.sleep(0.01)
            finally:
                await worker.stop()
        return sink, rx, store, order

    sink, rx, store, order = run(go())
    assert len(rx.requests) == 8 + len(FAILURES)
    # acknowledged once each: the SDK handler ran once per event, and the uuids it saw are all distinct
    handled = [data.uuid for _, data in sink]
    assert sorted(handled) == sorted(order)
    # per instance, in outbox order
    for inst in ("IC-A", "IC-B"):
        assert [data.event["instance_code"] for _, data in sink if data.event["instance_code"] == inst]
        got = [data.uuid for _, data in sink if data.event["instance_code"] == inst]
        assert got == [eid for eid in order if eid in got]
    # a later event of an instance was never even attempted before the earlier one was acknowledged
    seen_by_instance: dict[str, list[str]] = {}
    for r in rx.requests:
        p = r.plaintext("test_encrypt_key_123")
        seq = seen_by_instance.setdefault(p["event"]["instance_code"], [])
        if not seq or seq[-1] != p["uuid"]:
            seq.append(p["uuid"])
        assert p["token"] == "vtoken_cli_events"
    for inst, seq in seen_by_instance.items():
        assert seq == [eid for eid in order if eid in seq] and len(seq) == 4, inst
    assert all(d.state == "delivered" and d.attempts >= 1 for d in store.deliveries.values())
    assert sum(d.attempts for d in store.deliveries.values()) == len(rx.requests)


def test_a_blocked_instance_does_not_hold_back_other_instances_or_apps() -> None:
    async def go() -> tuple[Receiver, Receiver, MemoryDeliveryStore]:
        a, b = app(app_id="cli_a"), app(app_id="cli_b")

        def refuse_ic1(n: int, rec: Received) -> str:  # app a's receiver refuses everything of IC-1
            return "500" if rec.plaintext(a.encrypt_key)["event"]["instance_code"] == "IC-1" else "ok"

        async with Receiver(lark_handler(a, []), refuse_ic1) as ra, Receiver(lark_handler(b, [])) as rb, \
                httpx.AsyncClient() as client:
            a.event_url, b.event_url = ra.url, rb.url
            store = MemoryDeliveryStore()
            store.apps.update({a.app_id: a, b.app_id: b})
            for inst in ("IC-1", "IC-2"):
                for status in ("PENDING", "APPROVED"):
                    await store.enqueue(route_event(outbox("instance", status, instance=inst), [a, b], directory()))
            clock = FakeClock()
            await DeliveryWorker(store, client=client, now_ms=clock).run_once()
        return ra, rb, store

    ra, rb, store = run(go())
    by = {(d.app_id, d.stream, d.id): d.state for d in store.deliveries.values()}
    a_ic1 = sorted((k, v) for k, v in by.items() if k[:2] == ("cli_a", "IC-1"))
    assert [v for _, v in a_ic1] == ["pending", "pending"]  # head failed, the second one waits behind it
    assert [r.status for r in ra.requests].count(500) == 1  # and only the head was tried
    assert all(v == "delivered" for k, v in by.items() if k[:2] != ("cli_a", "IC-1"))
    assert len(rb.requests) == 4
