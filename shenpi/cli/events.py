"""``shenpi events``: the outbox (events the engine recorded) and their deliveries to subscribed apps."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from shenpi.cli.options import db_option, json_option, with_service
from shenpi.cli.output import emit, table, when

if TYPE_CHECKING:
    from shenpi.app import Shenpi


@click.group()
def events() -> None:
    """The outbox: events the engine recorded for delivery."""


@events.command("list")
@db_option
@click.option("--tenant", default=None, help="one tenant (default: all)")
@click.option("--instance", "instance_code", default=None, help="only this instance's events")
@click.option("--after", "after_id", default=0, show_default=True, type=click.IntRange(0), help="ids above this")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@json_option
def list_events(db: str, tenant: str | None, instance_code: str | None, after_id: int, limit: int,
                as_json: bool) -> None:
    """Outbox events, oldest first."""

    async def work(svc: Shenpi) -> list[dict[str, Any]]:
        return await svc.deliveries.outbox(tenant_key=tenant, instance_code=instance_code, after_id=after_id,
                                           limit=limit)

    items = with_service(db, work)
    emit(as_json, items, table(
        ["ID", "TENANT", "KIND", "STATUS", "INSTANCE", "TASK", "USER", "CREATED", "REDELIVER"],
        [[e["id"], e["tenant_key"], e["kind"], e["status"], e["instance_code"], e["payload"].get("task_id") or "-",
          e["payload"].get("user_id") or "-", when(e["created_at"]),
          when(e["redeliver_requested_at"]) if e["redeliver_requested_at"] else "-"] for e in items]))


@events.command("redeliver")
@click.argument("ids", nargs=-1, required=True, type=int)
@db_option
@click.option("--tenant", default=None, help="refuse ids of other tenants")
@json_option
def redeliver(ids: tuple[int, ...], db: str, tenant: str | None, as_json: bool) -> None:
    """Mark outbox events for delivery again (the delivery worker sends them with their original event id)."""

    async def work(svc: Shenpi) -> list[int]:
        return await svc.deliveries.request_redelivery(ids, tenant_key=tenant)

    marked = with_service(db, work)
    unknown = [i for i in ids if i not in marked]
    emit(as_json, {"marked": marked, "unknown": unknown},
         f"marked for redelivery: {', '.join(map(str, marked)) or 'none'}"
         + (f"\nno such event: {', '.join(map(str, unknown))}" if unknown else ""))
    if unknown:
        sys.exit(1)


@events.command("deliveries")
@db_option
@click.option("--state", type=click.Choice(["pending", "delivered", "dead"]), default=None,
              help="e.g. dead: the dead-letter list")
@click.option("--app", "app_id", default="", help="one app")
@json_option
def list_deliveries(db: str, state: str | None, app_id: str, as_json: bool) -> None:
    """Each event's delivery to each subscribed app: attempts, next try, last error."""

    async def work(svc: Shenpi) -> list[dict[str, Any]]:
        return await svc.deliveries.overview(state=state or "", app_id=app_id)

    items = with_service(db, work)
    emit(as_json, items, table(
        ["ID", "APP", "EVENT TYPE", "OUTBOX", "STATE", "ATTEMPTS", "LAST ERROR"],
        [[d["id"], d["app_id"], d["event_type"], d["outbox_id"], d["state"], d["attempts"],
          (d["last_error"] or "-")[:60]] for d in items]))


@events.command("replay")
@click.argument("ids", nargs=-1, required=True, type=int)
@db_option
def replay(ids: tuple[int, ...], db: str) -> None:
    """Put dead-lettered deliveries back in the queue, due now (a running server sends them at its next poll)."""

    async def work(svc: Shenpi) -> list[int]:
        return await svc.deliveries.replay_dead(ids)

    replayed = with_service(db, work)
    click.echo(f"replayed: {', '.join(map(str, replayed)) or 'none'}")
    if len(replayed) != len(ids):
        click.echo(f"not dead letters: {', '.join(str(i) for i in ids if i not in replayed)}", err=True)
        sys.exit(1)
