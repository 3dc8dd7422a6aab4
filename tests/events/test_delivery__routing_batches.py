"""delivery: routing reads the subscribers and instance facts of a batch at once and writes the batch's routing at
once; under a steady stream of new outbox rows the worker still sends between batches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from shenpi.events.delivery import Delivery, DeliveryWorker, InstanceFacts, route_pending
from shenpi.events.memory import MemoryDeliveryStore
from shenpi.events.payloads import OutboxEvent
from shenpi.events.queue import RoutingFacts
from tests.events.helpers import APPROVAL, TENANT, app, directory, outbox, run


class CountingStore(MemoryDeliveryStore):
    """The memory store, counting the reads and writes routing makes."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: dict[str, int] = {}
        self.instances_read = 0

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    async def routing_facts(self, rows: Sequence[OutboxEvent]) -> RoutingFacts:
        self._count("routing_facts")
        facts = await super().routing_facts(rows)
        self.instances_read = len(facts.instances)
        return facts

    async def routed_many(self, rows: Sequence[tuple[int, Sequence[Delivery]]]) -> None:
        self._count("routed_many")
        await super().routed_many(rows)


def store(*, url: str = "http://127.0.0.1:1/a") -> CountingStore:
    s = CountingStore()
    a = app(url=url)
    s.apps[a.app_id] = a
    s.subscriptions.add((a.app_id, APPROVAL))
    s.directories[TENANT] = directory()
    return s


def test_a_batch_reads_its_subscribers_and_facts_at_once_and_writes_once() -> None:
    s = store()
    for i in range(10):  # five instances, two rows each
        s.instances[f"IC-{i // 2}"] = InstanceFacts(uuid=f"u{i // 2}", start_user_id="alice")
        s.outbox.append(outbox("instance" if i % 2 == 0 else "task", "PENDING", instance=f"IC-{i // 2}",
                               task_id=str(i), user_id="bob", oid=i + 1))
    assert run(route_pending(s, limit=100)) == 10
    assert s.calls == {"routing_facts": 1, "routed_many": 1}
    assert s.instances_read == 5
    assert len(s.deliveries) == 10 and s.routed_ids == set(range(1, 11))
    # each instance event carries its own instance's facts
    instance_events = [d for d in s.deliveries.values() if d.event_type == "approval_instance"]
    assert len(instance_events) == 5
    assert all(json.loads(d.body)["event"]["uuid"] == "u" + d.stream.split("-")[1] for d in instance_events)
    assert run(route_pending(s)) == 0 and s.calls["routed_many"] == 1  # nothing left: nothing written


def test_rows_nobody_is_subscribed_to_are_marked_routed_in_the_same_write() -> None:
    s = store()
    s.subscriptions.clear()
    s.outbox += [outbox("instance", "PENDING", oid=1), outbox("task", "PENDING", oid=2)]
    assert run(route_pending(s)) == 2
    assert s.routed_ids == {1, 2} and not s.deliveries
    assert s.calls == {"routing_facts": 1, "routed_many": 1}


def test_the_worker_sends_between_batches_while_rows_keep_coming() -> None:
    """With more unrouted rows than a batch, each pass routes one batch and then sends what is due: the first
    sends start before the backlog is routed."""

    async def go() -> tuple[int, int]:
        s = store(url="http://127.0.0.1:9/unreachable")
        for i in range(30):
            s.outbox.append(outbox("instance", "PENDING", instance=f"IC-{i}", oid=i + 1))
        sends_started_with_rows_unrouted = 0
        worker = DeliveryWorker(s, source=s, batch=10, poll_interval_s=60, timeout_s=0.2)
        real_dispatch = worker._dispatch

        async def dispatch() -> int:
            nonlocal sends_started_with_rows_unrouted
            started = await real_dispatch()
            if started and len(s.routed_ids) < len(s.outbox):
                sends_started_with_rows_unrouted += started
            return started

        worker._dispatch = dispatch  # type: ignore[method-assign]
        async with worker:
            for _ in range(200):
                await asyncio.sleep(0.01)
                if len(s.routed_ids) == 30:
                    break
        return sends_started_with_rows_unrouted, len(s.routed_ids)

    started_early, routed = run(go())
    assert routed == 30  # every row was routed without a wake or a poll: each full batch asks for another pass
    assert started_early > 0
