"""delivery: pushes over real HTTP are accepted by lark-oapi's EventDispatcherHandler, encrypted and plain,
for every v1 and v2 approval event type, with Feishu's header names in their exact case."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shenpi.engine.model import Definition, Settings
from shenpi.events.delivery import DeliveryWorker, route_definition, route_event
from shenpi.events.memory import MemoryDeliveryStore
from shenpi.events.payloads import ALL_TYPES
from tests.events.helpers import APPROVAL, TENANT, FakeClock, app, directory, lark_handler, outbox, run
from tests.events.receiver import Receiver


async def deliver_all(encrypt_key: str) -> tuple[list[tuple[str, Any]], Receiver, MemoryDeliveryStore]:
    sink: list[tuple[str, Any]] = []
    a = app(encrypt_key)
    async with Receiver(lark_handler(a, sink)) as rx, httpx.AsyncClient() as client:
        a.event_url = rx.url
        store = MemoryDeliveryStore()
        store.apps[a.app_id] = a
        rows = [
            outbox("instance", "PENDING", instance="IC-7"),
            outbox("task", "PENDING", instance="IC-7", task_id="11", user_id="bob", node_key="mgr"),
            outbox("cc", "CREATE", instance="IC-7", user_id="carol", extra={"from": "alice", "id": "5"}),
        ]
        for ev in rows:
            await store.enqueue(route_event(ev, [a], directory(), event_types=lambda _a: ALL_TYPES))
        definition = Definition(tenant_key=TENANT, code=APPROVAL, approval_id=1, name="n", status="ACTIVE",
                                widgets=[], nodes=[], settings=Settings(), body={"form": "[]", "node_list": []})
        no_url = app(app_id="cli_no_url")  # a callback app without a URL: nothing is pushed to it
        no_url.event_mode = "callback"
        await store.enqueue(route_definition(definition, [a, no_url], 1_700_000_000_000))
        worker = DeliveryWorker(store, client=client, now_ms=FakeClock())
        await worker.run_once()
    return sink, rx, store


@pytest.mark.parametrize("encrypt_key", ["test_encrypt_key_123", ""], ids=["encrypted", "plain"])
def test_every_approval_event_type_is_accepted(encrypt_key: str) -> None:
    sink, rx, store = run(deliver_all(encrypt_key))
    assert [r.status for r in rx.requests] == [200] * 6
    assert all(d.state == "delivered" for d in store.deliveries.values())
    got = {t: data for t, data in sink}
    assert set(got) == {"approval_instance", "approval.instance.status_changed_v4", "approval_task",
                        "approval.task.status_changed_v4", "approval_cc", "approval.approval.updated_v4"}
    assert got["approval_instance"].event["status"] == "PENDING"
    assert got["approval_task"].event["open_id"] == "ou_bob"
    assert got["approval_cc"].event["from"] == "alice"
    assert got["approval.task.status_changed_v4"].event.assigned_user.union_id == "on_bob"
    assert got["approval.instance.status_changed_v4"].header.app_id == "cli_events"
    assert got["approval.approval.updated_v4"].event.object.approval_code == APPROVAL
    # every v1 uuid / v2 event_id the SDK saw is the id the store recorded
    seen = {data.uuid if t in ("approval_instance", "approval_task", "approval_cc") else data.header.event_id
            for t, data in sink}
    assert seen == {d.event_id for d in store.deliveries.values()}


@pytest.mark.parametrize("encrypt_key", ["test_encrypt_key_123", ""], ids=["encrypted", "plain"])
def test_wire_format(encrypt_key: str) -> None:
    _, rx, _ = run(deliver_all(encrypt_key))
    for r in rx.requests:
        expected = ["X-Lark-Request-Timestamp", "X-Lark-Request-Nonce"] + (["X-Lark-Signature"] if encrypt_key else [])
        assert [n for n in r.header_names if n.lower().startswith("x-lark")] == expected
        ct = [v for k, v in r.headers.items() if k.lower() == "content-type"]
        assert ct == ["application/json; charset=utf-8"]
        assert b": " not in r.body and b", " not in r.body  # compact JSON
        assert r.body.startswith(b'{"encrypt":"') == bool(encrypt_key)
        assert r.headers["X-Lark-Request-Timestamp"] == str(1_700_000_000)  # seconds, from the injected clock


def test_a_wrong_key_is_refused_by_the_sdk_and_retried() -> None:
    async def go() -> tuple[Receiver, MemoryDeliveryStore]:
        a = app("right_key")
        async with Receiver(lark_handler(app("wrong_key"), [])) as rx, httpx.AsyncClient() as client:
            a.event_url = rx.url
            store = MemoryDeliveryStore()
            store.apps[a.app_id] = a
            await store.enqueue(route_event(outbox("instance", "PENDING"), [a], directory()))
            await DeliveryWorker(store, client=client, now_ms=FakeClock()).run_once()
        return rx, store

    rx, store = run(go())
    assert [r.status for r in rx.requests] == [500]
    (d,) = store.deliveries.values()
    assert d.state == "pending" and d.attempts == 1 and d.last_error.startswith("HTTP 500")
    assert d.next_at_ms == 1_700_000_000_000 + 15_000


def test_a_rotated_verification_token_applies_to_queued_events() -> None:
    async def go() -> list[tuple[str, Any]]:
        sink: list[tuple[str, Any]] = []
        a = app(url="http://127.0.0.1:9/old")
        queued = route_event(outbox("instance", "PENDING"), [a], directory())  # rendered with the old token
        a.verification_token = "rotated"
        async with Receiver(lark_handler(a, sink)) as rx, httpx.AsyncClient() as client:
            a.event_url = rx.url
            store = MemoryDeliveryStore()
            store.apps[a.app_id] = a
            await store.enqueue(queued)
            await DeliveryWorker(store, client=client, now_ms=FakeClock()).run_once()
        return sink

    ((_, data),) = run(go())
    assert data.token == "rotated"
