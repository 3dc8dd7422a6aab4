"""An in-memory :class:`DeliveryStore` and :class:`OutboxSource`: the reference semantics the SQL stores must match,
and what the tests run the worker against."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace

from shenpi.events.delivery import DEAD, DELIVERED, PENDING, Claim, Delivery, InstanceFacts, Outcome
from shenpi.events.payloads import OutboxEvent, UserIds
from shenpi.events.queue import RoutingFacts
from shenpi.store.records import App


class _NoDirectory:
    def external_id(self, user_id: str, id_type: str) -> str:
        return user_id


class MemoryDeliveryStore:
    def __init__(self) -> None:
        self.apps: dict[str, App] = {}
        self.deliveries: dict[int, Delivery] = {}
        self.lease_ms = 10_000
        self.leased: set[int] = set()  # claimed deliveries (their lease is next_at_ms)
        self._next_id = 1
        # OutboxSource side
        self.outbox: list[OutboxEvent] = []
        self.routed_ids: set[int] = set()
        self.subscriptions: set[tuple[str, str]] = set()  # (app_id, approval_code)
        self.instances: dict[str, InstanceFacts] = {}
        self.directories: dict[str, UserIds] = {}

    # -- DeliveryStore ----------------------------------------------------------------------------
    async def enqueue(self, deliveries: Sequence[Delivery]) -> None:
        known = {(d.app_id, d.event_id) for d in self.deliveries.values()}
        for d in deliveries:
            if (d.app_id, d.event_id) in known:
                continue
            known.add((d.app_id, d.event_id))
            stored = replace(d, id=self._next_id, state=PENDING)
            self.deliveries[stored.id] = stored
            self._next_id += 1

    async def due(self, now_ms: int, limit: int, *, per_app: int = 0, busy: Mapping[str, int] | None = None,
                  held_apps: Collection[str] = ()) -> list[Delivery]:
        # (no process shares this store: every long-connection app's events are claimed, as if none were held)
        heads: dict[tuple[str, str], Delivery] = {}
        held: set[tuple[str, str, int]] = set()  # (app, stream, id) of running leases
        for d in sorted(self.deliveries.values(), key=lambda d: d.id):
            if d.state == PENDING:
                heads.setdefault((d.app_id, d.stream), d)
                if d.id in self.leased and d.next_at_ms > now_ms:
                    held.add((d.app_id, d.stream, d.id))
        lanes: dict[str, list[Delivery]] = {}
        free = [d for d in heads.values() if d.next_at_ms <= now_ms
                and not any((a, s) == (d.app_id, d.stream) and i != d.id for a, s, i in held)]
        for d in sorted(free, key=lambda d: d.id):
            lanes.setdefault(d.app_id, []).append(d)
        cap = per_app if per_app > 0 else limit
        ready = sorted(((rank, d) for lane in lanes.values()
                        for rank, d in enumerate(lane[:max(0, cap - (busy or {}).get(lane[0].app_id, 0))])),
                       key=lambda p: (p[0], p[1].id))
        claimed = []
        for _, d in ready[:limit]:
            d.next_at_ms = now_ms + self.lease_ms  # leased, like the SQL stores' claims
            self.leased.add(d.id)
            claimed.append(replace(d))  # copies, as a database would hand out
        return claimed

    async def settle_and_claim(self, outcomes: Sequence[Outcome], now_ms: int, limit: int, *, per_app: int = 0,
                               busy: Mapping[str, int] | None = None, held_apps: Collection[str] = ()) -> Claim:
        recorded = []
        for o in outcomes:
            if o.state == DELIVERED:
                recorded.append(await self.mark_delivered(o.delivery_id, o.lease, now_ms))
            elif o.state == DEAD:
                recorded.append(await self.dead_letter(o.delivery_id, o.lease, o.attempts, o.error))
            else:
                recorded.append(await self.reschedule(o.delivery_id, o.lease, o.next_at_ms, o.attempts, o.error))
        due = await self.due(now_ms, limit, per_app=per_app, busy=busy, held_apps=held_apps) if limit > 0 else []
        return Claim(recorded, due, {d.app_id: self.apps[d.app_id] for d in due if d.app_id in self.apps})

    async def renew(self, delivery_id: int, lease: int, now_ms: int) -> int:
        d = self.deliveries.get(delivery_id)
        if d is None or d.state != PENDING or d.next_at_ms != lease:
            return 0
        d.next_at_ms = max(now_ms + self.lease_ms, lease + 1)
        return d.next_at_ms

    def _held(self, delivery_id: int, lease: int) -> Delivery | None:
        """The delivery, if ``lease`` still holds it; released, as recording a result does."""
        d = self.deliveries.get(delivery_id)
        if d is None or d.state != PENDING or d.next_at_ms != lease:
            return None
        self.leased.discard(delivery_id)
        return d

    async def mark_delivered(self, delivery_id: int, lease: int, now_ms: int) -> bool:
        if (d := self._held(delivery_id, lease)) is None:
            return False
        d.state, d.delivered_at, d.attempts = DELIVERED, now_ms, d.attempts + 1
        return True

    async def reschedule(self, delivery_id: int, lease: int, next_at_ms: int, attempts: int, last_error: str) -> bool:
        if (d := self._held(delivery_id, lease)) is None:
            return False
        d.next_at_ms, d.attempts, d.last_error = next_at_ms, attempts, last_error
        return True

    async def dead_letter(self, delivery_id: int, lease: int, attempts: int, error: str) -> bool:
        if (d := self._held(delivery_id, lease)) is None:
            return False
        d.state, d.attempts, d.last_error = DEAD, attempts, error
        return True

    async def dead_letters(self, app_id: str | None = None) -> list[Delivery]:
        return [replace(d) for d in sorted(self.deliveries.values(), key=lambda d: d.id)
                if d.state == DEAD and (app_id is None or d.app_id == app_id)]

    async def replay(self, delivery_id: int, now_ms: int) -> bool:
        d = self.deliveries.get(delivery_id)
        if d is None or d.state != DEAD:
            return False
        d.state, d.attempts, d.next_at_ms = PENDING, 0, now_ms
        self.leased.discard(delivery_id)
        return True

    async def get_app(self, app_id: str) -> App | None:
        return self.apps.get(app_id)

    # -- OutboxSource -----------------------------------------------------------------------------
    async def unrouted(self, limit: int) -> list[OutboxEvent]:
        return [e for e in sorted(self.outbox, key=lambda e: e.id) if e.id not in self.routed_ids][:limit]

    async def routing_facts(self, rows: Sequence[OutboxEvent]) -> RoutingFacts:
        return RoutingFacts(
            {(r.tenant_key, r.approval_code): [a for a in self.apps.values() if a.tenant_key == r.tenant_key
                                               and (a.app_id, r.approval_code) in self.subscriptions] for r in rows},
            {(r.tenant_key, r.instance_code): self.instances.get(r.instance_code, InstanceFacts()) for r in rows})

    async def user_ids(self, tenant_key: str) -> UserIds:
        return self.directories.get(tenant_key, _NoDirectory())

    async def routed(self, outbox_id: int, deliveries: Sequence[Delivery]) -> None:
        await self.enqueue(deliveries)
        self.routed_ids.add(outbox_id)

    async def routed_many(self, rows: Sequence[tuple[int, Sequence[Delivery]]]) -> None:
        for outbox_id, deliveries in rows:
            await self.routed(outbox_id, deliveries)
