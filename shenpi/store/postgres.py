"""The PostgreSQL backend: raw asyncpg over a connection pool, for deployments with several server processes.

Concurrency comes from the database, not from the process: ``load_aggregate`` takes the instance's row lock
(shenpi/store/lock.py) so concurrent actions on one instance queue up in PostgreSQL, and every other
transaction runs in parallel at READ COMMITTED.

Round trips are what a transaction costs here, so the hot path is shaped around them: ``get_definition``
checks the cached version and fetches the body only when it changed, in one query; ``load_aggregate`` reads
the definition's version in the locking query; and ``save_transition`` writes the instance, the new and
changed tasks, the timeline and the outbox in a single statement (shenpi/store/postgres_transition.py).
asyncpg prepares and caches every statement per connection, so each of those is one Bind/Execute. A task
reject is BEGIN, four statements, COMMIT.

This module keeps what is PostgreSQL's own: the pool, transactions, that hot path, the catalog lookups of
snapshots, and the migrations runner; the portable SQL is in the mixins, run through ``to_dollar``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from shenpi.engine.model import Aggregate, Definition, Instance
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.aggregate import AggregateMixin
from shenpi.store.base import DuplicateUuid
from shenpi.store.deliveries import DeliveryMixin
from shenpi.store.files import FileMixin
from shenpi.store.inbox import InboxMixin
from shenpi.store.lock import ROW_LOCK, check_version
from shenpi.store.migrations import migrations
from shenpi.store.notifications import Notification, NotificationMixin
from shenpi.store.operator import OperatorMixin
from shenpi.store.platform import PlatformMixin
from shenpi.store.postgres_transition import transition_statement
from shenpi.store.queries import QueryMixin
from shenpi.store.signals import Listening
from shenpi.store.sql import Row, to_dollar

# Any constant works as long as every process uses the same one; advisory locks are per database.
_MIGRATION_LOCK = 0x7368656E7069  # "shenpi"

_I_INSTANCE_COLS = ", ".join(f"i.{c.strip()}" for c in rows.INSTANCE_COLS.split(","))
# load_aggregate's one query: the instance under its row lock, with its definition's version to check the cache.
_LOCK_AGGREGATE = (f"SELECT {_I_INSTANCE_COLS}, d.approval_id, d.status, d.version FROM instances i "
                   "LEFT JOIN definitions d ON d.tenant_key = i.tenant_key AND d.code = i.approval_code ")
_LOCK_BY_CODE = _LOCK_AGGREGATE + f"WHERE i.code = $1 AND i.tenant_key = $2 {ROW_LOCK}"
_LOCK_BY_UUID = _LOCK_AGGREGATE + f"WHERE i.tenant_key = $1 AND i.uuid_key = $2 {ROW_LOCK}"


async def _keep_session(conn: Any) -> None:
    """Pool reset hook. The default reset (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) is a round trip on
    every release; this store takes only transaction-scoped locks, opens no cursors, listens to nothing and
    sets nothing, so there is nothing to undo. asyncpg still rolls back a transaction left open."""


class PostgresTx(PlatformMixin, AggregateMixin, QueryMixin, InboxMixin, DeliveryMixin, OperatorMixin, FileMixin,
                 NotificationMixin):
    dialect = "postgres"
    _NOW_S_AS_MS = "floor(extract(epoch FROM clock_timestamp()))::bigint * 1000"

    def __init__(self, store: PostgresStore, conn: Any) -> None:
        self._store = store
        self._c = conn

    async def _fetch(self, sql: str, args: tuple[Any, ...] = ()) -> list[Row]:
        rs: list[Row] = await self._c.fetch(to_dollar(sql), *args)
        return rs

    async def _fetchone(self, sql: str, args: tuple[Any, ...] = ()) -> Row | None:
        r: Row | None = await self._c.fetchrow(to_dollar(sql), *args)
        return r

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        status: str = await self._c.execute(to_dollar(sql), *args)
        count = status.rsplit(" ", 1)[-1]  # "UPDATE 3", "INSERT 0 1", "DELETE 0"
        return int(count) if count.isdigit() else 0

    # This module's own SQL is written with asyncpg's $n placeholders and runs as it is.
    async def _one(self, sql: str, *args: Any) -> Row | None:
        r: Row | None = await self._c.fetchrow(sql, *args)
        return r

    async def _all(self, sql: str, *args: Any) -> list[Row]:
        rs: list[Row] = await self._c.fetch(sql, *args)
        return rs

    # -- the aggregate --------------------------------------------------------------------------
    async def get_definition(self, tenant_key: str, code: str) -> Definition | None:
        key = (tenant_key, code)
        cached = self._store.definitions.get(key)
        # One round trip either way: the body travels only when the cache does not hold the stored version.
        r = await self._one(
            "SELECT approval_id, status, version, CASE WHEN version = $3 THEN NULL ELSE body END "
            "FROM definitions WHERE tenant_key = $1 AND code = $2",
            tenant_key, code, cached.version if cached is not None else -1)
        if r is None:
            return None
        if r[3] is not None:
            return self._parsed(tenant_key, code, r[0], r[1], r[2], r[3])
        if cached is None or self._store.definitions.get(key) is not cached:
            # A rollback cleared the cache while the query was in flight, so ``cached`` may be a version that
            # never committed; read the body after all.
            r = await self._one("SELECT approval_id, status, version, body FROM definitions "
                                "WHERE tenant_key = $1 AND code = $2", tenant_key, code)
            return self._parsed(tenant_key, code, r[0], r[1], r[2], r[3]) if r else None
        cached.status = r[1]
        return cached

    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None:
        # An instance code wins over another instance's uuid that happens to read the same.
        r = await self._one(
            f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE tenant_key = $1 AND (code = $2 OR uuid_key = $3) "
            "ORDER BY code = $2 DESC LIMIT 1",
            tenant_key, code_or_uuid, code_or_uuid.lower())
        return rows.instance_from(r) if r else None

    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None:
        r = await self._one(_LOCK_BY_CODE, instance_code, tenant_key)
        if r is None:  # like find_instance, a uuid names its instance too
            r = await self._one(_LOCK_BY_UUID, tenant_key, instance_code.lower())
        if r is None:
            return None
        inst = rows.instance_from(r)
        if r[19] is None:  # the definition is gone
            return None
        definition = self._store.definitions.get((tenant_key, inst.approval_code))
        if definition is not None and definition.version == r[19]:
            definition.status = r[18]
        else:
            definition = await self.get_definition(tenant_key, inst.approval_code)
            if definition is None:
                return None
        definition = await self._as_started(definition, inst)
        # A statement of its own, after the lock is held: READ COMMITTED gives it a fresh snapshot, so it sees
        # the tasks of whichever transaction held the lock before us.
        tasks = [rows.task_from(t) for t in await self._all(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE instance_code = $1 ORDER BY start_time, id",
            inst.code)]
        return Aggregate(definition=definition, instance=inst, tasks=tasks)

    async def save_transition(self, tr: Transition, *, created: bool,
                              notifications: Sequence[Notification] = ()) -> None:
        inst = tr.agg.instance
        # Notifications ride in the transition's statement; one with a dedupe key needs its own (ON CONFLICT).
        keyed = any(n.dedupe_key is not None for n in notifications)
        written = await self._c.fetchval(*transition_statement(tr, created=created,
                                                               notifications=() if keyed else notifications))
        if created:
            if written != 1:
                raise DuplicateUuid(inst.uuid)
        else:
            check_version(written, inst)
        if tr.events:  # as in SQLite; it only queries for CC events, so a reject pays no extra round trip
            await self.record_ccs(tr)
        if keyed:
            await self.insert_notifications(notifications)

    # -- what snapshots need from the catalog (OperatorMixin) ---------------------------------------
    async def _state_tables(self) -> list[str]:
        return [r[0] for r in await self._all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename NOT IN ('schema_migrations', 'long_connections') ORDER BY tablename")]

    async def _table_columns(self, table: str) -> list[str]:
        return [r[0] for r in await self._all(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = $1 ORDER BY ordinal_position", table)]

    async def _dump_order(self, table: str) -> str:
        keys = [r[0] for r in await self._all(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::smallint[], a.attnum)", table)]
        return ", ".join(f'"{c}"' for c in keys) or "ctid"  # PostgreSQL keeps no insertion order: key order

    @asynccontextmanager
    async def _references_checked_at_end(self) -> AsyncIterator[None]:
        # Read before the check: a failed check aborts the transaction, and the error names only the constraint.
        references = {r[0]: (r[1], r[2]) for r in await self._all(
            "SELECT conname, conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")}
        await self._c.execute("SET CONSTRAINTS ALL DEFERRED")
        yield
        try:
            await self._c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks the deferred references now
        except asyncpg.ForeignKeyViolationError as e:
            table, missing = references.get(e.constraint_name or "", (e.table_name or "a table", "referenced"))
            raise ValueError(f"table {table} refers to a missing {missing} row") from None

    async def _insert_rows(self, table: str, cols: list[str], body: list[tuple[Any, ...]], *,
                           keep_existing: bool) -> None:
        col_sql = ", ".join(f'"{c}"' for c in cols)
        marks = ", ".join(f"${n}" for n in range(1, len(cols) + 1))
        ignore = " ON CONFLICT DO NOTHING" if keep_existing else ""
        try:
            await self._c.executemany(f'INSERT INTO "{table}" ({col_sql}) VALUES ({marks}){ignore}', body)
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as e:
            raise ValueError(f"table {table}: {e}") from None

    async def _after_restore(self, tables: list[str]) -> None:
        """Rows restored with their ids leave the id sequences behind them: move each sequence forward past its
        table's largest id (never back; setval is not undone by a rollback, and only a forward move is harmless)."""
        for table, column, sequence in await self._all(
                "SELECT c.relname::text, a.attname::text, pg_get_serial_sequence(quote_ident(c.relname), a.attname) "
                "FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relkind = 'r' "
                "AND c.relnamespace = current_schema()::regnamespace AND c.relname = ANY ($1::text[]) "
                "AND a.attnum > 0 AND NOT a.attisdropped "
                "AND pg_get_serial_sequence(quote_ident(c.relname), a.attname) IS NOT NULL", tables):
            await self._c.execute(
                f'SELECT setval($1::regclass, m) FROM (SELECT MAX("{column}") AS m FROM "{table}") s '
                "WHERE m > COALESCE(pg_sequence_last_value($1::regclass), 0)", sequence)


