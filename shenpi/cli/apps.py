"""``shenpi app``: an app's event configuration, as Feishu's developer console sets it.

Setting a URL sends Feishu's ``url_verification`` handshake first and saves only when the URL echoes the
challenge (``--no-verify`` skips it, e.g. for a receiver that is not up yet). ``--mode`` chooses how events reach
the app: POSTs to its URL (``callback``) or frames over a WebSocket it opens (``long_connection``); the list and
``show`` count the long-connection clients connected to any server process on the database.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import click

from shenpi.cli.options import db_option, json_option, with_service
from shenpi.cli.output import table

if TYPE_CHECKING:
    from shenpi.app import Shenpi
    from shenpi.store.records import App


@click.group()
def app() -> None:
    """Apps: list them, show one, set their event configuration."""


def _view(a: App, connections: dict[str, int]) -> dict[str, object]:
    """An app as operators see it: everything but its secret, with how events reach it and its connected clients."""
    view = {k: v for k, v in dataclasses.asdict(a).items() if k != "app_secret"}
    return {**view, "receives_by": a.receives_by, "connections": connections.get(a.app_id, 0)}


@app.command("list")
@db_option
@json_option
def list_apps(db: str, as_json: bool) -> None:
    """Every app with its tenant, how its events reach it (the URL, or the long connection and how many clients are
    connected), and its scopes."""

    async def work(svc: Shenpi) -> tuple[list[App], dict[str, int]]:
        return await svc.people.apps(), await svc.long_connections.counts()

    apps, connections = with_service(db, work)
    if as_json:
        click.echo(json.dumps([_view(a, connections) for a in apps], ensure_ascii=False, indent=2))
        return
    click.echo(table(["APP", "TENANT", "EVENTS", "SCOPES"],
                     [[a.app_id, a.tenant_key, _events(a, connections), " ".join(a.scopes)] for a in apps]))


def _events(a: App, connections: dict[str, int]) -> str:
    """How the app's events reach it: its URL (or -), or the long connection and how many clients hold one."""
    if a.receives_by == "callback":
        return a.event_url or "-"
    return f"long connection, {connections.get(a.app_id, 0)} connected"


@app.command("show")
@click.argument("app_id")
@db_option
@json_option
def show_app(app_id: str, db: str, as_json: bool) -> None:
    """One app: its settings (not its secret), how its events reach it, and its connected clients."""

    async def work(svc: Shenpi) -> tuple[App | None, dict[str, int]]:
        return await svc.people.fresh_app(app_id), await svc.long_connections.counts()

    found, connections = with_service(db, work)
    if found is None:
        raise click.ClickException(f"no app {app_id}")
    view = _view(found, connections)
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    view["encrypt_key"] = "set" if found.encrypt_key else ""  # a key is not for the terminal's scrollback
    for key, value in view.items():
        click.echo(f"{key + ':':<20} {' '.join(map(str, value)) if isinstance(value, list) else value}")


@app.command("events")
@click.argument("app_id")
@click.option("--url", default=None, help="the request URL events are POSTed to ('' to stop pushing)")
@click.option("--verification-token", default=None)
@click.option("--encrypt-key", default=None)
@click.option("--mode", type=click.Choice(["callback", "long_connection"]), default=None,
              help="how events reach the app: POSTs to its URL, or frames over a WebSocket it opens")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="send the url_verification challenge before saving a URL")
@db_option
def set_events(app_id: str, url: str | None, verification_token: str | None, encrypt_key: str | None,
               mode: str | None, verify: bool, db: str) -> None:
    """Set APP_ID's event URL, verification token, encrypt key and mode (unchanged unless given)."""
    from shenpi.events.handshake import UrlVerificationError, verify_url

    async def work(svc: Shenpi) -> App:
        current = await svc.people.fresh_app(app_id)
        if current is None:
            raise click.ClickException(f"no app {app_id}")
        wanted = dataclasses.replace(
            current,
            event_url=current.event_url if url is None else url,
            verification_token=current.verification_token if verification_token is None else verification_token,
            encrypt_key=current.encrypt_key if encrypt_key is None else encrypt_key,
            event_mode=current.event_mode if mode is None else mode,
        )
        if verify and wanted.receives_by == "callback" and wanted.event_url and wanted.event_url != current.event_url:
            try:
                await verify_url(wanted.event_url, verification_token=wanted.verification_token,
                                 encrypt_key=wanted.encrypt_key)
            except UrlVerificationError as e:
                raise click.ClickException(f"{wanted.event_url}: {e}") from None
        updated = await svc.people.set_app_events(app_id, event_url=url, verification_token=verification_token,
                                                  encrypt_key=encrypt_key, event_mode=mode)
        if updated is None:
            raise click.ClickException(f"no app {app_id}")
        return updated

    updated = with_service(db, work)
    click.echo(f"{updated.app_id}: mode={updated.receives_by} event_url={updated.event_url or '-'} "
               f"encrypted={'yes' if updated.encrypt_key else 'no'}")


@app.command("enable")
@click.argument("app_id")
@db_option
def enable_app(app_id: str, db: str) -> None:
    """Enable APP_ID again: its users can sign in through it."""
    _set_enabled(app_id, True, db)


@app.command("disable")
@click.argument("app_id")
@db_option
def disable_app(app_id: str, db: str) -> None:
    """Disable APP_ID, as a tenant admin stops an app in Feishu's console: its user sign-in pages answer 20042."""
    _set_enabled(app_id, False, db)


def _set_enabled(app_id: str, enabled: bool, db: str) -> None:
    async def work(svc: Shenpi) -> App | None:
        return await svc.personnel.set_app_enabled(app_id, enabled)

    if with_service(db, work) is None:
        raise click.ClickException(f"no app {app_id}")
    click.echo(f"{app_id} is {'enabled' if enabled else 'disabled'}")
