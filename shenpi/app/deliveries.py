"""The event outbox and its deliveries: routing, claims, retries, dead letters, replays, redelivery requests.

:class:`Deliveries` is the delivery worker's storage: it implements the ``DeliveryStore`` and ``OutboxSource``
protocols shenpi/events/delivery.py declares, over the database the engine writes its outbox to (so an event is
queued in the transaction of its change). The operators' views (CLI, admin API, web admin pages) are here too.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from shenpi.app.context import Context
from shenpi.events.delivery import DEAD, DELIVERED, Claim, Delivery, InstanceFacts, Outcome
from shenpi.events.long_connection.hub import STALE_MS
from shenpi.events.payloads import OutboxEvent, UserIds
from shenpi.events.queue import RoutingFacts, pushed_to
from shenpi.store.records import App, Page

# How long a claim holds a delivery for its worker. The worker claims only what it starts sending at once, renews
# the lease when the send starts and every quarter lease while it is in flight, so another process takes a claimed
# delivery over only when this one stopped renewing (it vanished or stalls) - never while its send can still happen.
LEASE_MS = 10_000


def _delivery(r: Sequence[Any]) -> Delivery:
    return Delivery(id=r[0], tenant_key=r[1], app_id=r[2], stream=r[3], outbox_id=r[4], event_id=r[5],
                    event_type=r[6], body=bytes(r[7]), state=r[8], attempts=r[9], next_at_ms=r[10],
                    last_error=r[11], created_at=r[12], delivered_at=r[13])


def delivery_view(d: Delivery) -> dict[str, Any]:
    """A delivery as operators see it (CLI and admin API): everything but the body."""
    return {"id": d.id, "app_id": d.app_id, "tenant_key": d.tenant_key, "outbox_id": d.outbox_id,
            "event_id": d.event_id, "event_type": d.event_type, "state": d.state, "attempts": d.attempts,
            "next_at_ms": d.next_at_ms, "last_error": d.last_error, "created_at": d.created_at,
            "delivered_at": d.delivered_at}


class Deliveries:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.lease_ms = LEASE_MS  # the server sets it from --event-lease

    # -- DeliveryStore (the worker) -----------------------------------------------------------------
    async def enqueue(self, deliveries: Sequence[Delivery]) -> None:
        async with self._ctx.store.transaction() as tx:
            await tx.insert_deliveries([d.insert_row() for d in deliveries])
            if deliveries:
                await tx.signal_deliveries()

    async def due(self, now_ms: int, limit: int, *, per_app: int = 0, busy: Mapping[str, int] | None = None,
                  held_apps: Collection[str] = ()) -> list[Delivery]:
        async with self._ctx.store.transaction() as tx:
            await tx.take_redelivery_requests(now_ms)
            return [_delivery(r) for r in await tx.claim_due(now_ms, limit, self.lease_ms, per_app, busy,
                                                             sorted(held_apps), now_ms - STALE_MS)]

    async def settle_and_claim(self, outcomes: Sequence[Outcome], now_ms: int, limit: int, *, per_app: int = 0,
                               busy: Mapping[str, int] | None = None, held_apps: Collection[str] = ()) -> Claim:
        async with self._ctx.store.transaction() as tx:
            # the acknowledged ones (nearly all) in one statement; a retry or a dead letter is a row of its own
            delivered = await tx.deliveries_delivered(
                [(o.delivery_id, o.lease) for o in outcomes if o.state == DELIVERED], now_ms)
            recorded: list[bool] = []
            for o in outcomes:
                if o.state == DELIVERED:
                    recorded.append(o.delivery_id in delivered)
                elif o.state == DEAD:
                    recorded.append(await tx.delivery_dead(o.delivery_id, o.lease, o.attempts, o.error))
                else:
                    recorded.append(await tx.delivery_reschedule(o.delivery_id, o.lease, o.next_at_ms, o.attempts,
                                                                 o.error))
            due: list[Delivery] = []
            apps: dict[str, App] = {}
            if limit > 0:
                await tx.take_redelivery_requests(now_ms)
                due = [_delivery(r) for r in await tx.claim_due(now_ms, limit, self.lease_ms, per_app, busy,
                                                                sorted(held_apps), now_ms - STALE_MS)]
                for app_id in sorted({d.app_id for d in due}):
                    if (app := await tx.get_app(app_id)) is not None:
                        apps[app_id] = app
        return Claim(recorded, due, apps)

    async def renew(self, delivery_id: int, lease: int, now_ms: int) -> int:
        async with self._ctx.store.transaction() as tx:
            return await tx.renew_lease(delivery_id, lease, now_ms + self.lease_ms)

    async def mark_delivered(self, delivery_id: int, lease: int, now_ms: int) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.delivery_delivered(delivery_id, lease, now_ms)

    async def reschedule(self, delivery_id: int, lease: int, next_at_ms: int, attempts: int, last_error: str) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.delivery_reschedule(delivery_id, lease, next_at_ms, attempts, last_error)

    async def dead_letter(self, delivery_id: int, lease: int, attempts: int, error: str) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.delivery_dead(delivery_id, lease, attempts, error)

    async def dead_letters(self, app_id: str | None = None) -> list[Delivery]:
        async with self._ctx.store.transaction() as tx:
            return [_delivery(r) for r in await tx.list_deliveries(state="dead", app_id=app_id or "")]

    async def replay(self, delivery_id: int, now_ms: int) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.delivery_replay(delivery_id, now_ms)

    async def get_app(self, app_id: str) -> App | None:
        async with self._ctx.store.transaction() as tx:  # read fresh: URL, token and key may have changed
            return await tx.get_app(app_id)

    # -- OutboxSource (the worker's router) ---------------------------------------------------------
    async def unrouted(self, limit: int) -> list[OutboxEvent]:
        async with self._ctx.store.transaction() as tx:
            await tx.skip_unsubscribed_outbox()
            return [OutboxEvent.from_row(r) for r in await tx.unrouted_outbox(limit)]

    async def routing_facts(self, rows: Sequence[OutboxEvent]) -> RoutingFacts:
        facts = RoutingFacts({}, {})
        async with self._ctx.store.transaction() as tx:
            for key in sorted({(r.tenant_key, r.approval_code) for r in rows}):
                apps = [await tx.get_app(a) for a in await tx.subscribed_app_ids(*key)]
                facts.subscribers[key] = [a for a in apps if a is not None]
            # only the instances whose events go somewhere (rows nobody takes are routed to no app)
            for tenant_key, code in sorted({(r.tenant_key, r.instance_code) for r in rows
                                            if any(pushed_to(a) for a in facts.subscribers[r.tenant_key,
                                                                                            r.approval_code])}):
                inst = await tx.find_instance(tenant_key, code)
                facts.instances[tenant_key, code] = (InstanceFacts(uuid=inst.uuid, start_user_id=inst.user_id)
                                                     if inst else InstanceFacts())
        return facts

    async def user_ids(self, tenant_key: str) -> UserIds:
        return await self._ctx.registry.directory(tenant_key)

    async def routed(self, outbox_id: int, deliveries: Sequence[Delivery]) -> None:
        await self.routed_many([(outbox_id, deliveries)])

    async def routed_many(self, rows: Sequence[tuple[int, Sequence[Delivery]]]) -> None:
        async with self._ctx.store.transaction() as tx:
            queued = False
            for outbox_id, deliveries in rows:
                if await tx.mark_routed(outbox_id) and deliveries:
                    await tx.insert_deliveries([d.insert_row() for d in deliveries])
                    queued = True
            if queued:
                await tx.signal_deliveries()

    # -- operators: CLI, admin API, web admin pages -------------------------------------------------
    async def overview(self, *, state: str = "", app_id: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        """Deliveries as operators see them (``state="dead"``: the dead-letter list)."""
        async with self._ctx.store.transaction() as tx:
            rows = await tx.list_deliveries(state=state, app_id=app_id, limit=limit)
        return [delivery_view(_delivery(r)) for r in rows]

    async def depth(self) -> dict[str, int]:
        """``{"pending": n, "dead": m}``: the deliveries not yet acknowledged, and those waiting for a replay."""
        async with self._ctx.store.transaction() as tx:
            return await tx.count_deliveries()

    async def replay_dead(self, delivery_ids: Sequence[int]) -> list[int]:
        """Dead letters back to pending, due now, in one transaction; the ids that were dead (and now are not)."""
        replayed = []
        async with self._ctx.store.transaction() as tx:
            for i in delivery_ids:
                if await tx.delivery_replay(i, self._ctx.clock.now_ms()):
                    replayed.append(i)
        if replayed:
            self._ctx.committed()
        return replayed

    async def outbox(self, *, tenant_key: str | None = None, instance_code: str | None = None, after_id: int = 0,
                     limit: int = 100) -> list[dict[str, Any]]:
        """Outbox events, oldest first."""
        async with self._ctx.store.transaction() as tx:
            return await tx.list_outbox(tenant_key=tenant_key, instance_code=instance_code, after_id=after_id,
                                        limit=limit)

    async def outbox_page(self, tenant_key: str, *, instance_code: str = "", offset: int = 0,
                          limit: int = 50) -> Page:
        """One page of a tenant's outbox, newest first (the web admin's outbox page)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.outbox_page(tenant_key, instance_code=instance_code, offset=offset, limit=limit)

    async def request_redelivery(self, outbox_ids: Sequence[int], *, tenant_key: str | None = None) -> list[int]:
        """Mark outbox events for delivery again (with their original event ids); the ids that were marked. With
        ``tenant_key``, ids of another tenant's events are skipped, not marked."""
        async with self._ctx.store.transaction() as tx:
            marked = await tx.request_redelivery(list(outbox_ids), self._ctx.clock.now_ms(), tenant_key)
        if marked:
            self._ctx.committed()  # the worker takes requests on its next pass: make that now
        return marked
