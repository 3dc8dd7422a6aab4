"""``shenpi app``: an app's event configuration, as Feishu's developer console sets it.

Setting a URL sends Feishu's ``url_verification`` handshake first and saves only when the URL echoes the
challenge (``--no-verify`` skips it, e.g. for a receiver that is not up yet).
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
    """Apps: list them, set their event configuration."""


@app.command("list")
@db_option
@json_option
def list_apps(db: str, as_json: bool) -> None:
    """Every app with its tenant, scopes and event URL."""

    async def work(svc: Shenpi) -> list[App]:
        return await svc.people.apps()

    apps = with_service(db, work)
    if as_json:
        click.echo(json.dumps([{k: v for k, v in dataclasses.asdict(a).items() if k != "app_secret"} for a in apps],
                              ensure_ascii=False, indent=2))
        return
    click.echo(table(["APP", "TENANT", "EVENT URL", "SCOPES"],
                     [[a.app_id, a.tenant_key, a.event_url or "-", " ".join(a.scopes)] for a in apps]))


@app.command("events")
@click.argument("app_id")
@click.option("--url", default=None, help="the request URL events are POSTed to ('' to stop pushing)")
@click.option("--verification-token", default=None)
@click.option("--encrypt-key", default=None)
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="send the url_verification challenge before saving a URL")
@db_option
def set_events(app_id: str, url: str | None, verification_token: str | None, encrypt_key: str | None, verify: bool,
               db: str) -> None:
    """Set APP_ID's event URL, verification token and encrypt key (unchanged unless given)."""
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
        )
        if verify and wanted.event_url and wanted.event_url != current.event_url:
            try:
                await verify_url(wanted.event_url, verification_token=wanted.verification_token,
                                 encrypt_key=wanted.encrypt_key)
            except UrlVerificationError as e:
                raise click.ClickException(f"{wanted.event_url}: {e}") from None
        updated = await svc.people.set_app_events(app_id, event_url=url, verification_token=verification_token,
                                                  encrypt_key=encrypt_key)
        if updated is None:
            raise click.ClickException(f"no app {app_id}")
        return updated

    updated = with_service(db, work)
    click.echo(f"{updated.app_id}: event_url={updated.event_url or '-'} "
               f"encrypted={'yes' if updated.encrypt_key else 'no'}")
