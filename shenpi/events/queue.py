"""What the delivery queue holds and how outbox rows get into it: the :class:`Delivery` record, the storage
protocols the worker talks to (:class:`DeliveryStore`, :class:`OutboxSource`), and routing (which apps get which
events of an outbox row). shenpi/events/delivery.py sends what is queued; it re-exports these names.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from shenpi.engine.model import Definition
from shenpi.events.payloads import (
    APPROVAL_UPDATED_V4,
    DEFAULT_EVENT_TYPES,
    TYPES_BY_KIND,
    OutboxEvent,
    RenderedEvent,
    UserIds,
    approval_updated_from_definition,
    render,
)
from shenpi.store.records import App

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


@dataclass(slots=True)
class Delivery:
    """One event for one app. ``body`` is the plaintext event JSON; the token, encryption and signature are
    applied at send time from the app's current settings, so rotating a key does not strand queued events."""

    app_id: str
    tenant_key: str
    stream: str  # ordering key within the app: the instance code, or "approval:<code>" for definition events
    event_id: str
    event_type: str
    body: bytes
    created_at: int  # ms
    id: int = 0  # assigned by the store
    outbox_id: int = 0  # 0 for events that did not come from the outbox
    state: str = PENDING  # pending | delivered | dead
    attempts: int = 0
    next_at_ms: int = 0  # when a pending delivery may be tried (once it heads its stream)
    last_error: str = ""
    delivered_at: int = 0

    def insert_row(self) -> tuple[Any, ...]:
        """The columns ``Tx.insert_deliveries`` takes, in its order."""
        return (self.tenant_key, self.app_id, self.stream, self.outbox_id, self.event_id, self.event_type, self.body,
                self.created_at, self.next_at_ms)


@dataclass(frozen=True, slots=True)
class Outcome:
    """An attempt's result, to be recorded under the lease it was sent under: ``state`` DELIVERED, DEAD, or PENDING
    to be tried again at ``next_at_ms``."""

    delivery_id: int
    lease: int
    state: str
    attempts: int
    next_at_ms: int = 0
    error: str = ""


@dataclass(slots=True)
class Claim:
    """What one pass of the worker got from the store: whether each outcome it handed in was recorded (False: the
    lease was lost, nothing written), the deliveries it now holds, and their apps as they are now."""

    recorded: list[bool]
    due: list[Delivery]
    apps: dict[str, App]


class DeliveryStore(Protocol):
    """What the worker needs from storage (shenpi/app/deliveries.py over the SQL stores; events/memory.py in tests).

    A backend shared by several worker processes must make ``due`` a claim: a lease only its holder renews, so two
    workers never send the same head at once.
    """

    async def enqueue(self, deliveries: Sequence[Delivery]) -> None:
        """Insert pending deliveries; one whose (app_id, event_id) already exists is ignored (idempotent routing)."""
        ...

    @property
    def lease_ms(self) -> int:
        """How long a claim (or a renewal) holds a delivery for its caller."""
        ...

    async def due(self, now_ms: int, limit: int, *, per_app: int = 0, busy: Mapping[str, int] | None = None,
                  held_apps: Collection[str] = ()) -> list[Delivery]:
        """Claim, for each (app_id, stream), its oldest pending delivery, if that one's ``next_at_ms <= now_ms``.

        Later pending deliveries of a stream are never returned while an older one is pending, nor is the head while
        another delivery of its stream is claimed and its lease runs (a replayed dead letter waits for the event in
        flight); dead-lettered and delivered ones do not hold a stream back. At most ``limit``; with ``per_app``, at
        most ``per_app`` minus ``busy[app_id]`` per app, the apps taking turns. Each is leased to the caller for
        ``lease_ms``: its ``next_at_ms`` is the lease, the token :meth:`renew` and the results take.

        A long-connection app's deliveries go only to a caller holding one of its connections (``held_apps``), or
        to anyone while no process of the backend holds one (the attempt then fails: no client connected).
        """
        ...

    async def settle_and_claim(self, outcomes: Sequence[Outcome], now_ms: int, limit: int, *, per_app: int = 0,
                               busy: Mapping[str, int] | None = None, held_apps: Collection[str] = ()) -> Claim:
        """One pass of the worker, in one transaction: record ``outcomes`` (each as :meth:`mark_delivered`,
        :meth:`reschedule` or :meth:`dead_letter` would, at ``now_ms``), then claim as :meth:`due` does (nothing
        with ``limit`` 0), and read the apps of what was claimed (URL, token and key, read for every attempt).
        Recording first lets a stream's next event be claimed in the same pass as its head's acknowledgement."""
        ...

    async def renew(self, delivery_id: int, lease: int, now_ms: int) -> int:
        """Extend the caller's lease to ``now_ms + lease_ms``; the new lease, 0 when the caller holds it no more."""
        ...

    # An attempt's result, recorded only while ``lease`` is still the delivery's (its caller's claim, or the renewal
    # of it): False, and nothing written, when another worker has taken the delivery over or an operator re-queued it.
    async def mark_delivered(self, delivery_id: int, lease: int, now_ms: int) -> bool: ...

    async def reschedule(self, delivery_id: int, lease: int, next_at_ms: int, attempts: int, last_error: str) -> bool: ...

    async def dead_letter(self, delivery_id: int, lease: int, attempts: int, error: str) -> bool: ...

    async def dead_letters(self, app_id: str | None = None) -> list[Delivery]: ...

    async def replay(self, delivery_id: int, now_ms: int) -> bool:
        """Put a dead-lettered delivery back as pending, attempts 0, due at ``now_ms``; False if it is not dead."""
        ...

    async def get_app(self, app_id: str) -> App | None:
        """The app as it is now (URL, token and key are read at every attempt)."""
        ...


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    uuid: str = ""  # the uuid given at instance creation
    start_user_id: str = ""  # the submitter's user_id


