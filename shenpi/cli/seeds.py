"""``shenpi check-seed``: validate a seed file without a server."""

from __future__ import annotations

import asyncio
import sys

import click


@click.command("check-seed")
@click.argument("path")
def check_seed(path: str) -> None:
    """Validate a seed file by applying it to an in-memory store."""
    from shenpi.app import Shenpi
    from shenpi.seed import SeedError, apply_seed, load_seed
    from shenpi.store import open_store

    async def run() -> None:
        svc = Shenpi(open_store("sqlite:///:memory:"))
        await svc.open()
        try:
            await apply_seed(svc, load_seed(path))
        finally:
            await svc.close()

    try:
        asyncio.run(run())
    except (SeedError, OSError) as e:
        click.echo(f"invalid seed: {e}", err=True)
        sys.exit(1)
    click.echo("ok")
