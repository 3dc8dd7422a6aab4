"""Notifications to people: what a change tells whom, written in the change's own transaction; the bell's list;
each person's mail preferences; and the mail worker's storage (shenpi/events/mail.py declares what it needs).

Who is told what is derived here from the engine's Transition (its new tasks, timeline entries and domain events),
never in the engine: the engine says what changed, the application decides who hears of it. The rows are written
by the same transaction that saves the change (instances.py hands :func:`for_transition`'s to ``save_transition``,
comments.py calls :func:`write_for_comment`), so a committed change always has its notifications and a rolled-back
one never does.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shenpi.app.context import Context
from shenpi.engine.directory import Directory
from shenpi.engine.model import PENDING, START_NODE, Aggregate, Definition, Instance
from shenpi.engine.transition import Transition
from shenpi.store.base import Tx
from shenpi.store.notifications import (
    MAIL_DIGEST,
    MAIL_NONE,
    MAIL_PENDING,
    MailPrefs,
    Notification,
)

__all__ = ["KINDS", "MODES", "MailPrefs", "Notification", "Notifications", "Recipient", "for_transition",
           "write_for_comment", "write_reminders"]

ASSIGNED, TRANSFERRED, APPROVED, REJECTED, SENT_BACK = "assigned", "transferred", "approved", "rejected", "sent_back"
CC, MENTIONED, COMMENTED, REMINDED = "cc", "mentioned", "commented", "reminded"
KINDS = (ASSIGNED, TRANSFERRED, APPROVED, REJECTED, SENT_BACK, CC, MENTIONED, COMMENTED, REMINDED)
IMMEDIATE, DIGEST, OFF = "immediate", "digest", "off"
MODES = (IMMEDIATE, DIGEST, OFF)
DEFAULT_TIME_ZONE = "Asia/Shanghai"  # a tenant that set none: where Feishu's own tenants mostly are
DEFAULT_DIGEST_AT = "09:00"
DEFAULT_LANGUAGE = "zh"
_SUMMARY_FIELDS = 4  # form values a notification carries for its summary


@dataclass(slots=True)
class Recipient:
    """Where a person's mail goes, and how it is written for them."""

    email: str
    name: str
    language: str  # zh | en


def time_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def next_digest_ms(now_ms: int, digest_at: str, zone: str) -> int:
    """The first ``digest_at`` (HH:MM) in ``zone`` after ``now_ms``."""
    tz = time_zone(zone)
    local = datetime.fromtimestamp(now_ms / 1000, tz)
    hour, _, minute = (digest_at or DEFAULT_DIGEST_AT).partition(":")
    at = local.replace(hour=int(hour), minute=int(minute or 0), second=0, microsecond=0)
    if at <= local:
        at = (at + timedelta(days=1)).replace(hour=int(hour), minute=int(minute or 0))
    return int(at.timestamp() * 1000)


def effective(prefs: dict[str, MailPrefs], user_id: str) -> MailPrefs:
    """A person's preferences with the tenant's defaults (and shenpi's) filled in."""
    own, tenant = prefs.get(user_id, MailPrefs()), prefs.get("", MailPrefs())
    return MailPrefs(kinds={k: own.kinds.get(k) or tenant.kinds.get(k) or IMMEDIATE for k in KINDS},
                     digest_at=own.digest_at or tenant.digest_at or DEFAULT_DIGEST_AT,
                     time_zone=own.time_zone or tenant.time_zone or DEFAULT_TIME_ZONE,
                     language=own.language or tenant.language or DEFAULT_LANGUAGE)


# -- what a change tells whom ---------------------------------------------------------------------------------
def _value_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return " – ".join(str(v) for v in value.values() if v not in ("", None))
    return "" if value is None else str(value)


