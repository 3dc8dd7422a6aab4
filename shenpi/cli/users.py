"""``shenpi user``: the operator's tools for directory users: list and add them, set their state (a user who leaves
hands their open tasks to someone), import a CSV, make admins, and set web passwords."""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

import click

from shenpi.cli.options import db_option, json_option, with_service
from shenpi.cli.output import table
from shenpi.engine.directory import USER_STATUSES

if TYPE_CHECKING:
    from shenpi.app import Shenpi
    from shenpi.app.personnel import StatusChange
    from shenpi.engine.directory import User

T = TypeVar("T")


@click.group()
def user() -> None:
    """Directory users: list, add, state, import, admins, web passwords."""


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


def _run_people(db: str, work: Callable[[Shenpi], Awaitable[T]]) -> T:
    """with_service, a refused change (PeopleInvalid) printed as one line and exit 1."""
    from shenpi.app.personnel import PeopleInvalid

    async def guarded(svc: Shenpi) -> T:
        try:
            return await work(svc)
        except PeopleInvalid as e:
            raise click.ClickException(str(e)) from None

    return with_service(db, guarded)


@user.command("list")
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@db_option
@json_option
def list_users(tenant_key: str, db: str, as_json: bool) -> None:
    """The tenant's users: id, name, state, departments and supervisor."""

    async def work(svc: Shenpi) -> list[User]:
        return list((await svc.directory(tenant_key)).users.values())

    found = with_service(db, work)
    if as_json:
        click.echo(json.dumps([{"user_id": u.user_id, "name": u.name, "email": u.email, "status": u.status,
                                "department_ids": u.department_ids, "leader_user_id": u.leader_user_id}
                               for u in found], ensure_ascii=False, indent=2))
        return
    click.echo(table(["USER", "NAME", "STATUS", "DEPARTMENTS", "SUPERVISOR"],
                     [[u.user_id, u.name, u.status, " ".join(u.department_ids), u.leader_user_id or "-"]
                      for u in found]))


@user.command("add")
@click.argument("user_id")
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@click.option("--name", required=True)
@click.option("--email", default="")
@click.option("--department", "departments", multiple=True, help="a department id (repeat for several)")
@click.option("--supervisor", default="", help="the user id of their supervisor")
@db_option
def add_user(user_id: str, tenant_key: str, name: str, email: str, departments: tuple[str, ...], supervisor: str,
             db: str) -> None:
    """Add USER_ID to the tenant's directory (active; set a password with set-password)."""
    from shenpi.app.personnel import UserDraft

    async def work(svc: Shenpi) -> User:
        return await svc.personnel.add_user(tenant_key, UserDraft(user_id, name, email, list(departments), supervisor))

    added = _run_people(db, work)
    click.echo(f"added {added.user_id} ({added.open_id}) to tenant {tenant_key}")


@user.command("status")
@click.argument("user_id")
@click.argument("status", type=click.Choice(list(USER_STATUSES)))
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@click.option("--transfer-to", default="", help="who takes over the user's open tasks (required when they have any)")
@db_option
def set_status(user_id: str, status: str, tenant_key: str, transfer_to: str, db: str) -> None:
    """Set USER_ID's state: active, frozen, resigned or unactivated. A user who stops being active hands their open
    tasks to --transfer-to, in the same transaction."""

    async def work(svc: Shenpi) -> StatusChange:
        return await svc.personnel.set_status(tenant_key, user_id, status, transfer_to=transfer_to)

    change = _run_people(db, work)
    moved = f"; {len(change.transferred)} open task(s) transferred to {transfer_to}" if change.transferred else ""
    click.echo(f"{user_id} is {change.user.status}{moved}")


@user.command("import")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@db_option
def import_users(csv_file: TextIO, tenant_key: str, db: str) -> None:
    """Add the users of CSV_FILE (columns user_id, name, and optionally email, department_ids separated by ';',
    leader_user_id): all of them, or none when a row is wrong."""
    text = csv_file.read()

    async def work(svc: Shenpi) -> list[User]:
        return await svc.personnel.import_csv(tenant_key, text)

    click.echo(f"added {len(_run_people(db, work))} user(s) to tenant {tenant_key}")


@user.command("admin")
@click.argument("user_id")
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@click.option("--revoke", is_flag=True, help="stop USER_ID being an admin")
@db_option
def set_admin(user_id: str, tenant_key: str, revoke: bool, db: str) -> None:
    """Make USER_ID an admin of the tenant's web admin pages (or, with --revoke, no longer one)."""

    async def work(svc: Shenpi) -> None:
        await svc.personnel.set_admin(tenant_key, user_id, not revoke)

    _run_people(db, work)
    click.echo(f"{user_id} is {'no longer ' if revoke else ''}an admin of tenant {tenant_key}")
