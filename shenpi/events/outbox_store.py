"""The delivery worker's storage, on shenpi's store: :class:`DeliveryStore` and :class:`OutboxSource` over
the same database the engine writes its outbox to (so an event is queued in the transaction of its change)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shenpi.app import Shenpi
from shenpi.events.delivery import Delivery, InstanceFacts
from shenpi.events.payloads import OutboxEvent, UserIds
from shenpi.store.records import App

LEASE_MS = 10_000  # > the 3 s send timeout: a claimed head goes to another worker only if this one vanished


def _delivery(r: Sequence[Any]) -> Delivery:
    return Delivery(id=r[0], tenant_key=r[1], app_id=r[2], stream=r[3], outbox_id=r[4], event_id=r[5],
                    event_type=r[6], body=bytes(r[7]), state=r[8], attempts=r[9], next_at_ms=r[10],
                    last_error=r[11], created_at=r[12], delivered_at=r[13])


def _row(d: Delivery) -> tuple[Any, ...]:
    return (d.tenant_key, d.app_id, d.stream, d.outbox_id, d.event_id, d.event_type, d.body, d.created_at,
            d.next_at_ms)


class StoreDeliveries:
    def __init__(self, svc: Shenpi) -> None:
        self.svc = svc

    # -- DeliveryStore ----------------------------------------------------------------------------
    async def enqueue(self, deliveries: Sequence[Delivery]) -> None:
        async with self.svc.store.transaction() as tx:
            await tx.insert_deliveries([_row(d) for d in deliveries])

    async def due(self, now_ms: int, limit: int) -> list[Delivery]:
        async with self.svc.store.transaction() as tx:
            await tx.take_redelivery_requests(now_ms)
            return [_delivery(r) for r in await tx.claim_due(now_ms, limit, LEASE_MS)]

    async def mark_delivered(self, delivery_id: int, now_ms: int) -> None:
        async with self.svc.store.transaction() as tx:
            await tx.delivery_delivered(delivery_id, now_ms)

    async def reschedule(self, delivery_id: int, next_at_ms: int, attempts: int, last_error: str) -> None:
        async with self.svc.store.transaction() as tx:
            await tx.delivery_reschedule(delivery_id, next_at_ms, attempts, last_error)

    async def dead_letter(self, delivery_id: int, attempts: int, error: str) -> None:
        async with self.svc.store.transaction() as tx:
            await tx.delivery_dead(delivery_id, attempts, error)

    async def dead_letters(self, app_id: str | None = None) -> list[Delivery]:
        async with self.svc.store.transaction() as tx:
            return [_delivery(r) for r in await tx.list_deliveries(state="dead", app_id=app_id or "")]

    async def replay(self, delivery_id: int, now_ms: int) -> bool:
        async with self.svc.store.transaction() as tx:
            return await tx.delivery_replay(delivery_id, now_ms)

    async def get_app(self, app_id: str) -> App | None:
        async with self.svc.store.transaction() as tx:  # read fresh: URL, token and key may have changed
            return await tx.get_app(app_id)

    # -- OutboxSource -----------------------------------------------------------------------------
    async def unrouted(self, limit: int) -> list[OutboxEvent]:
        async with self.svc.store.transaction() as tx:
            await tx.skip_unsubscribed_outbox()
            return [OutboxEvent.from_row(r) for r in await tx.unrouted_outbox(limit)]

    async def subscribers(self, tenant_key: str, approval_code: str) -> list[App]:
        async with self.svc.store.transaction() as tx:
            ids = await tx.subscribed_app_ids(tenant_key, approval_code)
            apps = [await tx.get_app(a) for a in ids]
        return [a for a in apps if a is not None]

    async def instance_facts(self, tenant_key: str, instance_code: str) -> InstanceFacts:
        async with self.svc.store.transaction() as tx:
            inst = await tx.find_instance(tenant_key, instance_code)
        return InstanceFacts(uuid=inst.uuid, start_user_id=inst.user_id) if inst else InstanceFacts()

    async def user_ids(self, tenant_key: str) -> UserIds:
        return await self.svc.directory(tenant_key)

    async def routed(self, outbox_id: int, deliveries: Sequence[Delivery]) -> None:
        async with self.svc.store.transaction() as tx:
            if await tx.mark_routed(outbox_id):
                await tx.insert_deliveries([_row(d) for d in deliveries])


def delivery_view(d: Delivery) -> dict[str, Any]:
    """A delivery as operators see it (CLI and admin API): everything but the body."""
    return {"id": d.id, "app_id": d.app_id, "tenant_key": d.tenant_key, "outbox_id": d.outbox_id,
            "event_id": d.event_id, "event_type": d.event_type, "state": d.state, "attempts": d.attempts,
            "next_at_ms": d.next_at_ms, "last_error": d.last_error, "created_at": d.created_at,
            "delivered_at": d.delivered_at}


async def list_deliveries(svc: Shenpi, *, state: str = "", app_id: str = "", limit: int = 1000) -> list[dict[str, Any]]:
    async with svc.store.transaction() as tx:
        return [delivery_view(_delivery(r)) for r in await tx.list_deliveries(state=state, app_id=app_id, limit=limit)]
