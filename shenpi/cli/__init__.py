"""The ``shenpi`` command: ``serve``, and the operator's tools around a store, one module per command group."""

from __future__ import annotations

import click

from shenpi import __version__
from shenpi.cli.apps import app
from shenpi.cli.events import events
from shenpi.cli.instances import instances, tasks
from shenpi.cli.notifications import notifications
from shenpi.cli.seeds import check_seed
from shenpi.cli.serve import serve
from shenpi.cli.snapshots import export_cmd, import_cmd
from shenpi.cli.tokens import token
from shenpi.cli.users import user


@click.group()
@click.version_option(__version__, prog_name="shenpi")
def main() -> None:
    """shenpi (审批): a self-hosted approval engine that speaks Feishu's approval API."""


for command in (serve, check_seed, token, app, instances, tasks, events, export_cmd, import_cmd, user,
                notifications):
    main.add_command(command)

__all__ = ["main"]