@dataclass(slots=True)
class RoutingFacts:
    """What routing a batch of outbox rows reads from storage: per (tenant, approval code) the apps subscribed
    (``/approvals/:code/subscribe``) to it, per (tenant, instance code) the instance's facts."""

    subscribers: dict[tuple[str, str], list[App]]
    instances: dict[tuple[str, str], InstanceFacts]


class OutboxSource(Protocol):
    """Where new outbox rows come from, and what rendering them needs."""

    async def unrouted(self, limit: int) -> list[OutboxEvent]:
        """Outbox rows not yet turned into deliveries, oldest (lowest id) first."""
        ...

    async def routing_facts(self, rows: Sequence[OutboxEvent]) -> RoutingFacts:
        """The subscribers of the rows' approvals and the facts of their instances, read at once (one transaction
        for a batch, not one per instance)."""
        ...

    async def user_ids(self, tenant_key: str) -> UserIds: ...

    async def routed(self, outbox_id: int, deliveries: Sequence[Delivery]) -> None:
        """Enqueue ``deliveries`` and mark the outbox row routed, in one transaction."""
        ...

    async def routed_many(self, rows: Sequence[tuple[int, Sequence[Delivery]]]) -> None:
        """:meth:`routed` for several outbox rows, in one transaction: a row another worker marked routed
        meanwhile is skipped with its deliveries, as :meth:`routed` skips it."""
        ...


EventTypes = Callable[[App], Iterable[str]]


def default_event_types(app: App) -> Iterable[str]:
    return DEFAULT_EVENT_TYPES


def app_event_types(app: App) -> Iterable[str]:
    """The event types an app receives: the ones it chose, or the default set when it chose none."""
    return app.event_types or DEFAULT_EVENT_TYPES


def pushed_to(app: App) -> bool:
    """Whether events go to ``app`` at all: over its long connection, or to its event_url (Feishu pushes nothing to
    a callback app without a request URL)."""
    return app.receives_by == "long_connection" or bool(app.event_url)


def delivery_for(app: App, event: RenderedEvent, *, stream: str, created_at: int, outbox_id: int = 0) -> Delivery:
    return Delivery(app_id=app.app_id, tenant_key=app.tenant_key, stream=stream, event_id=event.event_id,
                    event_type=event.event_type, body=event.body(), created_at=created_at, outbox_id=outbox_id,
                    next_at_ms=created_at)


def route_event(
    ev: OutboxEvent,
    apps: Iterable[App],
    users: UserIds,
    facts: InstanceFacts = InstanceFacts(),  # noqa: B008 - frozen, so sharing the default is safe
    event_types: EventTypes = default_event_types,
) -> list[Delivery]:
    """The deliveries one outbox row makes: one per app events are pushed to and per event type the app takes."""
    out: list[Delivery] = []
    for app in apps:
        if not pushed_to(app):
            continue
        wanted = set(event_types(app))
        for event_type in TYPES_BY_KIND.get(ev.kind, ()):
            if event_type in wanted:
                rendered = render(event_type, ev, app, users, instance_uuid=facts.uuid, start_user_id=facts.start_user_id)
                out.append(delivery_for(app, rendered, stream=ev.instance_code, created_at=ev.created_at,
                                        outbox_id=ev.id))
    return out


def route_definition(
    definition: Definition,
    apps: Iterable[App],
    changed_at_ms: int,
    event_types: EventTypes = default_event_types,
) -> list[Delivery]:
    """``approval.approval.updated_v4`` deliveries for a saved definition version, to the subscribed ``apps``.

    Definition events form their own stream per approval, so they never wait behind an instance's events.
    """
    return [
        delivery_for(app, approval_updated_from_definition(app, definition, changed_at_ms),
                     stream="approval:" + definition.code, created_at=changed_at_ms)
        for app in apps
        if pushed_to(app) and APPROVAL_UPDATED_V4 in set(event_types(app))
    ]


async def route_pending(source: OutboxSource, *, event_types: EventTypes = default_event_types, limit: int = 100) -> int:
    """Turn up to ``limit`` unrouted outbox rows into deliveries; returns how many rows were routed."""
    rows = await source.unrouted(limit)
    if not rows:
        return 0
    # One read for the batch (an approval's subscribers, an instance's facts: its rows come in pairs or more), a
    # tenant's directory once, and the batch's routing written in one transaction rather than one per row.
    facts = await source.routing_facts(rows)
    directories: dict[str, UserIds] = {}
    routed: list[tuple[int, list[Delivery]]] = []
    for ev in rows:
        apps = [a for a in facts.subscribers.get((ev.tenant_key, ev.approval_code), ()) if pushed_to(a)]
        deliveries: list[Delivery] = []
        if apps:
            if ev.tenant_key not in directories:
                directories[ev.tenant_key] = await source.user_ids(ev.tenant_key)
            instance = facts.instances.get((ev.tenant_key, ev.instance_code), InstanceFacts())
            deliveries = route_event(ev, apps, directories[ev.tenant_key], instance, event_types)
        routed.append((ev.id, deliveries))
    await source.routed_many(routed)
    return len(rows)
