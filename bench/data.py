"""The benchmark's data: its seed, template instances made by shenpi itself, and bulk copies of them.

Every instance the benchmark stores is a copy of an instance that shenpi created (and, for history, decided)
through its own services, so the rows have exactly shenpi's shape: the instance row with its form and flow
state, its task, its timeline entries and its outbox events. Copies are made in SQL, inside the database
(``INSERT ... SELECT`` over a table of new ids), which builds 10^6 instances in well under a minute: every text
column of the template's rows has the template's instance code and task id replaced by the copy's.

New instance codes are random UUIDs, as ``shenpi.ids.code`` makes them, so the instances of a run are spread
over the whole primary-key index as in real use; task ids count upwards, as snowflake ids do.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TENANT = "bench"
APP_ID = "cli_bench"
APP_SECRET = "bench-secret"
APPROVAL = "BENCH"
SUBMITTER, APPROVER = "alice", "bob"
SCOPES = ["approval:approval", "approval:task", "contact:user.employee_id:readonly", "app_engine:approval:write"]
FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "a week in the mountains"},
                   {"id": "days", "type": "number", "value": 5}])
TASK_ID_BASE = 3_000_000_000_000_000_000  # 19 digits, like shenpi's snowflake task ids
_BATCH = 100_000


def bench_seed() -> dict[str, Any]:
    """One tenant, one app with every scope, a submitter, an approver, and a one-node definition: a reject or an
    approve of its task ends the instance, so either writes one task, the instance, one timeline entry and two
    outbox events (task and instance) — the rows the raw-driver floor writes."""
    form_content = json.dumps([{"id": "reason", "type": "textarea", "name": "Reason", "required": True},
                               {"id": "days", "type": "number", "name": "Days"}])
    return {"tenants": [{
        "tenant_key": TENANT, "name": "Bench",
        "apps": [{"app_id": APP_ID, "app_secret": APP_SECRET, "scopes": SCOPES}],
        "users": [{"user_id": SUBMITTER, "name": "Alice", "leader_user_id": APPROVER},
                  {"user_id": APPROVER, "name": "Bob"}],
        "approvals": [{
            "approval_code": APPROVAL, "approval_name": "Leave", "viewers": [{"viewer_type": "TENANT"}],
            "form": {"form_content": form_content},
            "node_list": [{"id": "START"},
                          {"id": "lead", "name": "Lead", "node_type": "AND",
                           "approver": [{"type": "Personal", "user_id": APPROVER}]},
                          {"id": "END"}],
        }],
    }]}


@dataclass
class Template:
    code: str
    task_id: str


@dataclass
class Templates:
    pending: Template
    approved: Template
    rejected: Template


async def make_templates(db_url: str) -> Templates:
    """Migrate and seed the database, then create the three template instances through shenpi's services."""
    from shenpi.app import Shenpi
    from shenpi.engine.commands import CreateInstance, TaskAction
    from shenpi.seed import apply_seed
    from shenpi.store import open_store

    svc = Shenpi(open_store(db_url), rate_limit_scale=0)
    await svc.open()
    try:
        await apply_seed(svc, bench_seed())

        async def create() -> Template:
            inst = await svc.instances.create(TENANT, APPROVAL, CreateInstance(user_id=SUBMITTER, form=FORM))
            view = await svc.instances.get(TENANT, inst.code)
            (task,) = view.tasks
            return Template(inst.code, task.id)

        pending, approved, rejected = await create(), await create(), await create()
        for t, decide in ((approved, svc.instances.approve), (rejected, svc.instances.reject)):
            await decide(TENANT, TaskAction(task_id=t.task_id, user_id=APPROVER, comment="bench"),
                         approval_code=APPROVAL, instance_code=t.code)
        return Templates(pending, approved, rejected)
    finally:
        await svc.close()


# Tables whose rows belong to one instance, and how each names it.
# Every row an instance owns, so that a stored instance weighs what a real one does: its tasks, timeline, events,
# the notifications it sent people and its search texts.
_CHILD_TABLES = (("tasks", "instance_code"), ("timeline", "instance_code"), ("outbox", "instance_code"),
                 ("notifications", "instance_code"), ("search_texts", "instance_code"))


