"""Notifications to people and their mail, in SQL written once (``?`` placeholders, see shenpi/store/sql.py).

A notification row is written in the transaction of the change that causes it, so none is lost and none is written
twice. When its recipient takes mail for its kind, the row is also a mail to send: claims are leases, as for event
deliveries (shenpi/store/deliveries.py): ``mail_next_at`` is pushed forward under its current value, so when
several worker processes share a database each mail goes to exactly one of them, and a result is recorded only
under the lease it was sent under. A digest is claimed whole, per recipient, in one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shenpi.store.rows import dumps, loads
from shenpi.store.sql import SqlTx

MAIL_NONE, MAIL_PENDING, MAIL_DIGEST, MAIL_SENT, MAIL_DEAD = "none", "pending", "digest", "sent", "dead"
_MAIL_STATES = frozenset((MAIL_NONE, MAIL_PENDING, MAIL_DIGEST, MAIL_SENT, MAIL_DEAD))
_COLS = ("id, tenant_key, user_id, kind, instance_code, actor_id, payload, created_at, read_at, mail_state, "
         "mail_next_at, mail_attempts, mail_error, mailed_at")


@dataclass(slots=True)
class Notification:
    tenant_key: str
    user_id: str  # the recipient
    kind: str
    instance_code: str = ""
    actor_id: str = ""  # who caused it ("" for the reminder timer)
    payload: dict[str, Any] = field(default_factory=dict)  # what the inbox and the mail show: names, title, summary
    created_at: int = 0
    id: int = 0
    read_at: int = 0
    mail_state: str = MAIL_NONE
    mail_next_at: int = 0  # when it is due; while claimed, the lease
    mail_attempts: int = 0
    mail_error: str = ""
    mailed_at: int = 0
    dedupe_key: str | None = None  # at most one row per (recipient, key): the reminder timer's once per task


@dataclass(slots=True)
class MailPrefs:
    """A person's mail preferences (or, for user_id "", the tenant's defaults)."""

    kinds: dict[str, str] = field(default_factory=dict)  # kind -> immediate | digest | off
    digest_at: str = ""  # HH:MM in time_zone
    time_zone: str = ""
    language: str = ""  # zh | en


def _notification(r: Sequence[Any]) -> Notification:
    return Notification(id=int(r[0]), tenant_key=r[1], user_id=r[2], kind=r[3], instance_code=r[4], actor_id=r[5],
                        payload=loads(r[6]), created_at=int(r[7]), read_at=int(r[8]), mail_state=r[9],
                        mail_next_at=int(r[10]), mail_attempts=int(r[11]), mail_error=r[12], mailed_at=int(r[13]))


class NotificationMixin(SqlTx):
    async def insert_notifications(self, notes: Sequence[Notification]) -> int:
        """Write new notifications in one statement; one whose (recipient, dedupe_key) exists already is skipped.
        How many were new."""
        if not notes:
            return 0
        rows = [(n.tenant_key, n.user_id, n.kind, n.instance_code, n.actor_id, n.dedupe_key, dumps(n.payload),
                 n.created_at, n.mail_state, n.mail_next_at) for n in notes]
        # Only keyed rows can collide (the unique index holds only them): a plain INSERT spares the others
        # PostgreSQL's speculative insertion, a check of the index and a second WAL record per row.
        once = (" ON CONFLICT (tenant_key, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING"
                if any(n.dedupe_key is not None for n in notes) else "")
        return await self._execute(
            "INSERT INTO notifications (tenant_key, user_id, kind, instance_code, actor_id, dedupe_key, payload, "
            "created_at, mail_state, mail_next_at) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows)) + once, tuple(v for r in rows for v in r))

    # -- the inbox ------------------------------------------------------------------------------------------
    async def list_notifications(self, tenant_key: str, user_id: str, *, offset: int = 0,
                                 limit: int = 20) -> list[Notification]:
        return [_notification(r) for r in await self._fetch(
            f"SELECT {_COLS} FROM notifications WHERE tenant_key = ? AND user_id = ? ORDER BY id DESC LIMIT ? OFFSET ?",
            (tenant_key, user_id, limit, offset))]

    async def count_notifications(self, tenant_key: str, user_id: str, *, unread: bool = False) -> int:
        return await self._count("SELECT COUNT(*) FROM notifications WHERE tenant_key = ? AND user_id = ?"
                                 + (" AND read_at = 0" if unread else ""), (tenant_key, user_id))

    async def get_notification(self, tenant_key: str, user_id: str, note_id: int) -> Notification | None:
        r = await self._fetchone(f"SELECT {_COLS} FROM notifications WHERE id = ? AND tenant_key = ? AND user_id = ?",
                                 (note_id, tenant_key, user_id))
        return _notification(r) if r else None

    async def mark_notifications_read(self, tenant_key: str, user_id: str, ids: Sequence[int] | None,
                                      now: int) -> int:
        """Mark the recipient's notifications ``ids`` (None: all of them) read; how many were unread."""
        sql = "UPDATE notifications SET read_at = ? WHERE tenant_key = ? AND user_id = ? AND read_at = 0"
        if ids is None:
            return await self._execute(sql, (now, tenant_key, user_id))
        if not ids:
            return 0
        return await self._execute(sql + f" AND id IN ({', '.join('?' * len(ids))})", (now, tenant_key, user_id, *ids))

    # -- preferences ----------------------------------------------------------------------------------------
    async def mail_prefs(self, tenant_key: str, user_ids: Sequence[str]) -> dict[str, MailPrefs]:
        """The stored preferences of ``user_ids`` (and of "", the tenant's defaults), by user id."""
        wanted = sorted({"", *user_ids})
        found = await self._fetch(
            "SELECT user_id, kinds, digest_at, time_zone, language FROM notification_prefs WHERE tenant_key = ? "
            f"AND user_id IN ({', '.join('?' * len(wanted))})", (tenant_key, *wanted))
        return {r[0]: MailPrefs(loads(r[1]), r[2], r[3], r[4]) for r in found}

    async def put_mail_prefs(self, tenant_key: str, user_id: str, prefs: MailPrefs) -> None:
        await self._execute(
            "INSERT INTO notification_prefs (tenant_key, user_id, kinds, digest_at, time_zone, language) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_key, user_id) DO UPDATE SET kinds = excluded.kinds, "
            "digest_at = excluded.digest_at, time_zone = excluded.time_zone, language = excluded.language",
            (tenant_key, user_id, dumps(prefs.kinds), prefs.digest_at, prefs.time_zone, prefs.language))

    # -- the reminder timer ---------------------------------------------------------------------------------
    async def put_reminder(self, tenant_key: str, approval_code: str, after_hours: float) -> None:
        """Remind a task's approver once it has been pending ``after_hours``; 0 removes the reminder."""
        await self._execute("DELETE FROM notification_reminders WHERE tenant_key = ? AND approval_code = ?",
                            (tenant_key, approval_code))
        if after_hours > 0:
            await self._execute("INSERT INTO notification_reminders (tenant_key, approval_code, after_hours) "
                                "VALUES (?, ?, ?)", (tenant_key, approval_code, after_hours))

    async def overdue_tasks(self, now: int, limit: int = 100) -> list[tuple[str, str, str, str]]:
        """(tenant_key, task_id, user_id, instance_code) of pending tasks past their definition's reminder that have
        not reminded their approver yet."""
        # Driven from the reminders (a handful of rows; none on most servers) into the partial index of pending
        # tasks by start time (migration 0017): the walk is the pending work, never the decided history.
        return [(r[0], r[1], r[2], r[3]) for r in await self._fetch(
            "SELECT t.tenant_key, t.id, t.user_id, t.instance_code FROM notification_reminders r "
            "JOIN tasks t ON t.tenant_key = r.tenant_key AND t.status = 'PENDING' "
            "AND t.start_time <= CAST(? - r.after_hours * 3600000 AS BIGINT) "
            "JOIN instances i ON i.tenant_key = t.tenant_key AND i.code = t.instance_code "
            "AND i.approval_code = r.approval_code "
            "WHERE t.user_id <> '' AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.tenant_key = t.tenant_key "
            "AND n.user_id = t.user_id AND n.dedupe_key = 'remind:' || t.id) ORDER BY t.start_time LIMIT ?",
            (now, limit))]

    # -- mail: claims, results ------------------------------------------------------------------------------
    async def claim_mail(self, now: int, lease_ms: int, limit: int) -> list[list[Notification]]:
        """Claim due mail: each immediate one alone, and each recipient's due digest rows together. Every row
        comes back with ``mail_next_at`` set to its claim's lease, the token results are recorded under."""
        heads = await self._fetch(
            "SELECT id, tenant_key, user_id, mail_state, mail_next_at FROM notifications "
            "WHERE mail_state IN ('pending', 'digest') AND mail_next_at <= ? ORDER BY id LIMIT ?", (now, limit))
        claims: list[list[Notification]] = []
        digests: set[tuple[str, str]] = set()
        for i, tenant_key, user_id, state, next_at in heads:
            lease = now + lease_ms
            if state == MAIL_PENDING:
                got = await self._fetch(f"UPDATE notifications SET mail_next_at = ?, mail_leased = 1 WHERE id = ? "
                                        f"AND mail_next_at = ? AND mail_state = 'pending' RETURNING {_COLS}",
                                        (lease, i, next_at))
            elif (tenant_key, user_id) not in digests:
                digests.add((tenant_key, user_id))
                got = await self._fetch(f"UPDATE notifications SET mail_next_at = ?, mail_leased = 1 WHERE "
                                        "tenant_key = ? AND user_id = ? AND mail_state = 'digest' AND mail_next_at <= ? "
                                        f"RETURNING {_COLS}", (lease, tenant_key, user_id, now))
            else:
                continue
            if got:
                claims.append(sorted((_notification(r) for r in got), key=lambda n: n.id))
        return claims

    def _held(self, ids: Sequence[int]) -> str:
        return f" WHERE id IN ({', '.join('?' * len(ids))}) AND mail_next_at = ? AND mail_state IN ('pending', 'digest')"

    async def renew_mail(self, ids: Sequence[int], lease: int, until: int) -> int:
        """Extend a claim this caller still holds; the new lease, 0 when it is not the caller's any more."""
        renewed = max(until, lease + 1)
        n = await self._execute("UPDATE notifications SET mail_next_at = ?" + self._held(ids), (renewed, *ids, lease))
        return renewed if n else 0

    async def mail_sent(self, ids: Sequence[int], lease: int, now: int) -> bool:
        return await self._execute("UPDATE notifications SET mail_state = 'sent', mailed_at = ?, mail_leased = 0, "
                                   "mail_attempts = mail_attempts + 1" + self._held(ids), (now, *ids, lease)) > 0

    async def mail_retry(self, ids: Sequence[int], lease: int, next_at: int, attempts: int, error: str) -> bool:
        return await self._execute("UPDATE notifications SET mail_next_at = ?, mail_attempts = ?, mail_error = ?, "
                                   "mail_leased = 0" + self._held(ids), (next_at, attempts, error[:1000], *ids, lease)) > 0

    async def mail_dead(self, ids: Sequence[int], lease: int, attempts: int, error: str) -> bool:
        return await self._execute("UPDATE notifications SET mail_state = 'dead', mail_attempts = ?, mail_error = ?, "
                                   "mail_leased = 0" + self._held(ids), (attempts, error[:1000], *ids, lease)) > 0

    async def list_mail(self, *, state: str = "", limit: int = 1000) -> list[Notification]:
        """Notifications by mail state (``dead``: the mail dead letters), oldest first."""
        if state and state not in _MAIL_STATES:
            return []
        # The state written into the statement, not bound: a partial index (migration 0019) serves a literal only.
        where = f"WHERE mail_state = '{state}'" if state else ""
        return [_notification(r) for r in await self._fetch(
            f"SELECT {_COLS} FROM notifications {where} ORDER BY id LIMIT ?", (limit,))]

    async def mail_replay(self, ids: Sequence[int], now: int) -> int:
        """Dead mail back to pending, due now; how many were dead."""
        n = 0
        for i in ids:
            n += await self._execute("UPDATE notifications SET mail_state = 'pending', mail_attempts = 0, "
                                     "mail_next_at = ?, mail_error = '', mail_leased = 0 WHERE id = ? "
                                     "AND mail_state = 'dead'", (now, i))
        return n
