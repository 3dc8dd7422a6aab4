"""What the commands share: the ``--db`` and ``--json`` options, and opening the store around a piece of work.

The commands open the database directly, as ``serve`` does; a server running on the same database keeps caches, so
changing the state of a running server goes through its admin API (``POST /_shenpi/import``) instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from shenpi.app import Shenpi

T = TypeVar("T")

DEFAULT_DB = "sqlite:///shenpi.db"

# SHENPI_DB as for ``serve``: an operator's command run in the server's environment opens the server's database.
db_option = click.option("--db", default=DEFAULT_DB, show_default=True, envvar="SHENPI_DB", show_envvar=True,
                         help="sqlite:///path or postgresql://...")
json_option = click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")


def with_service(db: str, work: Callable[[Shenpi], Awaitable[T]], *, must_exist: bool = True) -> T:
    """Open the store, run ``await work(svc)``, close; a missing SQLite file is a one-line message and exit 1.

    The application is imported here rather than at the top: ``shenpi --help`` should not load it."""
    from shenpi.app import Shenpi
    from shenpi.store import open_store

    if must_exist and db.startswith("sqlite:"):
        from shenpi.store.sqlite import sqlite_path

        path = sqlite_path(db)
        if path != ":memory:" and not Path(path).exists():
            raise click.ClickException(f"no database at {path} (pass --db or set SHENPI_DB)")

    async def go() -> T:
        svc = Shenpi(open_store(db))
        await svc.open()
        try:
            return await work(svc)
        finally:
            await svc.close()

    return asyncio.run(go())


async def tenant_keys(svc: Shenpi, tenant: str | None) -> list[str]:
    """``[tenant]`` when it exists, every tenant's key when ``tenant`` is None; a usage error otherwise."""
    keys = [t.tenant_key for t in await svc.people.tenants()]
    if tenant is not None:
        if tenant not in keys:
            raise click.ClickException(f"no tenant {tenant!r} (there are: {', '.join(keys) or 'none'})")
        return [tenant]
    return keys
