"""``shenpi export`` and ``shenpi import``: the whole state as one JSON snapshot, and back."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from shenpi.cli.options import db_option, json_option, with_service
from shenpi.cli.output import emit

if TYPE_CHECKING:
    from shenpi.app import Shenpi


@click.command("export")
@db_option
@click.option("-o", "--output", default="-", show_default=True, help="file to write ('-' for stdout)")
@click.option("--include-secrets", is_flag=True,
              help="keep app secrets, event keys, password hashes and issued tokens (left out by default)")
def export_cmd(db: str, output: str, include_secrets: bool) -> None:
    """Write the whole state as a JSON snapshot (which `import` accepts, and `serve --seed` when it has secrets).
    Without --include-secrets, importing it keeps the secrets the target database holds for the same apps/users."""

    async def work(svc: Shenpi) -> dict[str, Any]:
        return await svc.snapshots.export(include_secrets=include_secrets)

    snapshot = with_service(db, work)
    text = json.dumps(snapshot, ensure_ascii=False, indent=2)
    if output == "-":
        click.echo(text)
    else:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        tables = snapshot["shenpi_snapshot"]["tables"]
        click.echo(f"wrote {output}: {sum(len(t['rows']) for t in tables.values())} rows in {len(tables)} tables",
                   err=True)


@click.command("import")
@click.argument("path")
@db_option
@json_option
def import_cmd(path: str, db: str, as_json: bool) -> None:
    """Replace the whole state with a snapshot from `export` (PATH, or '-' for stdin)."""
    from shenpi.app.snapshots import SnapshotError

    try:
        text = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        snapshot = json.loads(text)
    except (OSError, ValueError) as e:
        raise click.ClickException(f"cannot read {path}: {e}") from None

    async def work(svc: Shenpi) -> dict[str, Any]:
        return await svc.snapshots.import_snapshot(snapshot)

    try:
        result = with_service(db, work, must_exist=False)
    except SnapshotError as e:
        raise click.ClickException(f"cannot import {path}: {e}") from None
    written = result["tables"]
    emit(as_json, result, f"imported {sum(written.values())} rows into {len(written)} tables")
