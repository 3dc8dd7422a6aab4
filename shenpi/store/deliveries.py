"""The outbox and its event deliveries, in SQL written once (``?`` placeholders, see shenpi/store/sql.py).

Rows are handed out as tuples in ``DELIVERY_COLS`` order; shenpi/app/deliveries.py turns them into
``Delivery`` objects. Claims are leases: ``claim_due`` pushes ``next_at_ms`` forward under the row's current
value, so when several worker processes share a database each head goes to exactly one of them. The lease is also
a fencing token: a result is recorded only under the lease it was sent under, so a worker whose lease ran out and
was taken over never overwrites the newer attempt's result. ``leased`` marks a claimed row: while one delivery of a
stream is leased, no other of that stream is claimed (a replayed or redelivered older event waits for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shenpi.store.rows import loads
from shenpi.store.signals import DELIVERIES_QUEUED
from shenpi.store.sql import SqlTx

DELIVERY_COLS = ("id, tenant_key, app_id, stream, outbox_id, event_id, event_type, body, state, attempts, "
                 "next_at_ms, last_error, created_at, delivered_at")
_OUTBOX_COLS = "id, tenant_key, approval_code, instance_code, kind, status, payload, created_at"
# Who may claim a delivery (the condition is closed by the caller, after the apps it holds connections of): anyone
# for a callback app, and for a long-connection app while no process has a live connection of it.
_HOLDER = ("(NOT EXISTS (SELECT 1 FROM apps a WHERE a.app_id = d.app_id AND (a.event_mode = 'long_connection' "
           "OR (a.event_mode = '' AND a.event_url = ''))) OR NOT EXISTS (SELECT 1 FROM long_connections c "
           "WHERE c.app_id = d.app_id AND c.seen_at > ?)")


class DeliveryMixin(SqlTx):
    async def outbox(self, tenant_key: str, instance_code: str | None = None) -> list[dict[str, Any]]:
        """A tenant's outbox rows (of one instance), oldest first, the payload's fields spread into each."""
        sql = "SELECT id, approval_code, instance_code, kind, status, payload, created_at FROM outbox WHERE tenant_key = ?"
        args: tuple[Any, ...] = (tenant_key,)
        if instance_code is not None:
            sql += " AND instance_code = ?"
            args += (instance_code,)
        return [
            {"id": r[0], "approval_code": r[1], "instance_code": r[2], "kind": r[3], "status": r[4],
             **loads(r[5]), "created_at": r[6]}
            for r in await self._fetch(sql + " ORDER BY id", args)
        ]

    async def skip_unsubscribed_outbox(self) -> int:
        """Mark routed, in one statement, the outbox rows of definitions no app subscribed to: most rows, in
        most deployments, and routing them one by one would cost the database more than the change did."""
        return await self._execute(
            "UPDATE outbox SET routed = 1 WHERE routed = 0 AND NOT EXISTS (SELECT 1 FROM subscriptions s "
            "WHERE s.tenant_key = outbox.tenant_key AND s.approval_code = outbox.approval_code)")

    async def unrouted_outbox(self, limit: int) -> list[dict[str, Any]]:
        found = await self._fetch(f"SELECT {_OUTBOX_COLS} FROM outbox WHERE routed = 0 ORDER BY id LIMIT ?", (limit,))
        keys = [c.strip() for c in _OUTBOX_COLS.split(",")]
        return [dict(zip(keys, r, strict=True)) for r in found]

    async def mark_routed(self, outbox_id: int) -> bool:
        """False when another process routed the row first (its deliveries then already exist)."""
        return await self._execute("UPDATE outbox SET routed = 1 WHERE id = ? AND routed = 0", (outbox_id,)) > 0

    async def insert_deliveries(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """rows: (tenant_key, app_id, stream, outbox_id, event_id, event_type, body, created_at, next_at_ms)."""
        for r in rows:
            await self._execute(
                "INSERT INTO deliveries (tenant_key, app_id, stream, outbox_id, event_id, event_type, body, created_at, "
                "next_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app_id, event_id) DO NOTHING", r)

    async def signal_deliveries(self) -> None:
        """Tell the other server processes, once this transaction commits, that it queued deliveries: the one
        holding a long-connection app's connection is the only one that can send them (shenpi/store/signals.py).
        SQLite has no channel between processes; they poll."""
        if self.dialect == "postgres":
            await self._execute("SELECT pg_notify(?, '')", (DELIVERIES_QUEUED,))

    async def claim_due(self, now_ms: int, limit: int, lease_ms: int, per_app: int = 0,
                        busy: Mapping[str, int] | None = None, held: Sequence[str] = (),
                        live_after_ms: int = 0) -> list[Sequence[Any]]:
        """Each (app, stream)'s oldest pending delivery that is due, leased to the caller for ``lease_ms``; the rows
        come back with ``next_at_ms`` set to the lease, the token :meth:`renew_lease` takes.

        With ``per_app``, at most ``per_app`` minus ``busy[app_id]`` (what the caller is sending to that app already)
        per app, the apps taking turns (each app's oldest first): a caller claims only what it can send at once, and
        one app's backlog never fills a claim another app's events were due in.

        A long-connection app's deliveries are claimed only by a caller that holds one of the app's connections
        (``held``), or by anyone while no process has a connection of the app seen after ``live_after_ms`` (the
        attempt then fails for want of a client, and the retry schedule runs as for an unreachable URL).
        """
        busy = busy or {}
        cap = per_app if per_app > 0 else limit
        heads = await self._fetch(
            f"SELECT {DELIVERY_COLS} FROM (SELECT {DELIVERY_COLS}, ROW_NUMBER() OVER (PARTITION BY d.app_id "
            "ORDER BY d.id) AS lane_rank FROM deliveries d WHERE d.state = 'pending' AND d.next_at_ms <= ? AND d.id = "
            "(SELECT MIN(h.id) FROM deliveries h WHERE h.app_id = d.app_id AND h.stream = d.stream "
            "AND h.state = 'pending') AND NOT EXISTS (SELECT 1 FROM deliveries f WHERE f.app_id = d.app_id "
            "AND f.stream = d.stream AND f.state = 'pending' AND f.leased = 1 AND f.next_at_ms > ? AND f.id <> d.id)"
            f" AND {_HOLDER}{' OR d.app_id IN (' + ', '.join('?' * len(held)) + ')' if held else ''})"
            ") x WHERE lane_rank <= ? ORDER BY lane_rank, id LIMIT ?",
            (now_ms, now_ms, live_after_ms, *held, cap, max(limit, cap * 4)))
        picked: list[Sequence[Any]] = []
        taken: dict[str, int] = {}
        for r in heads:
            app_id = str(r[2])
            if len(picked) >= limit or taken.get(app_id, 0) + busy.get(app_id, 0) >= cap:
                continue
            taken[app_id] = taken.get(app_id, 0) + 1
            picked.append(r)
        if not picked:
            return []
        # One statement claims them all, each only if its row is as it was read: a head another process claimed
        # (or recorded) since has another next_at_ms, and is left to that process.
        lease = now_ms + lease_ms
        won = await self._held_rows("UPDATE deliveries SET next_at_ms = ?, leased = 1", (lease,),
                                    [(r[0], r[10]) for r in picked])
        return [(*r[:10], lease, *r[11:]) for r in picked if int(r[0]) in won]

    async def _held_rows(self, update: str, args: tuple[Any, ...], held: Sequence[tuple[int, int]]) -> set[int]:
        """Run ``update`` on the pending rows among ``held`` (id, next_at_ms) whose next_at_ms is still that value,
        in statements of up to 100 rows; the ids it changed."""
        changed: set[int] = set()
        for start in range(0, len(held), 100):
            chunk = held[start:start + 100]
            match = " OR ".join(["(id = ? AND next_at_ms = ?)"] * len(chunk))
            changed.update(int(r[0]) for r in await self._fetch(
                f"{update} WHERE state = 'pending' AND ({match}) RETURNING id",
                (*args, *(v for pair in chunk for v in pair))))
        return changed

    async def renew_lease(self, delivery_id: int, lease: int, until_ms: int) -> int:
        """Extend a lease this caller still holds to ``until_ms``; the new lease, or 0 when it is not the caller's
        any more (another process claimed the delivery, or its state changed)."""
        renewed = max(until_ms, lease + 1)  # a lease is also a token: it never stays the same value
        if await self._execute("UPDATE deliveries SET next_at_ms = ? WHERE id = ? AND next_at_ms = ? "
                               "AND state = 'pending'", (renewed, delivery_id, lease)) > 0:
            return renewed
        return 0

    # The three results of an attempt: each recorded only under the lease the attempt held (False: it lost it).
    _HELD = " WHERE id = ? AND next_at_ms = ? AND state = 'pending'"

    async def delivery_delivered(self, delivery_id: int, lease: int, now_ms: int) -> bool:
        return await self._execute("UPDATE deliveries SET state = 'delivered', delivered_at = ?, "
                                   "attempts = attempts + 1, leased = 0" + self._HELD,
                                   (now_ms, delivery_id, lease)) > 0

    async def deliveries_delivered(self, held: Sequence[tuple[int, int]], now_ms: int) -> set[int]:
        """:meth:`delivery_delivered` for many (id, lease) at once; the ids recorded."""
        return await self._held_rows("UPDATE deliveries SET state = 'delivered', delivered_at = ?, "
                                     "attempts = attempts + 1, leased = 0", (now_ms,), held)

    async def delivery_reschedule(self, delivery_id: int, lease: int, next_at_ms: int, attempts: int,
                                  last_error: str) -> bool:
        return await self._execute("UPDATE deliveries SET next_at_ms = ?, attempts = ?, last_error = ?, leased = 0"
                                   + self._HELD, (next_at_ms, attempts, last_error[:1000], delivery_id, lease)) > 0

    async def delivery_dead(self, delivery_id: int, lease: int, attempts: int, error: str) -> bool:
        return await self._execute("UPDATE deliveries SET state = 'dead', attempts = ?, last_error = ?, leased = 0"
                                   + self._HELD, (attempts, error[:1000], delivery_id, lease)) > 0

    async def list_deliveries(self, *, state: str = "", app_id: str = "", outbox_id: int = 0,
                              limit: int = 1000) -> list[Sequence[Any]]:
        clauses: list[str] = ["1 = 1"]
        args: list[Any] = []
        for col, value in (("state", state), ("app_id", app_id)):
            if value:
                clauses.append(f"{col} = ?")
                args.append(value)
        if outbox_id:
            clauses.append("outbox_id = ?")
            args.append(outbox_id)
        return await self._fetch(f"SELECT {DELIVERY_COLS} FROM deliveries WHERE {' AND '.join(clauses)} "
                                 "ORDER BY id LIMIT ?", (*args, limit))

    async def count_deliveries(self) -> dict[str, int]:
        """How many deliveries are pending and how many dead (the metrics' outbox depth): read from the index on
        ``state``, not from the rows."""
        rows = await self._fetch("SELECT state, COUNT(*) FROM deliveries WHERE state IN ('pending', 'dead') "
                                 "GROUP BY state")
        return {"pending": 0, "dead": 0} | {str(state): int(n) for state, n in rows}

    async def delivery_replay(self, delivery_id: int, now_ms: int) -> bool:
        return await self._execute("UPDATE deliveries SET state = 'pending', attempts = 0, next_at_ms = ?, "
                                   "last_error = '', leased = 0 WHERE id = ? AND state = 'dead'",
                                   (now_ms, delivery_id)) > 0

    async def redeliver_outbox_row(self, outbox_id: int, now_ms: int) -> int:
        """Send an outbox event's deliveries again (same event ids); how many were re-queued."""
        return await self._execute("UPDATE deliveries SET state = 'pending', attempts = 0, next_at_ms = ?, "
                                   "last_error = '', leased = 0 WHERE outbox_id = ?", (now_ms, outbox_id))

    async def take_redelivery_requests(self, now_ms: int) -> int:
        """Turn operators' redelivery requests (table outbox_redeliveries) into re-queued deliveries."""
        requests = await self._fetch("SELECT outbox_id FROM outbox_redeliveries ORDER BY outbox_id")
        for (outbox_id,) in requests:
            await self.redeliver_outbox_row(int(outbox_id), now_ms)
            await self._execute("DELETE FROM outbox_redeliveries WHERE outbox_id = ?", (outbox_id,))
        return len(requests)

    async def subscribed_app_ids(self, tenant_key: str, approval_code: str) -> list[str]:
        return [r[0] for r in await self._fetch(
            "SELECT app_id FROM subscriptions WHERE tenant_key = ? AND approval_code = ? ORDER BY app_id",
            (tenant_key, approval_code))]

    # -- long connections: the WebSockets every process sharing the database holds ------------------------------
    async def long_connection_opened(self, conn_id: str, app_id: str, tenant_key: str, address: str,
                                     now_ms: int) -> int:
        """Record a new connection and make the app's waiting events due now (they were waiting for a client);
        how many were made due."""
        await self._execute("INSERT INTO long_connections (conn_id, app_id, tenant_key, address, connected_at, seen_at) "
                            "VALUES (?, ?, ?, ?, ?, ?)", (conn_id, app_id, tenant_key, address, now_ms, now_ms))
        return await self._execute("UPDATE deliveries SET next_at_ms = ? WHERE app_id = ? AND state = 'pending' "
                                   "AND leased = 0 AND next_at_ms > ?", (now_ms, app_id, now_ms))

    async def long_connection_closed(self, conn_id: str) -> None:
        await self._execute("DELETE FROM long_connections WHERE conn_id = ?", (conn_id,))

    async def long_connections_seen(self, conns: Sequence[tuple[str, str, str, str]], now_ms: int,
                                    stale_before_ms: int) -> None:
        """Mark this process's connections (conn_id, app_id, tenant_key, address) alive, back in the list if they
        were dropped from it (the clock moved on past their last mark), and forget those of processes that stopped
        marking theirs."""
        for conn_id, app_id, tenant_key, address in conns:
            if not await self._execute("UPDATE long_connections SET seen_at = ? WHERE conn_id = ?", (now_ms, conn_id)):
                await self._execute("INSERT INTO long_connections (conn_id, app_id, tenant_key, address, connected_at, "
                                    "seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                                    (conn_id, app_id, tenant_key, address, now_ms, now_ms))
        await self._execute("DELETE FROM long_connections WHERE seen_at < ?", (stale_before_ms,))

    async def long_connection_counts(self, live_after_ms: int) -> dict[str, int]:
        """Open connections per app id, over every process."""
        return {str(r[0]): int(r[1]) for r in await self._fetch(
            "SELECT app_id, COUNT(*) FROM long_connections WHERE seen_at > ? GROUP BY app_id", (live_after_ms,))}
