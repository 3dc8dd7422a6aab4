"""``shenpi check-seed``: check a seed file without a server; ``serve --seed`` runs the same check first."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from shenpi.app.snapshots import KnownIds


@click.command("check-seed")
@click.argument("path")
@click.option("--demo", is_flag=True, help="check it as applied after the demo data (serve --demo --seed PATH)")
def check_seed(path: str, demo: bool) -> None:
    """Check a seed file: each problem is printed as FILE:LINE: message, and the exit status is 1 if there is any."""
    problems = seed_problems(path, demo=demo)
    if not problems:
        problems = asyncio.run(_apply_in_memory(path, demo))
    for line in problems:
        click.echo(line, err=True)
    if problems:
        sys.exit(1)
    click.echo("ok")


def seed_problems(path: str, *, db: str = "", demo: bool = False) -> list[str]:
    """The problems of a seed file, one ``file:line: message`` each, found as applying it to ``db`` (after the demo
    data) would find them: its users and departments count as given. Nothing is written, nor any file created."""
    from shenpi.app.snapshots import KnownIds
    from shenpi.demo import demo_seed
    from shenpi.seed import SeedSyntaxError, format_problems, read_seed_source, source_problems
    from shenpi.seed.check import with_seed

    try:
        source = read_seed_source(path)
    except SeedSyntaxError as e:
        return [str(e)]
    except OSError as e:
        return [f"{path}: cannot read the seed file: {e.strerror or e}"]
    known = asyncio.run(_known_ids(db)) if db else KnownIds()
    if known is not None and demo:
        known = with_seed(known, demo_seed())
    return format_problems(source, source_problems(source, known))


async def _known_ids(db: str) -> KnownIds | None:
    """The ids an existing database holds; an empty set for one that does not exist yet (it is not created), None
    when it cannot be read here (starting the server reports that; applying the seed checks the references)."""
    from shenpi.app import Shenpi
    from shenpi.app.snapshots import KnownIds
    from shenpi.store import open_store
    from shenpi.store.sqlite import sqlite_path

    if db.startswith("sqlite:"):
        file = sqlite_path(db)
        if file.startswith(":memory:") or not os.path.exists(file):
            return KnownIds()
    try:
        svc = Shenpi(open_store(db))
        await svc.open()
    except Exception:  # noqa: BLE001 - whatever stops us reading it stops the server too, which says why
        return None
    try:
        return await svc.snapshots.known_ids()
    finally:
        await svc.close()


async def _apply_in_memory(path: str, demo: bool) -> list[str]:
    """Apply the file to an empty in-memory store: what only writing it finds (nothing should, once checked)."""
    from shenpi.app import Shenpi
    from shenpi.demo import demo_seed
    from shenpi.seed import SeedError, apply_seed, load_seed
    from shenpi.store import open_store

    svc = Shenpi(open_store("sqlite:///:memory:"))
    await svc.open()
    try:
        for seed in ([demo_seed()] if demo else []) + [load_seed(path)]:
            await apply_seed(svc, seed)
    except SeedError as e:
        return [f"{path}: {line}" for line in str(e).splitlines()]
    finally:
        await svc.close()
    return []