class PostgresStore:
    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self._min_size = min_size
        self._max_size = max_size
        self._pool: Any = None
        # Parsed definitions by (tenant, code); every read checks the stored version, so entries written by
        # another process are never served stale.
        self.definitions: dict[tuple[str, str], Definition] = {}

    async def open(self) -> None:
        # Generic plans: the transition's one statement (CTEs over unnest of arrays) would otherwise be planned
        # afresh at every execution, which cost the database about a third of its CPU per reject (docs/performance.md).
        pool = await asyncpg.create_pool(self.url, min_size=self._min_size, max_size=self._max_size,
                                         reset=_keep_session,
                                         server_settings={"plan_cache_mode": "force_generic_plan"})
        try:
            async with pool.acquire() as conn:
                await self._migrate(conn)
        except BaseException:
            await pool.close()
            raise
        self._pool = pool

    @staticmethod
    async def _migrate(conn: Any) -> None:
        # Several processes may start at once: the first to take the lock migrates, the rest then find every
        # migration applied. The lock is released when the transaction ends.
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT)")
            applied = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
            for version, name, sql in migrations("postgres"):
                if version in applied:
                    continue
                await conn.execute(sql)
                await conn.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name)

    def listen(self, channel: str, on_signal: Callable[[], None]) -> Listening:
        listening = Listening(self.url, channel, on_signal)
        listening.start()
        return listening

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()

    async def _begin(self, pool: Any) -> Any:
        """A pooled connection inside BEGIN. A connection the server dropped while it sat in the pool (a
        restart, a terminated backend) fails right here, before anything happened, so another one is tried."""
        for attempt in range(3):
            conn = await pool.acquire()
            try:
                await conn.execute("BEGIN")
                return conn
            except Exception:
                # BEGIN has no way to fail but a broken connection (however asyncpg words it). The server most
                # likely dropped its siblings too (a restart): have the pool replace every connection it holds.
                with suppress(asyncpg.InterfaceError):  # unless the pool took it back when it saw it close
                    conn.terminate()
                await pool.release(conn)
                await pool.expire_connections()
                if attempt == 2:
                    raise
            except BaseException:
                await pool.release(conn)
                raise
        raise AssertionError("unreachable")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[PostgresTx]:
        pool = self._pool
        if pool is None:
            raise RuntimeError("store is not open")
        conn = await self._begin(pool)
        try:
            yield PostgresTx(self, conn)
            await conn.execute("COMMIT")
        except BaseException:
            # Before ROLLBACK: while this transaction still holds its row locks, no other one can have
            # cached a definition version that this one wrote and is about to undo.
            self.definitions.clear()
            if not conn.is_closed() and conn.is_in_transaction():
                try:
                    await conn.execute("ROLLBACK")
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    pass  # the original error matters more; the pool discards a connection it cannot reset
            raise
        finally:
            await pool.release(conn)
