"""svc.deliveries as operators use it: requests for ids that name nothing mark nothing and wake nobody."""

from __future__ import annotations

from shenpi.app import Shenpi
from tests.app.helpers import with_app


class Waker:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def test_unknown_ids_are_neither_marked_nor_replayed(db_url):
    async def body(svc: Shenpi) -> None:
        waker = Waker()
        svc.events = waker
        assert await svc.deliveries.outbox() == []
        assert (await svc.deliveries.outbox_page("acme")).total == 0
        assert await svc.deliveries.request_redelivery([1, 2], tenant_key="acme") == []
        assert await svc.deliveries.overview(state="dead") == []
        assert await svc.deliveries.replay_dead([7]) == []
        assert waker.woken == 0
        svc.events = None

    with_app(db_url, body)