def payload(definition: Definition, inst: Instance, directory: Directory, actor_id: str = "",
            comment: str = "") -> dict[str, Any]:
    """What the inbox and the mail show of the request: its names in both languages, submitter, serial, a summary."""
    widgets = {w.id: w for w in definition.widgets}
    summary: list[dict[str, str]] = []
    for entry in inst.form:
        text = _value_text(entry.get("value"))[:200]
        w = widgets.get(str(entry.get("id", "")))
        if text and w is not None and len(summary) < _SUMMARY_FIELDS:
            summary.append({"zh": definition.text(w.name, "zh-CN"), "en": definition.text(w.name, "en-US"),
                            "value": text})
    submitter, actor = directory.user(inst.user_id), directory.user(actor_id)
    names = {lang: inst.title or definition.text(definition.name, locale)
             for lang, locale in (("zh", "zh-CN"), ("en", "en-US"))}
    return {"title": names, "approval_code": inst.approval_code, "serial": inst.serial_number,
            "submitter": submitter.name if submitter else inst.user_id,
            "actor": actor.name if actor else actor_id, "comment": comment[:500], "summary": summary}


def _told(agg: Aggregate, tr: Transition) -> list[tuple[str, str]]:
    """(recipient, kind) for every person a transition tells something, in order, each once."""
    inst, told = agg.instance, []
    actor = tr.timeline[0].user_id if tr.timeline else ""
    task_kind = TRANSFERRED if any(e.type == "TRANSFER" for e in tr.timeline) else ASSIGNED
    opened = [t for t in tr.new_tasks if t.status == PENDING]
    opened += [t for t in tr.changed_tasks.values() if t.status == PENDING]
    for t in opened:
        if t.node_key == START_NODE:  # a rejection or a rollback handed the request back to its submitter
            told.append((t.user_id, SENT_BACK))
        elif t.user_id and t.user_id != actor:
            told.append((t.user_id, task_kind))
    for e in tr.events:
        if e.kind == "cc" and e.status == "CREATE" and e.user_id and e.user_id != actor:
            told.append((e.user_id, CC))
        elif e.kind == "instance" and e.status in ("APPROVED", "REJECTED"):
            told.append((inst.user_id, APPROVED if e.status == "APPROVED" else REJECTED))
    seen: set[tuple[str, str]] = set()
    return [x for x in told if x[0] and not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


async def _notes(tx: Tx, directory: Directory, told: Sequence[tuple[str, str]], inst: Instance, actor_id: str,
                 body: dict[str, Any], now: int, *, mail: bool, dedupe: str | None = None) -> list[Notification]:
    """One notification per (recipient, kind), its mail state decided by the recipient's preferences."""
    if not told:
        return []
    # the preferences decide only the mail: a server that sends none spares the change this read
    prefs = await tx.mail_prefs(inst.tenant_key, [u for u, _ in told]) if mail else {}
    notes = []
    for user_id, kind in told:
        mine, user = effective(prefs, user_id), directory.user(user_id)
        mode = mine.kinds[kind] if mail and user is not None and user.email else OFF
        state, due = MAIL_NONE, 0
        if mode == IMMEDIATE:
            state, due = MAIL_PENDING, now
        elif mode == DIGEST:
            state, due = MAIL_DIGEST, next_digest_ms(now, mine.digest_at, mine.time_zone)
        notes.append(Notification(tenant_key=inst.tenant_key, user_id=user_id, kind=kind, instance_code=inst.code,
                                  actor_id=actor_id, payload=body, created_at=now, mail_state=state, mail_next_at=due,
                                  dedupe_key=dedupe))
    return notes


async def _write(tx: Tx, directory: Directory, told: Sequence[tuple[str, str]], inst: Instance, actor_id: str,
                 body: dict[str, Any], now: int, *, mail: bool, dedupe: str | None = None) -> int:
    """Insert one notification per (recipient, kind); how many were new."""
    notes = await _notes(tx, directory, told, inst, actor_id, body, now, mail=mail, dedupe=dedupe)
    return await tx.insert_notifications(notes) if notes else 0


async def for_transition(tx: Tx, agg: Aggregate, tr: Transition, directory: Directory, *,
                         mail: bool) -> list[Notification]:
    """The notifications a transition makes (``mail``: queued as mail too, as the recipients' preferences say),
    for ``save_transition`` to write with it."""
    told = _told(agg, tr)
    if not told:
        return []
    actor = tr.timeline[0].user_id if tr.timeline else ""
    comment = next((e.comment for e in tr.timeline if e.comment), "")
    return await _notes(tx, directory, told, agg.instance, actor,
                        payload(agg.definition, agg.instance, directory, actor, comment), tr.now, mail=mail)


async def write_for_comment(tx: Tx, directory: Directory, definition: Definition, inst: Instance, commenter: str,
                            content: str, mentioned: Sequence[str], now: int, *, mail: bool) -> int:
    """A new comment: each person @-mentioned, and the submitter (when someone else commented)."""
    told = [(u, MENTIONED) for u in dict.fromkeys(mentioned) if u and u != commenter]
    if inst.user_id != commenter and all(u != inst.user_id for u, _ in told):
        told.append((inst.user_id, COMMENTED))
    return await _write(tx, directory, told, inst, commenter, payload(definition, inst, directory, commenter, content),
                        now, mail=mail)


async def write_reminders(tx: Tx, directory: Directory, definition: Definition, inst: Instance, actor: str,
                          user_ids: Sequence[str], now: int, comment: str = "", *, mail: bool,
                          dedupe: str | None = None) -> int:
    """Remind ``user_ids`` of their pending tasks on ``inst`` (催办, or the definition's timer when ``dedupe``)."""
    return await _write(tx, directory, [(u, REMINDED) for u in dict.fromkeys(user_ids)], inst, actor,
                        payload(definition, inst, directory, actor, comment), now, mail=mail, dedupe=dedupe)


class Notifications:
    def __init__(self, ctx: Context, lease_ms: int = 10_000) -> None:
        self._ctx = ctx
        self.lease_ms = lease_ms  # the server sets it from --event-lease

    def send_mail(self, on: bool) -> None:
        """Queue notifications as mail from now on (the server has an SMTP server), or not."""
        self._ctx.mail = on

    # -- the bell -----------------------------------------------------------------------------------------
    async def list(self, tenant_key: str, user_id: str, *, offset: int = 0,
                   limit: int = 20) -> tuple[builtins.list[Notification], int, int]:
        """One page of a person's notifications, newest first, with their total and unread counts."""
        async with self._ctx.store.transaction() as tx:
            items = await tx.list_notifications(tenant_key, user_id, offset=offset, limit=limit)
            total = await tx.count_notifications(tenant_key, user_id)
            unread = await tx.count_notifications(tenant_key, user_id, unread=True)
        return items, total, unread

    async def unread(self, tenant_key: str, user_id: str) -> int:
        async with self._ctx.store.transaction() as tx:
            return await tx.count_notifications(tenant_key, user_id, unread=True)

    async def mark_read(self, tenant_key: str, user_id: str, ids: Sequence[int] | None = None) -> int:
        """Mark the person's notifications ``ids`` read (None: all of them); how many were unread."""
        async with self._ctx.store.transaction() as tx:
            return await tx.mark_notifications_read(tenant_key, user_id, ids, self._ctx.clock.now_ms())

    async def open(self, tenant_key: str, user_id: str, note_id: int) -> Notification | None:
        """The person's notification ``note_id``, marked read (it is being opened); None when not theirs."""
        async with self._ctx.store.transaction() as tx:
            await tx.mark_notifications_read(tenant_key, user_id, [note_id], self._ctx.clock.now_ms())
            return await tx.get_notification(tenant_key, user_id, note_id)

    # -- preferences --------------------------------------------------------------------------------------
    async def prefs(self, tenant_key: str, user_id: str) -> MailPrefs:
        """A person's preferences, the tenant's defaults filled in."""
        async with self._ctx.store.transaction() as tx:
            return effective(await tx.mail_prefs(tenant_key, [user_id]), user_id)

    async def save_prefs(self, tenant_key: str, user_id: str, prefs: MailPrefs) -> None:
        """Save a person's preferences ("" for the tenant's defaults); ValueError names what does not fit."""
        for kind, mode in prefs.kinds.items():
            if kind not in KINDS or mode not in MODES:
                raise ValueError(f"{kind}: {mode}")
        hour, _, minute = prefs.digest_at.partition(":")
        if prefs.digest_at and not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"digest_at {prefs.digest_at!r} is not HH:MM")
        if prefs.time_zone:
            try:
                ZoneInfo(prefs.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"time zone {prefs.time_zone!r} is unknown") from None
        if prefs.language not in ("", "zh", "en"):
            raise ValueError(f"language {prefs.language!r} is not zh or en")
        async with self._ctx.store.transaction() as tx:
            await tx.put_mail_prefs(tenant_key, user_id, prefs)

    async def set_reminder(self, tenant_key: str, approval_code: str, after_hours: float) -> None:
        """Remind the approver of a task of ``approval_code`` pending ``after_hours``; 0: no reminder."""
        async with self._ctx.store.transaction() as tx:
            await tx.put_reminder(tenant_key, approval_code, after_hours)

    # -- reminders ----------------------------------------------------------------------------------------
    async def remind(self, tenant_key: str, actor: str, instance_code: str, user_ids: Sequence[str],
                     comment: str = "") -> int:
        """催办: remind ``user_ids`` (approvers of pending tasks, checked by the caller) in one transaction."""
        directory = await self._ctx.registry.directory(tenant_key)
        async with self._ctx.store.transaction() as tx:
            agg = await tx.load_aggregate(tenant_key, instance_code)
            if agg is None:
                return 0
            n = await write_reminders(tx, directory, agg.definition, agg.instance, actor, user_ids,
                                      self._ctx.clock.now_ms(), comment, mail=self._ctx.mail)
        self._ctx.committed()
        return n

    async def remind_overdue(self, now_ms: int) -> int:
        """The definitions' reminder timer: each task pending past its definition's hours reminds its approver,
        once (the row's dedupe key is the task's, so two processes running the timer write it once)."""
        written = 0
        async with self._ctx.store.transaction() as tx:
            for tenant_key, task_id, user_id, instance_code in await tx.overdue_tasks(now_ms):
                inst = await tx.find_instance(tenant_key, instance_code)
                definition = await tx.get_definition(tenant_key, inst.approval_code) if inst else None
                if inst is None or definition is None:
                    continue
                # Read through this transaction: the registry may open one of its own, which on SQLite's single
                # writer would wait for this one forever.
                directory = await tx.load_directory(tenant_key)
                written += await write_reminders(tx, directory, definition, inst, "", [user_id], now_ms,
                                                 mail=self._ctx.mail, dedupe=f"remind:{task_id}")
        return written

    # -- the mail worker's storage (shenpi/events/mail.py, MailStore) --------------------------------------
    async def claim(self, now_ms: int, limit: int) -> builtins.list[builtins.list[Notification]]:
        async with self._ctx.store.transaction() as tx:
            return await tx.claim_mail(now_ms, self.lease_ms, limit)

    async def renew(self, ids: Sequence[int], lease: int, now_ms: int) -> int:
        async with self._ctx.store.transaction() as tx:
            return await tx.renew_mail(ids, lease, now_ms + self.lease_ms)

    async def sent(self, ids: Sequence[int], lease: int, now_ms: int) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.mail_sent(ids, lease, now_ms)

    async def retry(self, ids: Sequence[int], lease: int, next_at_ms: int, attempts: int, error: str) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.mail_retry(ids, lease, next_at_ms, attempts, error)

    async def dead(self, ids: Sequence[int], lease: int, attempts: int, error: str) -> bool:
        async with self._ctx.store.transaction() as tx:
            return await tx.mail_dead(ids, lease, attempts, error)

    async def recipient(self, tenant_key: str, user_id: str) -> Recipient | None:
        """Where the person's mail goes now (their address is read at send time, as an app's URL is)."""
        async with self._ctx.store.transaction() as tx:
            directory = await tx.load_directory(tenant_key)
            prefs = effective(await tx.mail_prefs(tenant_key, [user_id]), user_id)
        user = directory.user(user_id)
        return Recipient(user.email, user.name, prefs.language) if user is not None and user.email else None

    # -- operators ----------------------------------------------------------------------------------------
    async def dead_mail(self) -> builtins.list[Notification]:
        async with self._ctx.store.transaction() as tx:
            return await tx.list_mail(state="dead")

    async def replay_mail(self, ids: Sequence[int]) -> int:
        async with self._ctx.store.transaction() as tx:
            n = await tx.mail_replay(ids, self._ctx.clock.now_ms())
        self._ctx.committed()
        return n
