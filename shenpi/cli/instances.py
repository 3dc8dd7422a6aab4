"""``shenpi instances`` and ``shenpi tasks``: read approval instances and tasks straight from the store."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING

import click
import msgspec

from shenpi.app import SearchFilter
from shenpi.cli.options import db_option, json_option, tenant_keys, with_service
from shenpi.cli.output import emit, form_values, table, when

if TYPE_CHECKING:
    from shenpi.app import Shenpi
    from shenpi.app.instances import InstanceView
    from shenpi.engine.model import Instance, Task

tenant_option = click.option("--tenant", default=None, help="one tenant (default: all)")
limit_option = click.option("--limit", default=50, show_default=True, type=click.IntRange(1))


def instance_fields(inst: Instance) -> dict[str, object]:
    """The instance's fields for --json, less the store's copy of the form's JSON (rows.form_json)."""
    fields = asdict(inst)
    del fields["form_json"]
    return fields


@click.group()
def instances() -> None:
    """Approval instances in the store."""


@instances.command("list")
@db_option
@tenant_option
@click.option("--approval", "approval_code", default="", help="only this approval_code")
@click.option("--status", "statuses", multiple=True, help="PENDING, APPROVED, REJECTED, CANCELED, DELETED (repeatable)")
@click.option("--user", "user_id", default="", help="only those this user (user_id) submitted")
@limit_option
@json_option
def list_instances(db: str, tenant: str | None, approval_code: str, statuses: tuple[str, ...], user_id: str,
                   limit: int, as_json: bool) -> None:
    """List instances, newest first."""

    async def work(svc: Shenpi) -> list[Instance]:
        found: list[Instance] = []
        for key in await tenant_keys(svc, tenant):
            f = SearchFilter(user_id, approval_code, statuses=tuple(s.upper() for s in statuses))
            result = await svc.search.instances(key, f, reverted=None, limit=limit)
            found.extend(result.page.items)
        return sorted(found, key=lambda i: -i.start_time)[:limit]

    items = with_service(db, work)
    emit(as_json, [instance_fields(i) for i in items], table(
        ["TENANT", "INSTANCE", "APPROVAL", "STATUS", "SUBMITTER", "SERIAL", "STARTED", "ENDED"],
        [[i.tenant_key, i.code, i.approval_code, i.status, i.user_id, i.serial_number, when(i.start_time),
          when(i.end_time)] for i in items]))


@instances.command("show")
@click.argument("instance")
@db_option
@click.option("--tenant", default=None, help="the instance's tenant (default: search all)")
@json_option
def show_instance(instance: str, db: str, tenant: str | None, as_json: bool) -> None:
    """One instance (by code or creation uuid): its tasks and timeline."""
    from shenpi.engine.errors import InstanceNotFound

    async def work(svc: Shenpi) -> InstanceView:
        for key in await tenant_keys(svc, tenant):
            try:
                return await svc.instances.get(key, instance)
            except InstanceNotFound:
                continue
        raise click.ClickException(f"no instance {instance}")

    view = with_service(db, work)
    inst, d = view.instance, view.definition
    names = {n.key: d.text(n.name) for n in d.nodes}
    data = {"instance": instance_fields(inst), "approval_name": d.text(d.name),
            "tasks": [msgspec.structs.asdict(t) for t in view.tasks],
            "timeline": [msgspec.structs.asdict(e) for e in view.timeline]}
    head = [f"instance   {inst.code}", f"tenant     {inst.tenant_key}",
            f"approval   {inst.approval_code} ({d.text(d.name)})", f"status     {inst.status}",
            f"submitter  {inst.user_id}", f"serial     {inst.serial_number}", f"uuid       {inst.uuid or '-'}",
            f"started    {when(inst.start_time)}", f"ended      {when(inst.end_time)}",
            f"form       {form_values(inst.form)}"]
    tasks = table(["TASK", "NODE", "APPROVER", "STATUS", "TYPE", "STARTED", "ENDED"],
                  [[t.id, names.get(t.node_key, t.node_key), t.user_id or "-", t.status, t.type, when(t.start_time),
                    when(t.end_time)] for t in view.tasks])
    timeline = table(["WHEN", "TYPE", "USER", "NODE", "COMMENT"],
                     [[when(e.create_time), e.type, e.user_id or "-", e.node_key or "-", e.comment]
                      for e in view.timeline])
    emit(as_json, data, "\n".join(head) + "\n\ntasks\n" + tasks + "\n\ntimeline\n" + timeline)


@click.group()
def tasks() -> None:
    """Approval tasks in the store."""


@tasks.command("list")
@click.option("--user", "user_id", required=True, help="the approver's user_id")
@db_option
@tenant_option
@click.option("--status", "statuses", multiple=True, help="PENDING, APPROVED, REJECTED, TRANSFERRED, DONE (repeatable)")
@limit_option
@json_option
def list_tasks(user_id: str, db: str, tenant: str | None, statuses: tuple[str, ...], limit: int, as_json: bool) -> None:
    """A user's tasks, newest first."""

    async def work(svc: Shenpi) -> list[tuple[Task, Instance]]:
        found: list[tuple[Task, Instance]] = []
        for key in await tenant_keys(svc, tenant):
            f = SearchFilter(user_id, statuses=tuple(s.upper() for s in statuses))
            result = await svc.search.tasks(key, f, limit=limit)
            found.extend(result.page.items)
        return sorted(found, key=lambda pair: -pair[0].start_time)[:limit]

    pairs = with_service(db, work)
    emit(as_json, [{**msgspec.structs.asdict(t), "tenant_key": i.tenant_key, "approval_code": i.approval_code,
                    "instance_status": i.status} for t, i in pairs], table(
        ["TENANT", "TASK", "INSTANCE", "APPROVAL", "NODE", "STATUS", "STARTED"],
        [[i.tenant_key, t.id, t.instance_code, i.approval_code, t.node_key, t.status, when(t.start_time)]
         for t, i in pairs]))