class Loader:
    """Bulk copies of template instances, numbered ``n`` (task id TASK_ID_BASE + n)."""

    def __init__(self) -> None:
        self.next_n = 1

    def _take(self, count: int) -> tuple[int, int]:
        first = self.next_n
        self.next_n += count
        return first, first + count - 1

    async def history(self, templates: Templates, count: int) -> None:
        """``count`` finished instances, half approved and half rejected, each with all its rows."""
        first, last = self._take(count)
        # The usual bulk-load order: secondary indexes dropped, rows in, indexes built again from their stored
        # definitions (a sorted build instead of 10^6 random insertions into each).
        indexes = await self._secondary_indexes() if count >= _BATCH else []
        for _, drop, _ in indexes:
            await self._ddl(drop)
        for lo in range(first, last + 1, _BATCH):
            hi = min(last, lo + _BATCH - 1)
            await self._copy(templates.approved, lo, hi, parity=0)
            await self._copy(templates.rejected, lo, hi, parity=1)
        for _, _, create in indexes:
            await self._ddl(create)
        await self._after_bulk()

    async def pending(self, templates: Templates, count: int) -> list[tuple[str, str]]:
        """``count`` PENDING instances; returns their (task id, instance code) pairs, shuffled."""
        first, last = self._take(count)
        pairs: list[tuple[str, str]] = []
        for lo in range(first, last + 1, _BATCH):
            hi = min(last, lo + _BATCH - 1)
            pairs += await self._copy(templates.pending, lo, hi, parity=None)
        random.shuffle(pairs)
        return pairs

    async def remove(self, pairs: list[tuple[str, str]]) -> None:
        """Delete the instances of a run's working set with all their rows, so that every run starts from the
        same stored history (plus its own working set)."""
        codes = [code for _, code in pairs]
        for lo in range(0, len(codes), _BATCH):
            await self._delete(codes[lo:lo + _BATCH])

    async def mark_routed(self, templates: Templates) -> None:
        """Mark the templates' outbox rows as already routed to subscribers (where the schema tracks that): the
        copies then look like the events of a server that has been running, and the server's delivery worker
        has only the events of the measured requests to route, not 10^6 old ones."""
        codes = [t.code for t in (templates.pending, templates.approved, templates.rejected)]
        if await self._has_column("outbox", "routed"):
            await self._mark_routed(codes)

    async def _copy(self, t: Template, lo: int, hi: int, parity: int | None) -> list[tuple[str, str]]:
        raise NotImplementedError

    async def _delete(self, codes: list[str]) -> None:
        raise NotImplementedError

    async def _has_column(self, table: str, column: str) -> bool:
        raise NotImplementedError

    async def _mark_routed(self, codes: list[str]) -> None:
        raise NotImplementedError

    async def _after_bulk(self) -> None:
        pass

    async def _secondary_indexes(self) -> list[tuple[str, str, str]]:
        """(name, DROP statement, CREATE statement) of the non-unique indexes of the instance tables."""
        return []

    async def _ddl(self, sql: str) -> None:
        raise NotImplementedError

    async def count_instances(self) -> int:
        raise NotImplementedError

    async def server_backends(self) -> list[int]:
        """The database server's processes that serve other connections to this database (PostgreSQL)."""
        return []

    async def close(self) -> None:
        pass


def write_task_file(path: Path, pairs: list[tuple[str, str]]) -> None:
    path.write_text("".join(f"{task} {code}\n" for task, code in pairs), encoding="ascii")


