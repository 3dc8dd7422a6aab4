"""Apps' long connections: who may open one (the app's secret, its event mode), and the store's list of the open
connections of every process sharing the database (for the delivery worker's claims, the CLI and the web admin).

:class:`LongConnections` implements the ``Credentials`` and ``ConnectionRecords`` protocols that
shenpi/events/long_connection/ declares.
"""

from __future__ import annotations

from collections.abc import Sequence

from shenpi.app.context import Context
from shenpi.app.tokens import Tokens
from shenpi.events.long_connection.endpoint import AUTH_FAILED, Refusal
from shenpi.events.long_connection.hub import STALE_MS
from shenpi.platform.errors import RateLimited
from shenpi.store.records import App


class LongConnections:
    def __init__(self, ctx: Context, tokens: Tokens) -> None:
        self._ctx = ctx
        self._tokens = tokens

    # -- Credentials ------------------------------------------------------------------------------------
    async def long_connection_app(self, app_id: str, secret: object, address: str) -> App | Refusal:
        try:  # the same secret check, and the same throttle on guessing, as the token endpoints
            found = await self._tokens.app_for_secret(app_id, secret, address)
        except RateLimited as e:
            return Refusal(e.code, e.msg, e.http_status, dict(e.headers or {}))
        if isinstance(found, str):
            return Refusal(AUTH_FAILED, f"auth failed: {found}")
        # as stored now: the process's cached app may predate a change of its event mode by another process
        return await self.get_app(app_id) or found

    async def get_app(self, app_id: str) -> App | None:
        async with self._ctx.store.transaction() as tx:  # fresh: its secret and event mode may have changed
            return await tx.get_app(app_id)

    async def connection_count(self, app_id: str) -> int:
        return (await self.counts()).get(app_id, 0)

    async def counts(self) -> dict[str, int]:
        """Open connections per app id, over every server process sharing the database."""
        async with self._ctx.store.transaction() as tx:
            return await tx.long_connection_counts(self._ctx.clock.now_ms() - STALE_MS)

    # -- ConnectionRecords --------------------------------------------------------------------------------
    async def connection_opened(self, conn_id: str, app_id: str, tenant_key: str, address: str) -> None:
        async with self._ctx.store.transaction() as tx:
            await tx.long_connection_opened(conn_id, app_id, tenant_key, address, self._ctx.clock.now_ms())

    async def connection_closed(self, conn_id: str) -> None:
        async with self._ctx.store.transaction() as tx:
            await tx.long_connection_closed(conn_id)

    async def connections_seen(self, conns: Sequence[tuple[str, str, str, str]]) -> None:
        now = self._ctx.clock.now_ms()
        async with self._ctx.store.transaction() as tx:
            await tx.long_connections_seen(conns, now, now - STALE_MS)
