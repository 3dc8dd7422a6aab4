"""The ``shenpi`` command: serve, and the operator's tools around the store."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

import click

from shenpi import __version__


def build_app_from_env() -> Any:
    """The ASGI app as configured by SHENPI_* variables (how ``--workers`` hands settings to each worker)."""
    from shenpi.api.app import ShenpiApp
    from shenpi.demo import demo_seed
    from shenpi.seed import apply_seed, load_seed
    from shenpi.services import Shenpi
    from shenpi.store import open_store

    db = os.environ.get("SHENPI_DB", "sqlite:///shenpi.db")
    seed_path = os.environ.get("SHENPI_SEED", "")
    demo = os.environ.get("SHENPI_DEMO") == "1"
    scale = float(os.environ.get("SHENPI_RATE_LIMIT_SCALE", "1"))
    admin_token = os.environ.get("SHENPI_ADMIN_TOKEN", "") or ("demo" if demo else "")
    svc = Shenpi(open_store(db), rate_limit_scale=scale)

    async def startup(s: Shenpi) -> None:
        if demo:
            await apply_seed(s, demo_seed())
        if seed_path:
            await apply_seed(s, load_seed(seed_path))

    return ShenpiApp(svc, on_startup=startup, admin_token=admin_token)


def _demo_banner(host: str, port: int) -> str:
    from shenpi.demo import DEMO_APP_ID, DEMO_APP_SECRET

    base = f"http://{host}:{port}"
    return f"""
shenpi demo is serving on {base}
  app_id:     {DEMO_APP_ID}
  app_secret: {DEMO_APP_SECRET}
  tenant:     demo (users alice, bob, carol, dana, admin; password = user id)
  approvals:  DEMO-LEAVE (manager approves), DEMO-EXPENSE (team lead, then finance)

  import lark_oapi as lark
  from lark_oapi.api.approval.v4 import GetApprovalRequest
  client = (lark.Client.builder().app_id("{DEMO_APP_ID}").app_secret("{DEMO_APP_SECRET}")
            .domain("{base}").build())
  resp = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("DEMO-LEAVE").build())
  print(resp.code, resp.data.approval_name)
"""


@click.group()
@click.version_option(__version__, prog_name="shenpi")
def main() -> None:
    """shenpi (审批): a self-hosted approval engine that speaks Feishu's approval API."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--db", default="sqlite:///shenpi.db", show_default=True, help="sqlite:///path or postgresql://...")
@click.option("--seed", "seed_path", default="", help="a seed file (YAML or JSON) applied at start")
@click.option("--demo", is_flag=True, help="start with built-in demo data and print how to call it")
@click.option("--rate-limit-scale", default=1.0, show_default=True, type=float,
              help="multiply every rate limit; 0 turns them off")
@click.option("--workers", default=1, show_default=True, type=int)
@click.option("--admin-token", default="", envvar="SHENPI_ADMIN_TOKEN",
              help="enable the /_shenpi/ admin API behind this bearer token (--demo enables it as 'demo')")
@click.option("--log-level", default="warning", show_default=True)
def serve(host: str, port: int, db: str, seed_path: str, demo: bool, rate_limit_scale: float, workers: int,
          admin_token: str, log_level: str) -> None:
    """Run the server."""
    import uvicorn

    os.environ.update({
        "SHENPI_DB": db, "SHENPI_SEED": os.path.abspath(seed_path) if seed_path else "",
        "SHENPI_DEMO": "1" if demo else "0", "SHENPI_RATE_LIMIT_SCALE": str(rate_limit_scale),
        "SHENPI_ADMIN_TOKEN": admin_token,
    })
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if demo:
        click.echo(_demo_banner(host, port))
    uvicorn.run("shenpi.cli:build_app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, access_log=False, server_header=False, date_header=True)


@main.command("check-seed")
@click.argument("path")
def check_seed(path: str) -> None:
    """Validate a seed file by applying it to an in-memory store."""
    from shenpi.seed import SeedError, apply_seed, load_seed
    from shenpi.services import Shenpi
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


from shenpi.cli_tokens import token as _token_commands  # noqa: E402  (registered last, beside the core commands)

main.add_command(_token_commands)
