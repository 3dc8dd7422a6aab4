"""``shenpi token``: mint access tokens straight from the store, for tests and scripts."""

from __future__ import annotations

import asyncio
import sys

import click


@click.group()
def token() -> None:
    """Print access tokens (user, tenant) for an app."""


async def _issue(db: str, app_id: str, kind: str, user_id: str) -> str:
    from shenpi.services import Shenpi
    from shenpi.store import open_store

    svc = Shenpi(open_store(db))
    await svc.open()
    try:
        app = await svc.registry.app(app_id)
        if app is None:
            raise click.ClickException(f"no app {app_id}")
        if kind == "user" and (await svc.directory(app.tenant_key)).user(user_id) is None:
            raise click.ClickException(f"no user {user_id} in tenant {app.tenant_key}")
        return (await svc.tokens.issue(app, kind, user_id)).token
    finally:
        await svc.close()


@token.command("user")
@click.argument("user_id")
@click.option("--app", "app_id", required=True, help="the app the token is for")
@click.option("--db", default="sqlite:///shenpi.db", show_default=True)
def user_token(user_id: str, app_id: str, db: str) -> None:
    """A user_access_token (u-…) of USER_ID for the user-token APIs; valid 2 hours."""
    click.echo(asyncio.run(_issue(db, app_id, "user", user_id)))


@token.command("tenant")
@click.option("--app", "app_id", required=True)
@click.option("--db", default="sqlite:///shenpi.db", show_default=True)
def tenant_token(app_id: str, db: str) -> None:
    """The app's tenant_access_token (t-…)."""
    click.echo(asyncio.run(_issue(db, app_id, "tenant", "")))


if __name__ == "__main__":  # pragma: no cover
    token(sys.argv[1:])
