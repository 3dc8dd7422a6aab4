"""The PostgreSQL backend: raw asyncpg over a connection pool, for deployments with several server processes.

Concurrency comes from the database, not from the process: ``load_aggregate`` takes the instance's row lock
(``SELECT ... FOR UPDATE``) so concurrent actions on one instance queue up in PostgreSQL, and every other
transaction runs in parallel at READ COMMITTED.

Round trips are what a transaction costs here, so the hot path is shaped around them: ``get_definition``
checks the cached version and fetches the body only when it changed, in one query; ``load_aggregate`` reads
the definition's version in the locking query; and ``save_transition`` writes the instance, the new and
changed tasks, the timeline and the outbox in a single statement (data-modifying CTEs over ``unnest`` of
array parameters) instead of one ``executemany`` per table. asyncpg prepares and caches every statement per
connection, so each of those is one Bind/Execute. A task reject is BEGIN, four statements, COMMIT.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from functools import lru_cache
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from shenpi.engine import errors
from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import Aggregate, Definition, Instance, Task, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.base import ConcurrentUpdate
from shenpi.store.deliveries import DeliveryMixin
from shenpi.store.migrations import migrations
from shenpi.store.queries import QueryMixin
from shenpi.store.records import App, Tenant, Token

Row = rows.Row

# Any constant works as long as every process uses the same one; advisory locks are per database.
_MIGRATION_LOCK = 0x7368656E7069  # "shenpi"

_INSTANCE_NAMES = [c.strip() for c in rows.INSTANCE_COLS.split(",")]
_I_INSTANCE_COLS = ", ".join(f"i.{c}" for c in _INSTANCE_NAMES)
_APP_COLS = ("app_id, tenant_key, app_secret, scopes, name, event_url, verification_token, encrypt_key, admin_user_ids, "
             "event_types")
_TOKEN_COLS = "token, kind, app_id, tenant_key, expires_at, created_at, user_id"


def _named(sql: str) -> tuple[str, list[str]]:
    """Turn ``@name`` placeholders into asyncpg's ``$n``; the big statements below are unreadable numbered."""
    names: list[str] = []

    def number(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"@([a-z_]+)", number, sql), names


# Every write of a transition is guarded by ``EXISTS (SELECT 1 FROM inst)``: when the instance write matched
# nothing (a stale version, a taken uuid) the statement changes nothing at all, even if a caller were to
# swallow the error and commit.
_TRANSITION_WRITES = """
new_tasks AS (
    INSERT INTO tasks (tenant_key, id, instance_code, node_key, user_id, status, type, start_time, end_time, seq,
                       round)
    SELECT @tenant_key::text, t.* FROM unnest(@t_id::text[], @t_instance_code::text[], @t_node_key::text[],
        @t_user_id::text[], @t_status::text[], @t_type::text[], @t_start_time::bigint[], @t_end_time::bigint[],
        @t_seq::integer[], @t_round::integer[]) AS t
    WHERE EXISTS (SELECT 1 FROM inst)
), changed_tasks AS (
    UPDATE tasks SET status = c.status, end_time = c.end_time, user_id = c.user_id
    FROM unnest(@c_id::text[], @c_status::text[], @c_end_time::bigint[], @c_user_id::text[])
        AS c (id, status, end_time, user_id)
    WHERE tasks.id = c.id AND EXISTS (SELECT 1 FROM inst)
), new_timeline AS (
    INSERT INTO timeline (tenant_key, instance_code, type, create_time, user_id, task_id, comment, node_key,
                          user_id_list, cc_user_ids, ext)
    SELECT @tenant_key::text, @code::text, e.type, e.create_time, e.user_id, e.task_id, e.comment, e.node_key,
           e.user_id_list, e.cc_user_ids, e.ext
    FROM unnest(@e_type::text[], @e_create_time::bigint[], @e_user_id::text[], @e_task_id::text[],
        @e_comment::text[], @e_node_key::text[], @e_user_id_list::text[], @e_cc_user_ids::text[], @e_ext::text[])
        WITH ORDINALITY AS e (type, create_time, user_id, task_id, comment, node_key, user_id_list, cc_user_ids,
                              ext, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY e.ord  -- ids follow the order of the entries: readers sort by id
), new_events AS (
    INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at)
    SELECT @tenant_key::text, @approval_code::text, @code::text, v.kind, v.status, v.payload, v.created_at
    FROM unnest(@v_kind::text[], @v_status::text[], @v_payload::text[], @v_created_at::bigint[])
        WITH ORDINALITY AS v (kind, status, payload, created_at, ord)
    WHERE EXISTS (SELECT 1 FROM inst)
    ORDER BY v.ord
)
SELECT count(*) FROM inst
"""

