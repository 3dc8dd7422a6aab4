"""``shenpi notifications``: a tenant's notification defaults, a definition's reminder timer, and the mail that
could not be sent (listed, and sent again)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from shenpi.cli.options import db_option, with_service

if TYPE_CHECKING:
    from shenpi.app import Shenpi


@click.group()
def notifications() -> None:
    """Notification defaults, reminders and undelivered mail."""


@notifications.command("defaults")
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@click.option("--time-zone", default="", help="the tenant's time zone for daily digests (IANA name, e.g. Asia/Shanghai)")
@click.option("--language", default="", type=click.Choice(["", "zh", "en"]), help="the mails' language (zh or en)")
@click.option("--digest-at", default="", help="when daily digests go out, HH:MM in the time zone (default 09:00)")
@db_option
def defaults(tenant_key: str, time_zone: str, language: str, digest_at: str, db: str) -> None:
    """Set the tenant's defaults, which each person's own settings override."""
    from shenpi.app.notifications import MailPrefs

    async def work(svc: Shenpi) -> None:
        try:
            await svc.notifications.save_prefs(tenant_key, "", MailPrefs(digest_at=digest_at, time_zone=time_zone,
                                                                         language=language))
        except ValueError as e:
            raise click.BadParameter(str(e)) from None

    with_service(db, work)
    click.echo(f"notification defaults set for tenant {tenant_key}")


@notifications.command("reminder")
@click.option("--tenant", "tenant_key", required=True, help="the tenant_key")
@click.option("--approval", "approval_code", required=True, help="the definition's approval_code")
@click.option("--after-hours", required=True, type=click.FloatRange(min=0),
              help="remind a task's approver once it has been pending this long; 0 turns the reminder off")
@db_option
def reminder(tenant_key: str, approval_code: str, after_hours: float, db: str) -> None:
    """Remind approvers of the definition's tasks left pending (once per task, in the bell and by mail)."""
    async def work(svc: Shenpi) -> None:
        await svc.notifications.set_reminder(tenant_key, approval_code, after_hours)

    with_service(db, work)
    click.echo(f"{approval_code}: " + (f"reminder after {after_hours:g} h" if after_hours else "no reminder"))


@notifications.command("dead-mail")
@db_option
def dead_mail(db: str) -> None:
    """Mail that failed every retry: id, recipient, kind, last error."""
    async def work(svc: Shenpi) -> list[str]:
        return [f"{n.id}\t{n.tenant_key}/{n.user_id}\t{n.kind}\t{n.mail_error}" for n in await svc.notifications.dead_mail()]

    for line in with_service(db, work):
        click.echo(line)


@notifications.command("replay-mail")
@click.argument("ids", nargs=-1, type=int, required=True)
@db_option
def replay_mail(ids: tuple[int, ...], db: str) -> None:
    """Send dead mail IDS again (due at once, with a fresh retry schedule)."""
    async def work(svc: Shenpi) -> int:
        return await svc.notifications.replay_mail(list(ids))

    click.echo(f"{with_service(db, work)} mail(s) queued again")
