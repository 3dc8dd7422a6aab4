"""SQLite's single writer: a transaction opened inside another by the same task fails at once instead of waiting
for itself, and the store goes on serving transactions afterwards."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from shenpi.store import open_store


def test_lock__a_nested_transaction_fails_instead_of_hanging(tmp_path: Path) -> None:
    async def scenario() -> None:
        store = open_store(f"sqlite:///{tmp_path / 'nested.db'}")
        await store.open()
        try:
            async with store.transaction() as tx:
                with pytest.raises(RuntimeError, match="inside another"):
                    async with store.transaction():
                        pass
                await tx.directory_version("acme")  # the outer transaction is still usable
            async with store.transaction() as tx:  # and the writer is free again
                await tx.directory_version("acme")

            # Another task waits its turn rather than failing: only the holder's own nesting is refused.
            order: list[str] = []

            async def other() -> None:
                async with store.transaction():
                    order.append("other")

            async with store.transaction():
                waiting = asyncio.create_task(other())
                await asyncio.sleep(0.05)
                order.append("first")
            await asyncio.wait_for(waiting, 5)
            assert order == ["first", "other"]
        finally:
            await store.close()

    asyncio.run(asyncio.wait_for(scenario(), 20))
