"""What an operator does to the whole state, in SQL written once: export and import (snapshots, resets), token
pruning, outbox inspection and redelivery requests. Used by shenpi.testing, the admin API, the web admin pages
and the CLI.

Export and import are generic over tables, so tables that later migrations add are exported, wiped and restored
without touching this code; ``schema_migrations`` describes the schema, not the state, and is never dumped or
wiped. Each backend supplies the catalog lookups and the bulk insert (the hooks at the top of the class).
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from shenpi.store import rows
from shenpi.store.search import SearchMixin

_VALUE_TYPES = (int, float, str, bytes)


class OperatorMixin(SearchMixin):
    # -- what each backend supplies -------------------------------------------------------------
    async def _state_tables(self) -> list[str]:
        """The state tables by name: every table but the schema's own bookkeeping."""
        raise NotImplementedError

    async def _table_columns(self, table: str) -> list[str]:
        raise NotImplementedError

    async def _dump_order(self, table: str) -> str:
        """The ORDER BY of a dump: the order rows were written in, as near as the backend knows it."""
        raise NotImplementedError

    def _references_checked_at_end(self) -> AbstractAsyncContextManager[None]:
        """Inside the block references are not checked; they are when it ends, a broken one raising ValueError."""
        raise NotImplementedError

    async def _insert_rows(self, table: str, cols: list[str], body: list[tuple[Any, ...]], *,
                           keep_existing: bool) -> None:
        """Insert rows (``keep_existing``: skip those whose key is already there); ValueError when they do not fit."""
        raise NotImplementedError

    async def _after_restore(self, tables: list[str]) -> None:
        """Anything the backend must bring in line with restored rows (PostgreSQL: its id sequences)."""

    # -- snapshots ------------------------------------------------------------------------------
    async def schema_version(self) -> int:
        r = await self._fetchone("SELECT MAX(version) FROM schema_migrations")
        return int(r[0] or 0) if r else 0

    async def dump_tables(self, only: tuple[str, ...] | None = None) -> dict[str, dict[str, Any]]:
        """Every state table (or those in ``only``) as ``{name: {"columns": [...], "rows": [[...], ...]}}``, rows
        in the order they were written (SQLite: rowid order; PostgreSQL, which keeps no such order: key order, which
        for the tables with generated ids is the same)."""
        out: dict[str, dict[str, Any]] = {}
        for table in await self._state_tables():
            if only is not None and table not in only:
                continue
            cols = await self._table_columns(table)
            col_sql = ", ".join(f'"{c}"' for c in cols)
            found = await self._fetch(f'SELECT {col_sql} FROM "{table}" ORDER BY {await self._dump_order(table)}')
            out[table] = {"columns": cols, "rows": [list(r) for r in found]}
        return out

    async def restore_tables(self, tables: dict[str, dict[str, Any]], *,
                             keep: tuple[str, ...] = ()) -> dict[str, int]:
        """Replace the whole state with ``tables`` (the shape ``dump_tables`` returns, from either backend);
        returns rows written per table.

        Tables named in ``keep`` keep their rows and only gain the given ones (duplicates ignored): reset keeps
        ``tokens`` so that SDK clients holding a token keep working. A table or column this schema does not have,
        a row of the wrong width or a broken reference raises ValueError; the caller's transaction then rolls back.
        """
        existing = await self._state_tables()
        unknown = sorted(set(tables) - set(existing))
        if unknown:
            raise ValueError(f"unknown tables: {', '.join(unknown)}")
        written: dict[str, int] = {}
        # Rows go in table by table (apps before or after tenants): references are checked once, at the end.
        async with self._references_checked_at_end():
            for table in existing:
                if table not in keep:
                    # DELETE, not a truncate that restarts the ids: id counters never move back, so an id handed
                    # out before the restore (a delivery a worker is still sending) never names another row after it.
                    await self._execute(f'DELETE FROM "{table}"')
            for table, data in tables.items():
                cols = [str(c) for c in data.get("columns") or []]
                known = set(await self._table_columns(table))
                bad = [c for c in cols if c not in known]
                if bad:
                    raise ValueError(f"table {table} has no column {', '.join(bad)}")
                body = [tuple(r) for r in data.get("rows") or []]
                for i, r in enumerate(body):
                    if len(r) != len(cols):
                        raise ValueError(f"table {table}, row {i}: {len(r)} values for {len(cols)} columns")
                    for v in r:
                        if v is not None and not isinstance(v, _VALUE_TYPES):
                            raise ValueError(f"table {table}, row {i}: a {type(v).__name__} is not a column value")
                if cols and body:
                    await self._insert_rows(table, cols, body, keep_existing=table in keep)
                written[table] = len(body)
            if "search_texts" not in tables and "search_texts" not in keep:  # a snapshot from before it existed
                await self._rebuild_search_texts()
        await self._after_restore(list(tables))
        self._store.definitions.clear()  # the cache is keyed by version, which a restore can bring back
        return written

    # -- tokens ---------------------------------------------------------------------------------
    async def prune_tokens(self, now_ms: int) -> list[str]:
        """Drop tokens nobody can use: expired, issued after ``now_ms`` (the clock was set back) or whose app is gone
        or now belongs to another tenant. Returns the app ids that lost a token (their SDK caches are stale)."""
        gone = await self._fetch(
            "DELETE FROM tokens WHERE created_at > ? OR expires_at <= ? OR NOT EXISTS (SELECT 1 FROM apps a "
            "WHERE a.app_id = tokens.app_id AND a.tenant_key = tokens.tenant_key) RETURNING app_id", (now_ms, now_ms))
        return sorted({r[0] for r in gone})

    # -- the outbox -----------------------------------------------------------------------------
    async def list_outbox(self, *, tenant_key: str | None = None, instance_code: str | None = None,
                          after_id: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        """Outbox rows of one tenant or all, oldest first, each with its pending redelivery request (0 = none)."""
        sql = ("SELECT o.id, o.tenant_key, o.approval_code, o.instance_code, o.kind, o.status, o.payload, "
               "o.created_at, COALESCE(r.requested_at, 0) FROM outbox o "
               "LEFT JOIN outbox_redeliveries r ON r.outbox_id = o.id WHERE o.id > ?")
        args: tuple[Any, ...] = (after_id,)
        if tenant_key is not None:
            sql += " AND o.tenant_key = ?"
            args += (tenant_key,)
        if instance_code is not None:
            sql += " AND o.instance_code = ?"
            args += (instance_code,)
        return [
            {"id": r[0], "tenant_key": r[1], "approval_code": r[2], "instance_code": r[3], "kind": r[4],
             "status": r[5], "payload": rows.loads(r[6]), "created_at": r[7], "redeliver_requested_at": r[8]}
            for r in await self._fetch(sql + " ORDER BY o.id LIMIT ?", (*args, limit))
        ]

    async def request_redelivery(self, outbox_ids: list[int], now_ms: int,
                                 tenant_key: str | None = None) -> list[int]:
        """Ask the delivery worker to send these outbox events again; returns the ids that exist (in that tenant).
        The worker takes the requests (``take_redelivery_requests``) on its next round."""
        marked: list[int] = []
        for outbox_id in outbox_ids:
            r = await self._fetchone("SELECT tenant_key FROM outbox WHERE id = ?", (outbox_id,))
            if r is None or (tenant_key is not None and r[0] != tenant_key):
                continue
            await self._execute(
                "INSERT INTO outbox_redeliveries (outbox_id, tenant_key, requested_at) VALUES (?, ?, ?) "
                "ON CONFLICT (outbox_id) DO UPDATE SET requested_at = excluded.requested_at, "
                "requests = outbox_redeliveries.requests + 1", (outbox_id, r[0], now_ms))
            marked.append(outbox_id)
        return marked
