"""The token cache under concurrent requests: when an app changes, every request in flight with one of its cached
tokens checks the token again, and none of them fails because another dropped the stale entry first."""

from __future__ import annotations

import asyncio

from shenpi.app import Shenpi
from tests.app.helpers import with_app


def test_tokens__requests_in_flight_when_an_app_changes_all_authenticate(db_url):
    async def body(svc: Shenpi) -> None:
        app = await svc.people.app("cli_acme")
        assert app is not None
        token = await svc.tokens.issue(app, "tenant")
        header = f"Bearer {token.token}"
        assert (await svc.tokens.authenticate(header)).app_id == "cli_acme"  # now cached, checked against this row
        svc.registry.invalidate()  # as after an admin change: the registry hands out a new row object
        checked = await asyncio.gather(*(svc.tokens.authenticate(header) for _ in range(8)))
        assert [t.token for t in checked] == [token.token] * 8

    with_app(db_url, body)