# -- SQLite --------------------------------------------------------------------------------------------
class SqliteLoader(Loader):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.c = sqlite3.connect(path, isolation_level=None)
        self.c.execute("PRAGMA journal_mode = WAL")
        self.c.execute("PRAGMA synchronous = NORMAL")
        self.c.execute("PRAGMA busy_timeout = 30000")
        self.c.execute("PRAGMA cache_size = -262144")  # 256 MiB while loading
        self.c.execute("CREATE TEMP TABLE IF NOT EXISTS bench_ids (n INTEGER PRIMARY KEY, code TEXT, task TEXT)")

    def _columns(self, table: str) -> list[tuple[str, bool]]:
        """(name, is_text) of the columns copied; an INTEGER ``id`` is left to AUTOINCREMENT."""
        out = []
        for _, name, decl, *_ in self.c.execute(f'PRAGMA table_info("{table}")'):
            if name == "id" and decl.upper().startswith("INT"):
                continue
            out.append((name, decl.upper().startswith("TEXT")))
        return out

    async def _copy(self, t: Template, lo: int, hi: int, parity: int | None) -> list[tuple[str, str]]:
        c = self.c
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("DELETE FROM temp.bench_ids")
            c.execute(
                "WITH RECURSIVE s(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM s WHERE n < ?) "
                "INSERT INTO temp.bench_ids SELECT n, upper(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || "
                "substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21, 12)), CAST(? + n AS TEXT) "
                "FROM (SELECT n, hex(randomblob(16)) AS h FROM s)" + ("" if parity is None else " WHERE n % 2 = ?"),
                (lo, hi, TASK_ID_BASE) + (() if parity is None else (parity,)))
            for table, key in (("instances", "code"), *_CHILD_TABLES):
                cols = self._columns(table)
                exprs = [f"replace(replace(t.{n}, ?, b.code), ?, b.task)" if is_text else f"t.{n}" for n, is_text in cols]
                args: list[Any] = []
                for _, is_text in cols:
                    if is_text:
                        args += [t.code, t.task_id]
                c.execute(f"INSERT INTO {table} ({', '.join(n for n, _ in cols)}) SELECT {', '.join(exprs)} "
                          "FROM (SELECT code, task FROM temp.bench_ids ORDER BY code) b "
                          f"CROSS JOIN {table} t WHERE t.{key} = ?", (*args, t.code))
            pairs = [(r[0], r[1]) for r in c.execute("SELECT task, code FROM temp.bench_ids")] if parity is None else []
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return pairs

    async def _delete(self, codes: list[str]) -> None:
        c = self.c
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("CREATE TEMP TABLE IF NOT EXISTS bench_gone (code TEXT PRIMARY KEY)")
            c.execute("DELETE FROM temp.bench_gone")
            c.executemany("INSERT INTO temp.bench_gone VALUES (?)", [(x,) for x in codes])
            for table, key in (("instances", "code"), *_CHILD_TABLES):
                c.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT code FROM temp.bench_gone)")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    async def _has_column(self, table: str, column: str) -> bool:
        return any(r[1] == column for r in self.c.execute(f'PRAGMA table_info("{table}")'))

    async def _mark_routed(self, codes: list[str]) -> None:
        self.c.execute(f"UPDATE outbox SET routed = 1 WHERE instance_code IN ({', '.join('?' * len(codes))})", codes)

    async def _after_bulk(self) -> None:
        # The copies' search texts into the FTS index, as the server's indexer would have folded them by now
        # (migration 0018 keeps a mark of what the index holds; before it, the triggers indexed each row).
        if self.c.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_fts_state'").fetchone():
            self.c.execute("BEGIN IMMEDIATE")
            mark = self.c.execute("SELECT indexed_through FROM search_fts_state").fetchone()[0]
            self.c.execute("INSERT INTO search_texts_fts (rowid, body) SELECT id, body FROM search_texts WHERE id > ?",
                           (mark,))
            self.c.execute("UPDATE search_fts_state SET indexed_through = (SELECT COALESCE(MAX(id), 0) "
                           "FROM search_texts)")
            self.c.execute("COMMIT")
        self.c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def _secondary_indexes(self) -> list[tuple[str, str, str]]:
        tables = [t for t, _ in (("instances", ""), *_CHILD_TABLES)]
        rows = self.c.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({', '.join('?' * len(tables))})", tables).fetchall()
        return [(name, f'DROP INDEX "{name}"', sql) for name, sql in rows]

    async def _ddl(self, sql: str) -> None:
        self.c.execute(sql)

    async def count_instances(self) -> int:
        return int(self.c.execute("SELECT count(*) FROM instances").fetchone()[0])

    async def close(self) -> None:
        self.c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.c.close()


