"""``shenpi token``: mint access tokens straight from the store, for tests and scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from shenpi.cli.options import db_option, with_service

if TYPE_CHECKING:
    from shenpi.app import Shenpi


@click.group()
def token() -> None:
    """Print access tokens (user, tenant) for an app."""


def _issue(db: str, app_id: str, kind: str, user_id: str) -> str:
    async def work(svc: Shenpi) -> str:
        app = await svc.people.app(app_id)
        if app is None:
            raise click.ClickException(f"no app {app_id}")
        if kind == "user" and (await svc.people.directory(app.tenant_key)).user(user_id) is None:
            raise click.ClickException(f"no user {user_id} in tenant {app.tenant_key}")
        return str((await svc.tokens.issue(app, kind, user_id)).token)

    return with_service(db, work)


@token.command("user")
@click.argument("user_id")
@click.option("--app", "app_id", required=True, help="the app the token is for")
@db_option
def user_token(user_id: str, app_id: str, db: str) -> None:
    """A user_access_token (u-…) of USER_ID for the user-token APIs; valid 2 hours."""
    click.echo(_issue(db, app_id, "user", user_id))


@token.command("tenant")
@click.option("--app", "app_id", required=True)
@db_option
def tenant_token(app_id: str, db: str) -> None:
    """The app's tenant_access_token (t-…)."""
    click.echo(_issue(db, app_id, "tenant", ""))