# A uuid already taken (by a create that committed while this one waited on the index entry) inserts nothing
# and is reported as UuidConflict, the same answer the SQLite backend gives by serializing the two creates.
_CREATE_SQL, _CREATE_ARGS = _named(
    f"WITH inst AS (INSERT INTO instances ({rows.INSTANCE_COLS}, uuid_key) VALUES ("
    + ", ".join(f"@{n}" for n in (*_INSTANCE_NAMES, "uuid_key"))
    + ") ON CONFLICT (tenant_key, uuid_key) DO NOTHING RETURNING 1), "
    + _TRANSITION_WRITES
)
_UPDATE_SQL, _UPDATE_ARGS = _named(
    "WITH inst AS (UPDATE instances SET status = @status, form = @form, end_time = @end_time, "
    "node_index = @node_index, round = @round, reverted = @reverted, state = @state, version = version + 1 "
    "WHERE code = @code AND version = @version RETURNING 1), "
    + _TRANSITION_WRITES
)


def _columns(values: Sequence[tuple[Any, ...]], prefix: str, names: Sequence[str]) -> dict[str, list[Any]]:
    """Rows of values as one array parameter per column, which is what ``unnest`` takes apart again."""
    columns: list[list[Any]] = [list(c) for c in zip(*values, strict=True)] if values else [[] for _ in names]
    return {f"{prefix}{n}": c for n, c in zip(names, columns, strict=True)}


_TASK_NAMES = [c.strip() for c in rows.TASK_COLS.split(",")]
_TIMELINE_NAMES = [c.strip() for c in rows.TIMELINE_COLS.split(",")]


@lru_cache(maxsize=1024)
def _dollar(sql: str) -> str:
    """Translate QueryMixin's SQLite-flavoured SQL: ``?`` becomes ``$n``, and ``LIKE`` becomes
    ``ILIKE ... ESCAPE ''`` because SQLite's LIKE ignores ASCII case and has no escape character."""
    parts = sql.split("'")
    n = 0

    def number(_: re.Match[str]) -> str:
        nonlocal n
        n += 1
        return f"${n}"

    for i in range(0, len(parts), 2):  # the even parts lie outside string literals
        part = re.sub(r"\?", number, parts[i])
        parts[i] = re.sub(r"\bLIKE (\$\d+)", r"ILIKE \1 ESCAPE ''", part)
    return "'".join(parts)


async def _keep_session(conn: Any) -> None:
    """Pool reset hook. The default reset (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) is a round trip on
    every release; this store takes only transaction-scoped locks, opens no cursors, listens to nothing and
    sets nothing, so there is nothing to undo. asyncpg still rolls back a transaction left open."""


def _tenant(r: Row) -> Tenant:
    return Tenant(r[0], r[1], r[2])


def _app(r: Row) -> App:
    return App(r[0], r[1], r[2], rows.loads(r[3]), r[4], r[5], r[6], r[7], rows.loads(r[8]), rows.loads(r[9]))


