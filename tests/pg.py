"""Throwaway PostgreSQL databases for tests.

The server is the one at 127.0.0.1:5432 (trust auth); SHENPI_TEST_PG_URL points at another one, as a URL of
a database the role may CREATE DATABASE from (``postgresql://user:pass@host:port/postgres``). Each call makes
a new database, dropped when the test process exits (SHENPI_TEST_KEEP_DB=1 keeps them to look at after).
"""

from __future__ import annotations

import asyncio
import atexit
import os
import re
import threading
import uuid
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any, TypeVar

import asyncpg

T = TypeVar("T")

# Tried in order; with trust auth whichever role exists works. ``postgres`` is the usual superuser, ``root``
# is what a container that runs tests as root often has instead.
_CANDIDATES = [
    "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgresql://root@127.0.0.1:5432/postgres",
]

_admin_url: str | None = None
_created: list[str] = []
_lock = threading.Lock()


def run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion from sync code, on a thread of its own: this works even when the calling
    thread already runs an event loop (Playwright's sync API leaves one running while it is open)."""
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = asyncio.run(make())
        except BaseException as e:  # noqa: BLE001 - handed back to the caller's thread
            out["error"] = e

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    value: T = out["value"]
    return value


async def _try_connect(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    await conn.close()
    return url


def admin_url() -> str | None:
    """The URL of a maintenance database we can connect to, or None when no PostgreSQL answers."""
    global _admin_url
    with _lock:
        if _admin_url is None:
            env = os.environ.get("SHENPI_TEST_PG_URL")
            for url in [env] if env else _CANDIDATES:
                if run_async(partial(_try_connect, url)) is not None:
                    _admin_url = url
                    break
        return _admin_url


def pg_available() -> bool:
    return admin_url() is not None


def unavailable_reason() -> str:
    where = os.environ.get("SHENPI_TEST_PG_URL") or " or ".join(_CANDIDATES)
    return f"PostgreSQL is not reachable at {where} (set SHENPI_TEST_PG_URL to use another server)"


def _with_database(url: str, database: str) -> str:
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}" + (f"?{query}" if query else "")


def fresh_database(name: str) -> str:
    """Create an empty, uniquely named database and return its ``postgresql://`` URL."""
    admin = admin_url()
    if admin is None:
        raise RuntimeError(unavailable_reason())
    slug = re.sub(r"[^a-z0-9_]", "_", name.lower())[:30]
    database = f"shenpi_t_{slug}_{os.getpid()}_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(admin, timeout=10)
        try:
            await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    run_async(create)
    with _lock:
        if not _created:
            atexit.register(_drop_created)
        _created.append(database)
    return _with_database(admin, database)


def _drop_created() -> None:
    if os.environ.get("SHENPI_TEST_KEEP_DB") == "1" or _admin_url is None:
        return
    admin = _admin_url

    async def drop() -> None:
        conn = await asyncpg.connect(admin, timeout=10)
        try:
            for database in _created:
                # FORCE: a server child that was killed rather than stopped may still hold a session.
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await conn.close()

    try:
        run_async(drop)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        pass  # leftovers are harmless and named shenpi_t_*


def postgres_url_or_skip(name: str) -> str:
    """A fresh database for a test. Without a reachable PostgreSQL the test is skipped, except in CI
    (CI=true), where the PostgreSQL cases are part of what must pass and so fail instead."""
    import pytest

    if not pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{unavailable_reason()}; CI runs the PostgreSQL cases and never skips them")
        pytest.skip(unavailable_reason())
    return fresh_database(name)
