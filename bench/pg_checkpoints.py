"""Keep PostgreSQL's checkpoints out of the write-path figures.

With the server's defaults (``max_wal_size`` 1 GB, ``checkpoint_timeout`` 5 min) a run at 10^6 stored filled the
WAL and PostgreSQL checkpointed every 10-15 s in the middle of a measurement; after each checkpoint the first
change to every page writes a full-page image, and how many pages a run touches depends on the size of its
indexes. Which run a checkpoint fell in then decided a ratio (the raw-driver floor once measured half its own
speed at 10^6). So while the benchmark runs its PostgreSQL parts it spaces checkpoints far apart (``ALTER SYSTEM``
and a reload, undone afterwards, also after a failure) and asks for one itself before each target starts: every
target then starts from a fresh checkpoint and pays for the full-page images its own writes cause, and none pays
for another's.

This changes the server's settings for everyone using it while the benchmark runs, as ``python -m bench``
already owns the machine; the previous values are restored exactly (a value set with ``ALTER SYSTEM`` before is
set again, otherwise the setting is reset).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

# Far enough apart that no measured run (8 s, ~10^4 requests) meets a checkpoint it did not ask for.
SPACED = {"max_wal_size": "32GB", "checkpoint_timeout": "1h"}


async def _connect(url: str) -> Any:
    import asyncpg

    return await asyncpg.connect(url)


@asynccontextmanager
async def spaced_checkpoints(admin_url: str, meta: dict[str, Any]) -> AsyncIterator[None]:
    """Within the block the server checkpoints only when asked; ``meta`` records what was set."""
    conn = await _connect(admin_url)
    try:
        before = {r["name"]: (r["setting"], r["unit"], r["source"], r["sourcefile"] or "") for r in await conn.fetch(
            "SELECT name, setting, unit, source, sourcefile FROM pg_settings WHERE name = ANY($1::text[])",
            list(SPACED))}
        for name, value in SPACED.items():
            await conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        await conn.execute("SELECT pg_reload_conf()")
        meta["checkpoints"] = {"set": dict(SPACED), "before": {k: f"{v[0]}{v[1] or ''}" for k, v in before.items()},
                               "checkpoint before each target": True}
    finally:
        await conn.close()
    try:
        yield
    finally:
        conn = await _connect(admin_url)
        try:
            for name, (setting, unit, _source, sourcefile) in before.items():
                if sourcefile.endswith("postgresql.auto.conf"):
                    await conn.execute(f"ALTER SYSTEM SET {name} = '{setting}{_unit_suffix(unit)}'")
                else:
                    await conn.execute(f"ALTER SYSTEM RESET {name}")
            await conn.execute("SELECT pg_reload_conf()")
        finally:
            await conn.close()


def _unit_suffix(unit: str | None) -> str:
    """pg_settings gives ``max_wal_size`` in MB and ``checkpoint_timeout`` in s: as units ALTER SYSTEM reads."""
    return {"MB": "MB", "s": "s", "min": "min", "kB": "kB"}.get(unit or "", "")


async def checkpoint(admin_url: str) -> None:
    """A checkpoint now, so that the next target starts from one (CHECKPOINT waits until it is written)."""
    conn = await _connect(admin_url)
    try:
        await conn.execute("CHECKPOINT")
    finally:
        await conn.close()
