"""delivery: outbox rows become one delivery per subscribed app with a URL and per event type it takes; routing
twice changes nothing; the worker routes and delivers in one pass, and start/stop/wake behave."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from shenpi.engine.model import DomainEvent
from shenpi.events.delivery import DeliveryWorker, InstanceFacts, route_pending
from shenpi.events.memory import MemoryDeliveryStore
from shenpi.events.payloads import ALL_TYPES, OutboxEvent
from shenpi.store.rows import event_payload
from tests.events.helpers import APPROVAL, TENANT, app, directory, lark_handler, outbox, run
from tests.events.receiver import Receiver


def source_with(*apps: Any) -> MemoryDeliveryStore:
    s = MemoryDeliveryStore()
    for a in apps:
        s.apps[a.app_id] = a
    s.directories[TENANT] = directory()
    s.instances["IC-1"] = InstanceFacts(uuid="client-uuid-1", start_user_id="alice")
    return s


def test_fan_out_to_subscribed_apps_with_a_url_or_a_long_connection() -> None:
    subscribed = app(url="http://127.0.0.1:1/a", app_id="cli_sub")
    no_url = app(app_id="cli_nourl")
    no_url.event_mode = "callback"  # a callback app without a URL: Feishu pushes it nothing
    long_connection = app(app_id="cli_lc")  # no URL and no mode: it receives over its long connection
    not_subscribed = app(url="http://127.0.0.1:1/c", app_id="cli_unsub")
    s = source_with(subscribed, no_url, long_connection, not_subscribed)
    s.subscriptions |= {("cli_sub", APPROVAL), ("cli_nourl", APPROVAL), ("cli_lc", APPROVAL)}
    s.outbox += [outbox("instance", "PENDING", oid=1), outbox("task", "PENDING", task_id="t", user_id="bob", oid=2),
                 outbox("cc", "CREATE", user_id="carol", extra={"from": "bob", "id": "c1"}, oid=3)]

    assert run(route_pending(s)) == 3
    assert run(route_pending(s)) == 0  # nothing left to route
    ds = sorted((d for d in s.deliveries.values() if d.app_id == "cli_sub"), key=lambda d: d.id)
    assert [(d.app_id, d.event_type, d.outbox_id) for d in ds] == [
        ("cli_sub", "approval_instance", 1), ("cli_sub", "approval_task", 2), ("cli_sub", "approval_cc", 3)]
    assert sorted(d.event_type for d in s.deliveries.values() if d.app_id != "cli_sub") == [
        "approval_cc", "approval_instance", "approval_task"]  # all cli_lc's: none for cli_nourl
    inst = json.loads(ds[0].body)
    assert inst["event"]["uuid"] == "client-uuid-1" and inst["uuid"] == ds[0].event_id


def test_v2_types_are_opt_in_and_routing_is_idempotent() -> None:
    a = app(url="http://127.0.0.1:1/a")
    s = source_with(a)
    s.subscriptions.add((a.app_id, APPROVAL))
    s.outbox.append(outbox("instance", "APPROVED", oid=1))
    run(route_pending(s, event_types=lambda _a: ALL_TYPES))
    types = sorted(d.event_type for d in s.deliveries.values())
    assert types == ["approval.instance.status_changed_v4", "approval_instance"]
    v2 = next(d for d in s.deliveries.values() if d.event_type.endswith("_v4"))
    assert json.loads(v2.body)["event"]["start_user"]["open_id"] == "ou_alice"
    s.routed_ids.clear()  # as if the process died after enqueueing but before marking the row routed
    run(route_pending(s, event_types=lambda _a: ALL_TYPES))
    assert len(s.deliveries) == 2


def test_outbox_rows_as_the_sql_store_writes_them() -> None:
    e = DomainEvent(kind="task", status="PENDING", operate_time=1_700_000_000_001, task_id="99", user_id="bob",
                    node_key="mgr", extra={})
    row = {"id": 5, "tenant_key": TENANT, "approval_code": APPROVAL, "instance_code": "IC-1", "kind": e.kind,
           "status": e.status, "payload": event_payload(e), "created_at": e.operate_time}
    ev = OutboxEvent.from_row(row)
    assert (ev.task_id, ev.user_id, ev.node_key, ev.operate_time) == ("99", "bob", "mgr", 1_700_000_000_001)


def test_worker_routes_and_delivers_then_stops_cleanly() -> None:
    async def go() -> tuple[list[tuple[str, Any]], MemoryDeliveryStore]:
        sink: list[tuple[str, Any]] = []
        a = app()
        async with Receiver(lark_handler(a, sink)) as rx:
            a.event_url = rx.url
            s = source_with(a)
            s.subscriptions.add((a.app_id, APPROVAL))
            worker = DeliveryWorker(s, source=s, poll_interval_s=3600)  # owns its client; only wake() triggers
            async with worker:
                await worker.start()  # a second start is a no-op
                await asyncio.sleep(0.05)
                s.outbox.append(outbox("instance", "PENDING", oid=1))
                worker.wake()
                async with asyncio.timeout(5):
                    while not sink:
                        await asyncio.sleep(0.01)
            await worker.stop()  # a second stop is a no-op
            assert worker._task is None and worker._poster is None
        return sink, s

    sink, s = run(go())
    assert [t for t, _ in sink] == ["approval_instance"]
    assert [d.state for d in s.deliveries.values()] == ["delivered"]