# -- PostgreSQL ----------------------------------------------------------------------------------------
class PostgresLoader(Loader):
    def __init__(self, conn: Any) -> None:
        super().__init__()
        self.c = conn
        self._cols: dict[str, list[tuple[str, bool]]] = {}

    @classmethod
    async def connect(cls, url: str) -> PostgresLoader:
        import asyncpg  # type: ignore[import-untyped]

        conn = await asyncpg.connect(url)
        await conn.execute("SET synchronous_commit = off")  # the loader's own commits; the server's are untouched
        await conn.execute("SET maintenance_work_mem = '256MB'")  # the index builds after a bulk load
        await conn.execute("CREATE TEMP TABLE IF NOT EXISTS bench_ids (n BIGINT PRIMARY KEY, code TEXT, task TEXT)")
        return cls(conn)

    async def _columns(self, table: str) -> list[tuple[str, bool]]:
        if table not in self._cols:
            rows = await self.c.fetch(
                "SELECT column_name, data_type, column_default FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position", table)
            self._cols[table] = [(r[0], r[1] == "text") for r in rows
                                 if not (r[0] == "id" and (r[2] or "").startswith("nextval"))]
        return self._cols[table]

    async def _copy(self, t: Template, lo: int, hi: int, parity: int | None) -> list[tuple[str, str]]:
        async with self.c.transaction():
            await self.c.execute("TRUNCATE bench_ids")
            await self.c.execute(
                "INSERT INTO bench_ids SELECT n, upper(gen_random_uuid()::text), ($3::bigint + n)::text "
                "FROM generate_series($1::bigint, $2::bigint) n" + ("" if parity is None else " WHERE n % 2 = $4"),
                lo, hi, TASK_ID_BASE, *(() if parity is None else (parity,)))
            for table, key in (("instances", "code"), *_CHILD_TABLES):
                cols = await self._columns(table)
                exprs = [f"replace(replace(t.{n}, $1, b.code), $2, b.task)" if is_text else f"t.{n}"
                         for n, is_text in cols]
                await self.c.execute(
                    f"INSERT INTO {table} ({', '.join(n for n, _ in cols)}) SELECT {', '.join(exprs)} "
                    f"FROM {table} t, bench_ids b WHERE t.{key} = $1 ORDER BY b.code", t.code, t.task_id)
            if parity is not None:
                return []
            return [(r[0], r[1]) for r in await self.c.fetch("SELECT task, code FROM bench_ids")]

    async def _secondary_indexes(self) -> list[tuple[str, str, str]]:
        rows = await self.c.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY($1::text[]) AND NOT x.indisunique",
            ["instances", *(t for t, _ in _CHILD_TABLES)])
        return [(r[0], f'DROP INDEX "{r[0]}"', r[1]) for r in rows]

    async def _ddl(self, sql: str) -> None:
        await self.c.execute(sql)

    async def _after_bulk(self) -> None:
        # What autovacuum would do some time later, done now so that it does not run during a measurement.
        for table in ("instances", *(t for t, _ in _CHILD_TABLES)):
            await self.c.execute(f"VACUUM (ANALYZE) {table}")
        try:
            await self.c.execute("CHECKPOINT")
        except Exception:  # noqa: BLE001 - only a superuser may; the run is then merely noisier
            pass

    async def count_instances(self) -> int:
        return int(await self.c.fetchval("SELECT count(*) FROM instances"))

    async def server_backends(self) -> list[int]:
        return [int(r[0]) for r in await self.c.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'")]

    async def _delete(self, codes: list[str]) -> None:
        import asyncpg

        for attempt in range(10):  # the server's delivery worker may be marking these outbox rows routed
            try:
                async with self.c.transaction():
                    for table, key in (("instances", "code"), *_CHILD_TABLES):
                        await self.c.execute(f"DELETE FROM {table} WHERE {key} = ANY($1::text[])", codes)
                break
            except asyncpg.DeadlockDetectedError:
                if attempt == 9:
                    raise
                await asyncio.sleep(0.2)
        # Now, rather than when autovacuum gets to it in the middle of the next measurement.
        await self.c.execute("VACUUM " + ", ".join(t for t, _ in (("instances", ""), *_CHILD_TABLES)))

    async def _has_column(self, table: str, column: str) -> bool:
        return any(n == column for n, _ in await self._columns(table))

    async def _mark_routed(self, codes: list[str]) -> None:
        await self.c.execute("UPDATE outbox SET routed = 1 WHERE instance_code = ANY($1::text[])", codes)

    async def close(self) -> None:
        await self.c.close()


# -- PostgreSQL databases for the benchmark ------------------------------------------------------------
_PG_CANDIDATES = ["postgresql://postgres@127.0.0.1:5432/postgres", "postgresql://root@127.0.0.1:5432/postgres"]


def database_name(base: str) -> str:
    """The name of a benchmark database: ``base`` plus ``$SHENPI_BENCH_DB_SUFFIX``, so that two checkouts can
    measure side by side without dropping each other's database."""
    return base + os.environ.get("SHENPI_BENCH_DB_SUFFIX", "")


async def pg_admin_url(preferred: str | None) -> str | None:
    import asyncpg

    for url in [preferred] if preferred else _PG_CANDIDATES:
        try:
            conn = await asyncio.wait_for(asyncpg.connect(url), 3)
        except (TimeoutError, OSError, asyncpg.PostgresError):
            continue
        await conn.close()
        return url
    return None


def with_database(url: str, database: str) -> str:
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{database}" + (f"?{query}" if query else "")


async def pg_recreate(admin: str, database: str) -> str:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return with_database(admin, database)


async def pg_drop(admin: str, database: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


async def pg_settings(url: str) -> dict[str, str]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])",
                                ["server_version", "fsync", "synchronous_commit", "shared_buffers", "max_connections"])
        return {r[0]: r[1] for r in rows}
    finally:
        await conn.close()
