"""What every ``shenpi`` subcommand that works on a database needs: open the store, run, close."""

from __future__ import annotations

import asyncio
from typing import Any

import click


def with_service(db: str, work: Any, *, must_exist: bool = True) -> Any:
    """Open the store, run ``await work(svc)``, close; store errors become a one-line message and exit 1."""
    from shenpi.app import Shenpi
    from shenpi.store import open_store

    if must_exist and db.startswith("sqlite:"):
        from pathlib import Path

        from shenpi.store.sqlite import sqlite_path

        path = sqlite_path(db)
        if path != ":memory:" and not Path(path).exists():
            raise click.ClickException(f"no database at {path} (pass --db)")

    async def go() -> Any:
        svc = Shenpi(open_store(db))
        await svc.open()
        try:
            return await work(svc)
        finally:
            await svc.close()

    return asyncio.run(go())


