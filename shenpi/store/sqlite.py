"""The embedded SQLite backend: the raw ``sqlite3`` driver, WAL, called straight from the event loop.

Measured on this machine, raw sqlite3 in the loop runs a reject transaction ~5x faster than aiosqlite and
~10x faster than SQLAlchemy; a transaction here is a few hundred microseconds of CPU with no awaits inside,
so running it on the loop costs less than handing it to a thread. One connection per process serves them;
transactions are serialized in-process by an asyncio lock and across processes by ``BEGIN IMMEDIATE``. A second
connection only checkpoints the WAL, in a worker thread (WalCheckpointer).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import Aggregate, Definition, Instance, Task, TimelineEntry
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.base import ConcurrentUpdate
from shenpi.store.deliveries import DeliveryMixin
from shenpi.store.migrations import migrations
from shenpi.store.queries import QueryMixin
from shenpi.store.records import App, Tenant, Token


def sqlite_path(url: str) -> str:
    # sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:
    path = url.split(":", 1)[1]
    if path.startswith("///"):
        path = path[3:]
    elif path.startswith("//"):
        path = path[2:]
    return path or ":memory:"


class SqliteTx(QueryMixin, DeliveryMixin):
    dialect = "sqlite"

    def __init__(self, store: SqliteStore, conn: sqlite3.Connection) -> None:
        self._store = store
        self._c = conn

    async def _fetch(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        return self._c.execute(sql, args).fetchall()

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        return self._c.execute(sql, args).rowcount

    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self._c.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        return self._c.execute(sql, args).fetchall()

    # -- tenants, apps, directory ------------------------------------------------------------------
    async def upsert_tenant(self, tenant: Tenant) -> None:
        self._c.execute(
            "INSERT INTO tenants (tenant_key, name, rate_limit_scale) VALUES (?, ?, ?) "
            "ON CONFLICT (tenant_key) DO UPDATE SET name = excluded.name, rate_limit_scale = excluded.rate_limit_scale",
            (tenant.tenant_key, tenant.name, tenant.rate_limit_scale),
        )

    async def get_tenant(self, tenant_key: str) -> Tenant | None:
        r = self._one("SELECT tenant_key, name, rate_limit_scale FROM tenants WHERE tenant_key = ?", (tenant_key,))
        return Tenant(r[0], r[1], r[2]) if r else None

    async def list_tenants(self) -> list[Tenant]:
        return [Tenant(r[0], r[1], r[2]) for r in self._all("SELECT tenant_key, name, rate_limit_scale FROM tenants")]

    async def upsert_app(self, app: App) -> None:
        self._c.execute(
            "INSERT INTO apps (app_id, tenant_key, app_secret, scopes, name, event_url, verification_token, "
            "encrypt_key, admin_user_ids, event_types) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (app_id) DO UPDATE SET "
            "tenant_key = excluded.tenant_key, app_secret = excluded.app_secret, scopes = excluded.scopes, "
            "name = excluded.name, event_url = excluded.event_url, verification_token = excluded.verification_token, "
            "encrypt_key = excluded.encrypt_key, admin_user_ids = excluded.admin_user_ids, "
            "event_types = excluded.event_types",
            (app.app_id, app.tenant_key, app.app_secret, rows.dumps(app.scopes), app.name, app.event_url,
             app.verification_token, app.encrypt_key, rows.dumps(app.admin_user_ids), rows.dumps(app.event_types)),
        )

    _APP_COLS = ("app_id, tenant_key, app_secret, scopes, name, event_url, verification_token, encrypt_key, "
                 "admin_user_ids, event_types")

    @staticmethod
    def _app(r: Any) -> App:
        return App(r[0], r[1], r[2], rows.loads(r[3]), r[4], r[5], r[6], r[7], rows.loads(r[8]), rows.loads(r[9]))

    async def get_app(self, app_id: str) -> App | None:
        r = self._one(f"SELECT {self._APP_COLS} FROM apps WHERE app_id = ?", (app_id,))
        return self._app(r) if r else None

    async def list_apps(self, tenant_key: str | None = None) -> list[App]:
        if tenant_key is None:
            return [self._app(r) for r in self._all(f"SELECT {self._APP_COLS} FROM apps ORDER BY app_id")]
        return [self._app(r) for r in self._all(
            f"SELECT {self._APP_COLS} FROM apps WHERE tenant_key = ? ORDER BY app_id", (tenant_key,))]

    async def upsert_user(self, tenant_key: str, user: User, password_hash: str | None = None) -> None:
        self._c.execute(
            "INSERT INTO users (tenant_key, user_id, name, open_id, union_id, apaas_user_id, department_ids, "
            "leader_user_id, email, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (tenant_key, user_id) DO UPDATE SET name = excluded.name, open_id = excluded.open_id, "
            "union_id = excluded.union_id, apaas_user_id = excluded.apaas_user_id, "
            "department_ids = excluded.department_ids, leader_user_id = excluded.leader_user_id, "
            "email = excluded.email, password_hash = CASE WHEN ? THEN excluded.password_hash ELSE password_hash END",
            (tenant_key, user.user_id, user.name, user.open_id, user.union_id, user.apaas_user_id,
             rows.dumps(user.department_ids), user.leader_user_id, user.email, password_hash or "",
             password_hash is not None),
        )

    async def upsert_department(self, tenant_key: str, dept: Department) -> None:
        self._c.execute(
            "INSERT INTO departments (tenant_key, department_id, name, leader_user_id, parent_department_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_key, department_id) DO UPDATE SET name = excluded.name, "
            "leader_user_id = excluded.leader_user_id, parent_department_id = excluded.parent_department_id",
            (tenant_key, dept.department_id, dept.name, dept.leader_user_id, dept.parent_department_id),
        )

    async def load_directory(self, tenant_key: str) -> Directory:
        users = [rows.user_from(r) for r in self._all(
            f"SELECT {rows.USER_COLS} FROM users WHERE tenant_key = ?", (tenant_key,))]
        depts = [rows.department_from(r) for r in self._all(
            "SELECT department_id, name, leader_user_id, parent_department_id FROM departments WHERE tenant_key = ?",
            (tenant_key,))]
        return Directory(tenant_key, users, depts)

    async def password_hash(self, tenant_key: str, user_id: str) -> str:
        r = self._one("SELECT password_hash FROM users WHERE tenant_key = ? AND user_id = ?", (tenant_key, user_id))
        return str(r[0]) if r else ""

    # -- tokens ---------------------------------------------------------------------------------
    async def insert_token(self, token: Token) -> None:
        self._c.execute(
            "INSERT INTO tokens (token, kind, app_id, tenant_key, user_id, expires_at, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token.token, token.kind, token.app_id, token.tenant_key, token.user_id, token.expires_at,
             token.created_at),
        )

    async def get_token(self, token: str) -> Token | None:
        r = self._one(
            "SELECT token, kind, app_id, tenant_key, expires_at, created_at, user_id FROM tokens WHERE token = ?",
            (token,))
        return Token(*r) if r else None

    async def latest_token(self, app_id: str, kind: str, user_id: str = "") -> Token | None:
        r = self._one(
            "SELECT token, kind, app_id, tenant_key, expires_at, created_at, user_id FROM tokens "
            "WHERE app_id = ? AND kind = ? AND user_id = ? ORDER BY expires_at DESC LIMIT 1",
            (app_id, kind, user_id))
        return Token(*r) if r else None

    # -- definitions ----------------------------------------------------------------------------
    async def get_definition(self, tenant_key: str, code: str) -> Definition | None:
        r = self._one("SELECT version, status FROM definitions WHERE tenant_key = ? AND code = ?", (tenant_key, code))
        if r is None:
            return None
        cached = self._store.definitions.get((tenant_key, code))
        if cached is not None and cached.version == r[0]:
            cached.status = r[1]
            return cached
        r = self._one("SELECT approval_id, status, version, body FROM definitions WHERE tenant_key = ? AND code = ?",
                      (tenant_key, code))
        d = rows.definition_from(tenant_key, code, r[0], r[1], r[2], r[3])
        self._store.definitions[(tenant_key, code)] = d
        return d

    async def save_definition(self, definition: Definition) -> None:
        d = definition
        self._c.execute(
            "INSERT INTO definitions (tenant_key, code, approval_id, status, version, body, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, strftime('%s','now') * 1000, strftime('%s','now') * 1000) "
            "ON CONFLICT (tenant_key, code) DO UPDATE SET status = excluded.status, version = excluded.version, "
            "body = excluded.body, updated_at = excluded.updated_at",
            (d.tenant_key, d.code, d.approval_id, d.status, d.version, rows.dumps(d.body)),
        )

    async def list_definitions(self, tenant_key: str) -> list[Definition]:
        codes = [r[0] for r in self._all("SELECT code FROM definitions WHERE tenant_key = ? ORDER BY created_at, code",
                                         (tenant_key,))]
        out = []
        for code in codes:
            d = await self.get_definition(tenant_key, code)
            if d is not None:
                out.append(d)
        return out

    # -- instances ------------------------------------------------------------------------------
    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None:
        r = self._one(f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE code = ? AND tenant_key = ?",
                      (code_or_uuid, tenant_key))
        if r is None:
            r = self._one(f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE tenant_key = ? AND uuid_key = ?",
                          (tenant_key, code_or_uuid.lower()))
        return rows.instance_from(r) if r else None

    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None:
        # The write lock is already held (BEGIN IMMEDIATE), so what we read stays true until commit.
        inst = await self.find_instance(tenant_key, instance_code)
        if inst is None:
            return None
        definition = await self.get_definition(tenant_key, inst.approval_code)
        if definition is None:
            return None
        tasks = [rows.task_from(r) for r in self._all(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE instance_code = ? ORDER BY start_time, id", (inst.code,))]
        return Aggregate(definition=definition, instance=inst, tasks=tasks)

    async def find_task(self, tenant_key: str, task_id: str) -> Task | None:
        r = self._one(f"SELECT {rows.TASK_COLS} FROM tasks WHERE id = ? AND tenant_key = ?", (task_id, tenant_key))
        return rows.task_from(r) if r else None

    async def timeline(self, tenant_key: str, instance_code: str) -> list[TimelineEntry]:
        return [rows.timeline_from(r) for r in self._all(
            f"SELECT {rows.TIMELINE_COLS} FROM timeline WHERE instance_code = ? AND tenant_key = ? ORDER BY id",
            (instance_code, tenant_key))]

    async def next_serial(self, tenant_key: str) -> int:
        r = self._one("UPDATE tenants SET serial_counter = serial_counter + 1 WHERE tenant_key = ? "
                      "RETURNING serial_counter", (tenant_key,))
        return int(r[0])

    async def save_transition(self, tr: Transition, *, created: bool) -> None:
        c = self._c
        inst = tr.agg.instance
        tenant = inst.tenant_key
        if created:
            values = rows.instance_values(inst)
            c.execute(
                f"INSERT INTO instances ({rows.INSTANCE_COLS}, uuid_key) VALUES ({', '.join('?' * 18)})",
                (*values, inst.uuid.lower() or None),
            )
        else:
            cur = c.execute(
                "UPDATE instances SET status = ?, form = ?, end_time = ?, node_index = ?, round = ?, reverted = ?, "
                "state = ?, version = version + 1 WHERE code = ? AND version = ?",
                (inst.status, rows.dumps(inst.form), inst.end_time, inst.node_index, inst.round, int(inst.reverted),
                 rows.dumps(inst.state), inst.code, inst.version),
            )
            if cur.rowcount != 1:
                raise ConcurrentUpdate(inst.code)
            inst.version += 1
        if tr.new_tasks:
            c.executemany(
                f"INSERT INTO tasks (tenant_key, {rows.TASK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(tenant, *rows.task_values(t)) for t in tr.new_tasks],
            )
        if tr.changed_tasks:
            c.executemany(
                "UPDATE tasks SET status = ?, end_time = ?, user_id = ? WHERE id = ?",
                [(t.status, t.end_time, t.user_id, t.id) for t in tr.changed_tasks.values()],
            )
        if tr.timeline:
            c.executemany(
                f"INSERT INTO timeline (tenant_key, instance_code, {rows.TIMELINE_COLS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(tenant, inst.code, *rows.timeline_values(e)) for e in tr.timeline],
            )
        if tr.events:
            c.executemany(
                "INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(tenant, inst.approval_code, inst.code, e.kind, e.status, rows.event_payload(e), e.operate_time)
                 for e in tr.events],
            )
            await self.record_ccs(tr)

    async def outbox(self, tenant_key: str, instance_code: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT id, approval_code, instance_code, kind, status, payload, created_at FROM outbox WHERE tenant_key = ?"
        args: tuple[Any, ...] = (tenant_key,)
        if instance_code is not None:
            sql += " AND instance_code = ?"
            args += (instance_code,)
        return [
            {"id": r[0], "approval_code": r[1], "instance_code": r[2], "kind": r[3], "status": r[4],
             **rows.loads(r[5]), "created_at": r[6]}
            for r in self._all(sql + " ORDER BY id", args)
        ]

    # -- whole-state snapshots, reset, outbox inspection (issue 7: shenpi.testing, the admin API, the CLI) ------
    # Generic over tables, so tables that later migrations add are exported, wiped and restored without touching
    # this code. schema_migrations describes the schema, not the state: it is never dumped or wiped.
    def _state_tables(self) -> list[str]:
        return [r[0] for r in self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name <> 'schema_migrations' ORDER BY name")]

    def _table_columns(self, table: str) -> list[str]:
        return [r[1] for r in self._all(f'PRAGMA table_info("{table}")')]

    async def schema_version(self) -> int:
        r = self._one("SELECT MAX(version) FROM schema_migrations")
        return int(r[0] or 0)

    async def dump_tables(self) -> dict[str, dict[str, Any]]:
        """Every state table as ``{name: {"columns": [...], "rows": [[...], ...]}}``, rows in insertion order."""
        out: dict[str, dict[str, Any]] = {}
        for table in self._state_tables():
            cols = self._table_columns(table)
            col_sql = ", ".join(f'"{c}"' for c in cols)
            out[table] = {"columns": cols,
                          "rows": [list(r) for r in self._all(f'SELECT {col_sql} FROM "{table}" ORDER BY rowid')]}
        return out

    async def restore_tables(self, tables: dict[str, dict[str, Any]], *,
                             keep: tuple[str, ...] = ()) -> dict[str, int]:
        """Replace the whole state with ``tables`` (the shape ``dump_tables`` returns); returns rows written per table.

        Tables named in ``keep`` keep their rows and only gain the given ones (duplicates ignored): reset keeps
        ``tokens`` so that SDK clients holding a token keep working. A table or column this schema does not have,
        a row of the wrong width or a broken reference raises ValueError; the caller's transaction then rolls back.
        """
        existing = self._state_tables()
        unknown = sorted(set(tables) - set(existing))
        if unknown:
            raise ValueError(f"unknown tables: {', '.join(unknown)}")
        # Rows go in table by table (apps before or after tenants): check references once, at the end.
        self._c.execute("PRAGMA defer_foreign_keys = ON")
        for table in existing:
            if table not in keep:
                # AUTOINCREMENT counters are left alone: an id handed out before the restore (say, a delivery a
                # worker is still sending) must never come to name a different row after it.
                self._c.execute(f'DELETE FROM "{table}"')
        written: dict[str, int] = {}
        for table, data in tables.items():
            cols = [str(c) for c in data.get("columns") or []]
            known = set(self._table_columns(table))
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
                verb = "INSERT OR IGNORE" if table in keep else "INSERT"
                col_sql = ", ".join(f'"{c}"' for c in cols)
                self._c.executemany(f'{verb} INTO "{table}" ({col_sql}) VALUES ({", ".join("?" * len(cols))})', body)
            written[table] = len(body)
        broken = self._all("PRAGMA foreign_key_check")
        if broken:  # checked here: a deferred violation failing COMMIT would leave the transaction open
            raise ValueError(f"table {broken[0][0]} refers to a missing {broken[0][2]} row")
        self._store.definitions.clear()  # the cache is keyed by version, which a restore can bring back
        return written

    async def prune_tokens(self, now_ms: int) -> list[str]:
        """Drop tokens nobody can use: expired, issued after ``now_ms`` (the clock was set back) or whose app is gone
        or now belongs to another tenant. Returns the app ids that lost a token (their SDK caches are stale)."""
        cond = ("created_at > ? OR expires_at <= ? OR NOT EXISTS (SELECT 1 FROM apps a "
                "WHERE a.app_id = tokens.app_id AND a.tenant_key = tokens.tenant_key)")
        apps = [r[0] for r in self._all(f"SELECT DISTINCT app_id FROM tokens WHERE {cond} ORDER BY app_id",
                                        (now_ms, now_ms))]
        self._c.execute(f"DELETE FROM tokens WHERE {cond}", (now_ms, now_ms))
        return apps


    async def request_redelivery(self, outbox_ids: list[int], now_ms: int,
                                 tenant_key: str | None = None) -> list[int]:
        """Ask the delivery worker to send these outbox events again; returns the ids that exist (in that tenant)."""
        marked: list[int] = []
        for outbox_id in outbox_ids:
            r = self._one("SELECT tenant_key FROM outbox WHERE id = ?", (outbox_id,))
            if r is None or (tenant_key is not None and r[0] != tenant_key):
                continue
            self._c.execute(
                "INSERT INTO outbox_redeliveries (outbox_id, tenant_key, requested_at) VALUES (?, ?, ?) "
                "ON CONFLICT (outbox_id) DO UPDATE SET requested_at = excluded.requested_at, requests = requests + 1",
                (outbox_id, r[0], now_ms))
            marked.append(outbox_id)
        return marked


class WalCheckpointer:
    """WAL checkpoints off the event loop.

    Left to itself, SQLite checkpoints inside the COMMIT that takes the WAL past 1000 pages: that commit copies
    the WAL into the database file and fsyncs both, milliseconds to tens of milliseconds during which the event
    loop, and so every request in flight, waits. Measured (bench/, a reject transaction on raw sqlite3): 1.2% of
    transactions took over 5 ms, and the mean was 258 us against 104 us without those checkpoints.

    So the serving connection never checkpoints (``wal_autocheckpoint = 0``), and this task does, on its own
    connection in a worker thread (sqlite3 releases the GIL while SQLite works): every ``interval_s`` a PASSIVE
    checkpoint, which copies what it can without waiting for anyone. A WAL can only start over once every frame
    in it was copied, which a busy writer never lets a concurrent checkpoint see; so once the WAL holds
    ``restart_frames`` frames, one more PASSIVE checkpoint runs while this process holds its transaction lock
    (no transaction of ours open, the loop still serving): it copies the few frames written since the last one,
    and the next write then starts the WAL over. Durability is unchanged: WAL with synchronous=NORMAL, and a
    WAL left behind by a crash is still recovered on open.
    """

    def __init__(self, path: str, lock: asyncio.Lock, *, interval_s: float = 0.1, restart_frames: int = 1000) -> None:
        self._path = path
        self._lock = lock
        self._interval_s = interval_s
        self._restart_frames = restart_frames
        self._conn: sqlite3.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._in_use = threading.Lock()  # held by a checkpoint's worker thread; closing the connection waits for it

    def start(self) -> None:
        self._conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False, timeout=30.0)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sqlite-wal-checkpoint")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # Cancelling the task does not stop a checkpoint already running in its thread: closing the connection under
        # it would crash the process, so the close waits for it.
        await asyncio.to_thread(self._close)

    def _close(self) -> None:
        with self._in_use:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()

    def _passive(self) -> int:
        """One PASSIVE checkpoint; returns the frames in the WAL (-1 when it could not run)."""
        with self._in_use:
            if self._conn is None:
                return -1
            busy, frames, _copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return -1 if busy else int(frames)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval_s)
            try:
                if await asyncio.to_thread(self._passive) >= self._restart_frames:
                    async with self._lock:
                        await asyncio.to_thread(self._passive)
            except sqlite3.Error:  # busy with another process's checkpoint, say: the next round tries again
                pass


class SqliteStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.path = sqlite_path(url)
        self._conn: sqlite3.Connection | None = None
        self._lock = asyncio.Lock()
        self._checkpointer: WalCheckpointer | None = None
        self.definitions: dict[tuple[str, str], Definition] = {}

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable on commit across process crashes
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 30000")
        return conn

    async def open(self) -> None:
        self._conn = self._connect()
        self._migrate(self._conn)
        wal = self._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # not for :memory:
        if wal:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")  # WalCheckpointer checkpoints, off the loop
            self._checkpointer = WalCheckpointer(self.path, self._lock)
            self._checkpointer.start()

    @staticmethod
    def _migrate(conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT)")
            applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
            for version, name, sql in migrations("sqlite"):
                if version in applied:
                    continue
                for statement in sql.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTx]:
        conn = self._conn
        if conn is None:
            raise RuntimeError("store is not open")
        async with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTx(self, conn)
            except BaseException:
                conn.execute("ROLLBACK")
                self.definitions.clear()  # a rolled-back definition write must not linger in the cache
                raise
            else:
                conn.execute("COMMIT")