class PostgresTx(QueryMixin, DeliveryMixin):
    dialect = "postgres"

    def __init__(self, store: PostgresStore, conn: Any) -> None:
        self._store = store
        self._c = conn

    # The mixins' SQL is the dialect-neutral subset with ``?`` placeholders.
    async def _fetch(self, sql: str, args: tuple[Any, ...] = ()) -> list[Sequence[Any]]:
        return await self._all(_dollar(sql), *args)

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        status: str = await self._c.execute(_dollar(sql), *args)
        count = status.rsplit(" ", 1)[-1]  # "UPDATE 3", "INSERT 0 1", "DELETE 0"
        return int(count) if count.isdigit() else 0

    async def _one(self, sql: str, *args: Any) -> Row | None:
        r: Row | None = await self._c.fetchrow(sql, *args)
        return r

    async def _all(self, sql: str, *args: Any) -> list[Row]:
        rs: list[Row] = await self._c.fetch(sql, *args)
        return rs

    # -- tenants, apps, directory ------------------------------------------------------------------
    async def upsert_tenant(self, tenant: Tenant) -> None:
        await self._c.execute(
            "INSERT INTO tenants (tenant_key, name, rate_limit_scale) VALUES ($1, $2, $3) "
            "ON CONFLICT (tenant_key) DO UPDATE SET name = excluded.name, rate_limit_scale = excluded.rate_limit_scale",
            tenant.tenant_key, tenant.name, float(tenant.rate_limit_scale),
        )

    async def get_tenant(self, tenant_key: str) -> Tenant | None:
        r = await self._one("SELECT tenant_key, name, rate_limit_scale FROM tenants WHERE tenant_key = $1", tenant_key)
        return _tenant(r) if r else None

    # SQLite walks these tables in primary-key order; the columns are COLLATE "C", so this is the same order.
    async def list_tenants(self) -> list[Tenant]:
        return [_tenant(r) for r in await self._all(
            "SELECT tenant_key, name, rate_limit_scale FROM tenants ORDER BY tenant_key")]

    async def upsert_app(self, app: App) -> None:
        await self._c.execute(
            f"INSERT INTO apps ({_APP_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
            "ON CONFLICT (app_id) DO UPDATE SET tenant_key = excluded.tenant_key, app_secret = excluded.app_secret, "
            "scopes = excluded.scopes, name = excluded.name, event_url = excluded.event_url, "
            "verification_token = excluded.verification_token, encrypt_key = excluded.encrypt_key, "
            "admin_user_ids = excluded.admin_user_ids, event_types = excluded.event_types",
            app.app_id, app.tenant_key, app.app_secret, rows.dumps(app.scopes), app.name, app.event_url,
            app.verification_token, app.encrypt_key, rows.dumps(app.admin_user_ids), rows.dumps(app.event_types),
        )

    async def get_app(self, app_id: str) -> App | None:
        r = await self._one(f"SELECT {_APP_COLS} FROM apps WHERE app_id = $1", app_id)
        return _app(r) if r else None

    async def list_apps(self, tenant_key: str | None = None) -> list[App]:
        if tenant_key is None:
            return [_app(r) for r in await self._all(f"SELECT {_APP_COLS} FROM apps ORDER BY app_id")]
        return [_app(r) for r in await self._all(
            f"SELECT {_APP_COLS} FROM apps WHERE tenant_key = $1 ORDER BY app_id", tenant_key)]

    async def upsert_user(self, tenant_key: str, user: User, password_hash: str | None = None) -> None:
        await self._c.execute(
            "INSERT INTO users (tenant_key, user_id, name, open_id, union_id, apaas_user_id, department_ids, "
            "leader_user_id, email, password_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
            "ON CONFLICT (tenant_key, user_id) DO UPDATE SET name = excluded.name, open_id = excluded.open_id, "
            "union_id = excluded.union_id, apaas_user_id = excluded.apaas_user_id, "
            "department_ids = excluded.department_ids, leader_user_id = excluded.leader_user_id, "
            "email = excluded.email, "
            "password_hash = CASE WHEN $11::boolean THEN excluded.password_hash ELSE users.password_hash END",
            tenant_key, user.user_id, user.name, user.open_id, user.union_id, user.apaas_user_id,
            rows.dumps(user.department_ids), user.leader_user_id, user.email, password_hash or "",
            password_hash is not None,
        )

    async def upsert_department(self, tenant_key: str, dept: Department) -> None:
        await self._c.execute(
            "INSERT INTO departments (tenant_key, department_id, name, leader_user_id, parent_department_id) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_key, department_id) DO UPDATE SET name = excluded.name, "
            "leader_user_id = excluded.leader_user_id, parent_department_id = excluded.parent_department_id",
            tenant_key, dept.department_id, dept.name, dept.leader_user_id, dept.parent_department_id,
        )

    async def load_directory(self, tenant_key: str) -> Directory:
        users = [rows.user_from(r) for r in await self._all(
            f"SELECT {rows.USER_COLS} FROM users WHERE tenant_key = $1 ORDER BY user_id", tenant_key)]
        depts = [rows.department_from(r) for r in await self._all(
            "SELECT department_id, name, leader_user_id, parent_department_id FROM departments "
            "WHERE tenant_key = $1 ORDER BY department_id", tenant_key)]
        return Directory(tenant_key, users, depts)

    async def password_hash(self, tenant_key: str, user_id: str) -> str:
        r = await self._one("SELECT password_hash FROM users WHERE tenant_key = $1 AND user_id = $2",
                            tenant_key, user_id)
        return str(r[0]) if r else ""

    # -- tokens ---------------------------------------------------------------------------------
    async def insert_token(self, token: Token) -> None:
        await self._c.execute(
            "INSERT INTO tokens (token, kind, app_id, tenant_key, user_id, expires_at, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            token.token, token.kind, token.app_id, token.tenant_key, token.user_id, token.expires_at,
            token.created_at,
        )

    async def get_token(self, token: str) -> Token | None:
        r = await self._one(f"SELECT {_TOKEN_COLS} FROM tokens WHERE token = $1", token)
        return Token(*r) if r else None

    async def latest_token(self, app_id: str, kind: str, user_id: str = "") -> Token | None:
        r = await self._one(
            f"SELECT {_TOKEN_COLS} FROM tokens WHERE app_id = $1 AND kind = $2 AND user_id = $3 "
            "ORDER BY expires_at DESC LIMIT 1",
            app_id, kind, user_id)
        return Token(*r) if r else None

    # -- definitions ----------------------------------------------------------------------------
    def _parsed(self, tenant_key: str, code: str, approval_id: int, status: str, version: int,
                body: str) -> Definition:
        """The definition for this stored version: the cached one when it is that version, else parse it."""
        key = (tenant_key, code)
        cached = self._store.definitions.get(key)
        if cached is not None and cached.version == version:
            cached.status = status
            return cached
        d = rows.definition_from(tenant_key, code, approval_id, status, version, body)
        self._store.definitions[key] = d
        return d

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

    async def save_definition(self, definition: Definition) -> None:
        d = definition
        # Whole seconds, as SQLite's strftime('%s') stores them: list_definitions orders by (created_at, code).
        await self._c.execute(
            "INSERT INTO definitions (tenant_key, code, approval_id, status, version, body, created_at, updated_at) "
            "VALUES ($1, $2, $3, $4, $5, $6, "
            "floor(extract(epoch FROM clock_timestamp()))::bigint * 1000, "
            "floor(extract(epoch FROM clock_timestamp()))::bigint * 1000) "
            "ON CONFLICT (tenant_key, code) DO UPDATE SET status = excluded.status, version = excluded.version, "
            "body = excluded.body, updated_at = excluded.updated_at",
            d.tenant_key, d.code, d.approval_id, d.status, d.version, rows.dumps(d.body),
        )

    async def list_definitions(self, tenant_key: str) -> list[Definition]:
        # One query for the lot; bodies are parsed only for versions the cache does not hold.
        return [self._parsed(tenant_key, r[0], r[1], r[2], r[3], r[4]) for r in await self._all(
            "SELECT code, approval_id, status, version, body FROM definitions WHERE tenant_key = $1 "
            "ORDER BY created_at, code", tenant_key)]

    # -- instances ------------------------------------------------------------------------------
    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None:
        # An instance code wins over another instance's uuid that happens to read the same.
        r = await self._one(
            f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE tenant_key = $1 AND (code = $2 OR uuid_key = $3) "
            "ORDER BY code = $2 DESC LIMIT 1",
            tenant_key, code_or_uuid, code_or_uuid.lower())
        return rows.instance_from(r) if r else None

    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None:
        lock = (f"SELECT {_I_INSTANCE_COLS}, d.approval_id, d.status, d.version FROM instances i "
                "LEFT JOIN definitions d ON d.tenant_key = i.tenant_key AND d.code = i.approval_code ")
        r = await self._one(lock + "WHERE i.code = $1 AND i.tenant_key = $2 FOR UPDATE OF i",
                            instance_code, tenant_key)
        if r is None:  # like find_instance, a uuid names its instance too
            r = await self._one(lock + "WHERE i.tenant_key = $1 AND i.uuid_key = $2 FOR UPDATE OF i",
                                tenant_key, instance_code.lower())
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
        # A statement of its own, after the lock is held: READ COMMITTED gives it a fresh snapshot, so it sees
        # the tasks of whichever transaction held the lock before us.
        tasks = [rows.task_from(t) for t in await self._all(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE instance_code = $1 ORDER BY start_time, id",
            inst.code)]
        return Aggregate(definition=definition, instance=inst, tasks=tasks)

    async def find_task(self, tenant_key: str, task_id: str) -> Task | None:
        r = await self._one(f"SELECT {rows.TASK_COLS} FROM tasks WHERE id = $1 AND tenant_key = $2",
                            task_id, tenant_key)
        return rows.task_from(r) if r else None

    async def timeline(self, tenant_key: str, instance_code: str) -> list[TimelineEntry]:
        return [rows.timeline_from(r) for r in await self._all(
            f"SELECT {rows.TIMELINE_COLS} FROM timeline WHERE instance_code = $1 AND tenant_key = $2 ORDER BY id",
            instance_code, tenant_key)]

    async def next_serial(self, tenant_key: str) -> int:
        # The row lock this takes is held to commit, so serials never repeat, across processes too.
        n = await self._c.fetchval(
            "UPDATE tenants SET serial_counter = serial_counter + 1 WHERE tenant_key = $1 RETURNING serial_counter",
            tenant_key)
        if n is None:
            raise LookupError(f"tenant {tenant_key} not found")
        return int(n)

    async def save_transition(self, tr: Transition, *, created: bool) -> None:
        inst = tr.agg.instance
        params: dict[str, Any] = dict(zip(_INSTANCE_NAMES, rows.instance_values(inst), strict=True))
        params["uuid_key"] = inst.uuid.lower() or None
        params["approval_code"] = inst.approval_code
        params.update(_columns([rows.task_values(t) for t in tr.new_tasks], "t_", _TASK_NAMES))
        params.update(_columns([(t.id, t.status, t.end_time, t.user_id) for t in tr.changed_tasks.values()], "c_",
                               ["id", "status", "end_time", "user_id"]))
        params.update(_columns([rows.timeline_values(e) for e in tr.timeline], "e_", _TIMELINE_NAMES))
        params.update(_columns([(e.kind, e.status, rows.event_payload(e), e.operate_time) for e in tr.events], "v_",
                               ["kind", "status", "payload", "created_at"]))
        sql, names = (_CREATE_SQL, _CREATE_ARGS) if created else (_UPDATE_SQL, _UPDATE_ARGS)
        written = await self._c.fetchval(sql, *(params[n] for n in names))
        if written != 1:
            if created:
                raise errors.UuidConflict(f"uuid {inst.uuid} is already used by another instance", field="uuid")
            raise ConcurrentUpdate(inst.code)
        if not created:
            inst.version += 1
        if tr.events:  # as in SQLite; it only queries for CC events, so a reject pays no extra round trip
            await self.record_ccs(tr)

    async def outbox(self, tenant_key: str, instance_code: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, approval_code, instance_code, kind, status, payload, created_at FROM outbox WHERE tenant_key = $1"
        args: tuple[Any, ...] = (tenant_key,)
        if instance_code is not None:
            sql += " AND instance_code = $2"
            args += (instance_code,)
        return [
            {"id": r[0], "approval_code": r[1], "instance_code": r[2], "kind": r[3], "status": r[4],
             **rows.loads(r[5]), "created_at": r[6]}
            for r in await self._all(sql + " ORDER BY id", *args)
        ]

    # -- whole-state snapshots, reset, outbox inspection (AdminTx) ------------------------------------
    # Generic over tables like the SQLite backend's, so tables that later migrations add come along untouched.
    async def _state_tables(self) -> list[str]:
        return [r[0] for r in await self._all(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'schema_migrations' ORDER BY tablename")]

    async def _table_columns(self, table: str) -> list[str]:
        return [r[0] for r in await self._all(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = $1 ORDER BY ordinal_position", table)]

    async def _key_columns(self, table: str) -> list[str]:
        return [r[0] for r in await self._all(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY (i.indkey) WHERE i.indrelid = to_regclass(quote_ident($1)) AND i.indisprimary "
            "ORDER BY array_position(i.indkey::smallint[], a.attnum)", table)]

    async def schema_version(self) -> int:
        return int(await self._c.fetchval("SELECT MAX(version) FROM schema_migrations") or 0)

    async def dump_tables(self) -> dict[str, dict[str, Any]]:
        """Every state table as ``{name: {"columns": [...], "rows": [[...], ...]}}``.

        Rows come in primary-key order: PostgreSQL keeps no insertion order (SQLite's rowid), and for the tables
        with generated ids the two are the same."""
        out: dict[str, dict[str, Any]] = {}
        for table in await self._state_tables():
            cols = await self._table_columns(table)
            order = ", ".join(f'"{c}"' for c in await self._key_columns(table)) or "ctid"
            col_sql = ", ".join(f'"{c}"' for c in cols)
            out[table] = {"columns": cols, "rows": [
                list(r) for r in await self._all(f'SELECT {col_sql} FROM "{table}" ORDER BY {order}')]}
        return out

    async def restore_tables(self, tables: dict[str, dict[str, Any]], *,
                             keep: tuple[str, ...] = ()) -> dict[str, int]:
        """Replace the whole state with ``tables`` (the shape ``dump_tables`` returns, from either backend);
        returns rows written per table. The contract is SQLite's ``restore_tables``: ``keep`` tables keep their
        rows and gain the given ones, and anything that does not fit raises ValueError."""
        existing = await self._state_tables()
        unknown = sorted(set(tables) - set(existing))
        if unknown:
            raise ValueError(f"unknown tables: {', '.join(unknown)}")
        references = {r[0]: (r[1], r[2]) for r in await self._all(
            "SELECT conname, conrelid::regclass::text, confrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace")}
        await self._c.execute("SET CONSTRAINTS ALL DEFERRED")  # tables go in one by one: check references at the end
        for table in existing:
            if table not in keep:
                # DELETE, not TRUNCATE ... RESTART IDENTITY: as in the SQLite backend the id sequences never move
                # back, so an id handed out before the restore (a delivery a worker is still sending) never comes
                # to name a different row after it.
                await self._c.execute(f'DELETE FROM "{table}"')
        written: dict[str, int] = {}
        for table, data in tables.items():
            cols = [str(c) for c in data.get("columns") or []]
            known = await self._table_columns(table)
            bad = [c for c in cols if c not in known]
            if bad:
                raise ValueError(f"table {table} has no column {', '.join(bad)}")
            body = [tuple(r) for r in data.get("rows") or []]
            for i, r in enumerate(body):
                if len(r) != len(cols):
                    raise ValueError(f"table {table}, row {i}: {len(r)} values for {len(cols)} columns")
                for v in r:
                    if v is not None and not isinstance(v, int | float | str | bytes):
                        raise ValueError(f"table {table}, row {i}: a {type(v).__name__} is not a column value")
            if cols and body:
                col_sql = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join(f"${n}" for n in range(1, len(cols) + 1))
                ignore = " ON CONFLICT DO NOTHING" if table in keep else ""
                try:
                    await self._c.executemany(f'INSERT INTO "{table}" ({col_sql}) VALUES ({marks}){ignore}', body)
                except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as e:
                    raise ValueError(f"table {table}: {e}") from None
            written[table] = len(body)
        try:
            await self._c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # checks the deferred references now
        except asyncpg.ForeignKeyViolationError as e:
            table, missing = references.get(e.constraint_name or "", (e.table_name or "a table", "referenced"))
            raise ValueError(f"table {table} refers to a missing {missing} row") from None
        await self._advance_sequences(list(tables))
        self._store.definitions.clear()  # the cache is keyed by version, which a restore can bring back
        return written

    async def _advance_sequences(self, tables: list[str]) -> None:
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

    async def prune_tokens(self, now_ms: int) -> list[str]:
        """Drop tokens nobody can use: expired, issued after ``now_ms`` (the clock was set back) or whose app is gone
        or now belongs to another tenant. Returns the app ids that lost a token (their SDK caches are stale)."""
        gone = await self._all(
            "DELETE FROM tokens WHERE created_at > $1 OR expires_at <= $1 OR NOT EXISTS (SELECT 1 FROM apps a "
            "WHERE a.app_id = tokens.app_id AND a.tenant_key = tokens.tenant_key) RETURNING app_id", now_ms)
        return sorted({r[0] for r in gone})


    async def request_redelivery(self, outbox_ids: list[int], now_ms: int,
                                 tenant_key: str | None = None) -> list[int]:
        """Ask the delivery worker to send these outbox events again; returns the ids that exist (in that tenant)."""
        marked: list[int] = []
        for outbox_id in outbox_ids:
            r = await self._one("SELECT tenant_key FROM outbox WHERE id = $1", outbox_id)
            if r is None or (tenant_key is not None and r[0] != tenant_key):
                continue
            await self._c.execute(
                "INSERT INTO outbox_redeliveries (outbox_id, tenant_key, requested_at) VALUES ($1, $2, $3) "
                "ON CONFLICT (outbox_id) DO UPDATE SET requested_at = excluded.requested_at, "
                "requests = outbox_redeliveries.requests + 1",
                outbox_id, r[0], now_ms)
            marked.append(outbox_id)
        return marked


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
