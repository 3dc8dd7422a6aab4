"""Which process claims a long-connection app's events, on each backend: while some process holds a connection of
the app, only a holder (``held_apps``); while none does (or the process that did stopped marking its connections
alive), anyone, whose attempt then fails for want of a client. A new connection makes the app's waiting events due
at once; callback apps are claimed as before."""

from __future__ import annotations

from shenpi.app import Shenpi
from shenpi.events.delivery import Delivery
from shenpi.events.long_connection.hub import STALE_MS
from shenpi.seed import apply_seed
from tests.app.helpers import with_app
from tests.events.lc_clients import WS_APP, lc_seed


def _delivery(app_id: str, event_id: str, now: int) -> Delivery:
    return Delivery(app_id=app_id, tenant_key="acme", stream=event_id, event_id=event_id,
                    event_type="approval_instance", body=b"{}", created_at=now, next_at_ms=now)


async def _claim(svc: Shenpi, now: int, held: tuple[str, ...] = ()) -> list[str]:
    """Event ids claimed; each claim is then put back, due again at ``now``."""
    claimed = await svc.deliveries.due(now, 10, held_apps=held)
    for d in claimed:
        assert await svc.deliveries.reschedule(d.id, d.next_at_ms, now, 0, "")
    return sorted(d.event_id for d in claimed)


def test_a_long_connection_app_is_claimed_by_holders_of_its_connections(db_url: str) -> None:
    async def body(svc: Shenpi) -> None:
        await apply_seed(svc, lc_seed("http://127.0.0.1:9/events"))  # cli_acme: a callback app
        now = svc.clock.now_ms()
        await svc.deliveries.enqueue([_delivery(WS_APP, "lc-1", now), _delivery("cli_acme", "cb-1", now)])

        assert await _claim(svc, now) == ["cb-1", "lc-1"]  # no connection anywhere: anyone (to fail it)
        await svc.long_connections.connection_opened("conn-a", WS_APP, "acme", "127.0.0.1")
        assert await svc.long_connections.counts() == {WS_APP: 1}
        assert await _claim(svc, now) == ["cb-1"]  # another process holds the app's connection
        assert await _claim(svc, now, held=(WS_APP,)) == ["cb-1", "lc-1"]
        later = now + STALE_MS + 1000  # the holder stopped marking its connection alive: as if none were open
        assert await _claim(svc, later) == ["cb-1", "lc-1"]
        await svc.long_connections.connection_closed("conn-a")
        assert await svc.long_connections.counts() == {}

    with_app(db_url, body, seeded=False)


def test_a_new_connection_makes_the_apps_waiting_events_due_now(db_url: str) -> None:
    async def body(svc: Shenpi) -> None:
        await apply_seed(svc, lc_seed())
        now = svc.clock.now_ms()
        await svc.deliveries.enqueue([_delivery(WS_APP, "waiting", now), _delivery("cli_acme", "other", now)])
        for d in await svc.deliveries.due(now, 10):  # both failed once, retried in an hour
            assert await svc.deliveries.reschedule(d.id, d.next_at_ms, now + 3_600_000, 1, "no client")
        assert await svc.deliveries.due(now + 1000, 10) == []
        await svc.long_connections.connection_opened("conn-b", WS_APP, "acme", "")
        due = await svc.deliveries.due(svc.clock.now_ms() + 1, 10, held_apps=(WS_APP,))
        assert [(d.event_id, d.attempts) for d in due] == [("waiting", 1)]  # its attempts stand; cli_acme's waits

    with_app(db_url, body, seeded=False)
