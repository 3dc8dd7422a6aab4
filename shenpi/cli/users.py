"""``shenpi user``: the operator's tools for directory users (passwords for the web inbox)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from shenpi.cli.options import db_option, with_service

if TYPE_CHECKING:
    from shenpi.app import Shenpi


@click.group()
def user() -> None:
    """Manage directory users' web sign-in."""


def _set_password(db: str, tenant_key: str, user_id: str, password: str) -> None:
    async def work(svc: Shenpi) -> None:
        if not await svc.people.set_password(tenant_key, user_id, password):
            raise click.ClickException(f"no user {user_id} in tenant {tenant_key}")

    with_service(db, work)


@user.command("set-password")
@click.argument("user_id")
@click.option("--tenant", "tenant_key", required=True, help="the user's tenant_key")
@db_option
@click.option("--password-stdin", is_flag=True, help="read the password from the first line of standard input")
def set_password(user_id: str, tenant_key: str, db: str, password_stdin: bool) -> None:
    """Set USER_ID's password for the web inbox (stored as an argon2id hash). Asks for it twice unless
    --password-stdin is given; never takes it as an argument, where it would land in the shell history."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise click.ClickException("the password is empty")
    _set_password(db, tenant_key, user_id, password)
    click.echo(f"password set for {user_id} in tenant {tenant_key}")
