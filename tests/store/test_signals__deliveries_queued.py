"""Another process learns at once that deliveries were queued: on PostgreSQL a transaction that queues them
signals at its commit (never when it rolls back), and a listener whose connection is cut listens again and looks
for what it may have missed. SQLite offers no channel between processes (its processes poll)."""

from __future__ import annotations

import asyncio

import pytest

from shenpi.store.base import Store
from shenpi.store.signals import DELIVERIES_QUEUED
from tests.store.contract import run

WAIT_S = 10.0  # a bound on waiting for a signal, never a measured time


def test_signals__a_commit_that_queued_deliveries_reaches_a_listener(store_url: str) -> None:
    async def body(store: Store) -> None:
        heard = asyncio.Queue[str]()
        listening = store.listen(DELIVERIES_QUEUED, lambda: heard.put_nowait("signal"))
        if store_url.startswith("sqlite"):
            assert listening is None
            return
        assert listening is not None
        try:
            await asyncio.wait_for(listening.listening.wait(), WAIT_S)
            assert await asyncio.wait_for(heard.get(), WAIT_S) == "signal"  # on listening: look for what was missed

            class Undo(Exception):
                pass

            with pytest.raises(Undo):
                async with store.transaction() as tx:
                    await tx.signal_deliveries()
                    raise Undo
            async with store.transaction() as tx:
                await tx.signal_deliveries()
            assert await asyncio.wait_for(heard.get(), WAIT_S) == "signal"
            await asyncio.sleep(0.2)  # a signal of the rolled-back transaction would have come before the commit's
            assert heard.empty()

            # the listening connection is cut: it listens again, looks once, and hears later commits
            async with store.transaction() as tx:
                await tx._execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' "
                                  "AND datname = current_database() AND pid <> pg_backend_pid()")
            assert await asyncio.wait_for(heard.get(), WAIT_S) == "signal"
            await asyncio.wait_for(listening.listening.wait(), WAIT_S)
            async with store.transaction() as tx:
                await tx.signal_deliveries()
            assert await asyncio.wait_for(heard.get(), WAIT_S) == "signal"
        finally:
            await listening.aclose()

    run(store_url, body)
