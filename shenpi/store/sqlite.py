"""The embedded SQLite backend: the raw ``sqlite3`` driver, WAL, called straight from the event loop.

Measured on this machine, raw sqlite3 in the loop runs a reject transaction ~5x faster than aiosqlite and
~10x faster than SQLAlchemy; a transaction here is a few hundred microseconds of CPU with no awaits inside,
so running it on the loop costs less than handing it to a thread. One connection per process serves them, one
transaction at a time (shenpi/store/lock.py, ``SingleWriter``). A second connection only checkpoints the WAL, in
a worker thread (WalCheckpointer).

This module keeps what is SQLite's own: the connection and its pragmas, the aggregate's hot path, the catalog
lookups of snapshots, and the migrations runner; the portable SQL is in the mixins.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from shenpi.background import cancel_and_wait
from shenpi.engine.model import Aggregate, Definition, Instance
from shenpi.engine.state import encode_flow_state
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.aggregate import AggregateMixin
from shenpi.store.base import DuplicateUuid
from shenpi.store.deliveries import DeliveryMixin
from shenpi.store.files import FileMixin
from shenpi.store.inbox import InboxMixin
from shenpi.store.lock import SingleWriter, check_version, versioned_update
from shenpi.store.migrations import migrations
from shenpi.store.notifications import Notification, NotificationMixin
from shenpi.store.operator import OperatorMixin
from shenpi.store.platform import PlatformMixin
from shenpi.store.queries import QueryMixin
from shenpi.store.search import SearchIndexer
from shenpi.store.sql import Row


def sqlite_path(url: str) -> str:
    # sqlite:///relative.db, sqlite:////abs/path.db, sqlite:///:memory:
    path = url.split(":", 1)[1]
    if path.startswith("///"):
        path = path[3:]
    elif path.startswith("//"):
        path = path[2:]
    return path or ":memory:"


_UPDATE_INSTANCE = versioned_update(
    "status = ?, form = ?, end_time = ?, node_index = ?, round = ?, reverted = ?, state = ?", code="?", version="?")
# A row of an approval no app subscribes to is written already routed, as the router would mark it
# (DeliveryMixin.skip_unsubscribed_outbox): an event goes to the apps subscribed when it happened.
_INSERT_OUTBOX = ("INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at, "
                  "routed) VALUES (?, ?, ?, ?, ?, ?, ?, NOT EXISTS (SELECT 1 FROM subscriptions s "
                  "WHERE s.tenant_key = ? AND s.approval_code = ?))")


class SqliteTx(PlatformMixin, AggregateMixin, QueryMixin, InboxMixin, DeliveryMixin, OperatorMixin, FileMixin,
               NotificationMixin):
    dialect = "sqlite"
    _NOW_S_AS_MS = "strftime('%s','now') * 1000"

    def __init__(self, store: SqliteStore, conn: sqlite3.Connection) -> None:
        self._store = store
        self._c = conn

    async def _fetch(self, sql: str, args: tuple[Any, ...] = ()) -> list[Row]:
        return self._c.execute(sql, args).fetchall()

    async def _fetchone(self, sql: str, args: tuple[Any, ...] = ()) -> Row | None:
        r: Row | None = self._c.execute(sql, args).fetchone()
        return r

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        return self._c.execute(sql, args).rowcount

    # The hot path calls these synchronous twins: no await is needed between two SQLite calls.
    def _one(self, sql: str, args: tuple[Any, ...] = ()) -> Any:
        return self._c.execute(sql, args).fetchone()

    def _all(self, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
        return self._c.execute(sql, args).fetchall()

    # -- the aggregate --------------------------------------------------------------------------
    async def get_definition(self, tenant_key: str, code: str) -> Definition | None:
        # The version alone first: the body is read and parsed only when the cache does not hold that version.
        r = self._one("SELECT version, status FROM definitions WHERE tenant_key = ? AND code = ?", (tenant_key, code))
        if r is None:
            return None
        cached = self._store.definitions.get((tenant_key, code))
        if cached is not None and cached.version == r[0]:
            cached.status = r[1]
            return cached
        r = self._one("SELECT approval_id, status, version, body FROM definitions WHERE tenant_key = ? AND code = ?",
                      (tenant_key, code))
        return self._parsed(tenant_key, code, r[0], r[1], r[2], r[3])

    async def find_instance(self, tenant_key: str, code_or_uuid: str) -> Instance | None:
        # An instance code wins over another instance's uuid that happens to read the same.
        r = self._one(f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE code = ? AND tenant_key = ?",
                      (code_or_uuid, tenant_key))
        if r is None:
            r = self._one(f"SELECT {rows.INSTANCE_COLS} FROM instances WHERE tenant_key = ? AND uuid_key = ?",
                          (tenant_key, code_or_uuid.lower()))
        return rows.instance_from(r) if r else None

    async def load_aggregate(self, tenant_key: str, instance_code: str) -> Aggregate | None:
        # The write lock is already held (SingleWriter), so what we read stays true until commit.
        inst = await self.find_instance(tenant_key, instance_code)
        if inst is None:
            return None
        definition = await self.get_definition(tenant_key, inst.approval_code)
        if definition is None:
            return None
        definition = await self._as_started(definition, inst)
        tasks = [rows.task_from(r) for r in self._all(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE instance_code = ? ORDER BY start_time, id", (inst.code,))]
        return Aggregate(definition=definition, instance=inst, tasks=tasks)

    async def save_transition(self, tr: Transition, *, created: bool,
                              notifications: Sequence[Notification] = ()) -> None:
        c = self._c
        inst = tr.agg.instance
        tenant = inst.tenant_key
        if created:
            try:
                c.execute(f"INSERT INTO instances ({rows.INSTANCE_COLS}, uuid_key) VALUES ({', '.join('?' * 18)})",
                          (*rows.instance_values(inst), inst.uuid.lower() or None))
            except sqlite3.IntegrityError as e:
                if "instances.uuid_key" in str(e):  # the unique index on (tenant_key, uuid_key)
                    raise DuplicateUuid(inst.uuid) from None
                raise
        else:
            cur = c.execute(_UPDATE_INSTANCE, (inst.status, rows.form_json(inst), inst.end_time, inst.node_index,
                                               inst.round, int(inst.reverted), encode_flow_state(inst.state),
                                               inst.code, inst.version))
            check_version(cur.rowcount, inst)
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
            c.executemany(_INSERT_OUTBOX,
                          [(tenant, inst.approval_code, inst.code, e.kind, e.status, rows.event_payload(e),
                            e.operate_time, tenant, inst.approval_code) for e in tr.events])
            await self.record_ccs(tr)
        await self._index_transition(tr, created=created)
        await self.insert_notifications(notifications)

    async def _fold_search_texts(self, limit: int) -> int:
        """Add up to ``limit`` search texts written since the last batch to the FTS index (``SearchIndexer``)."""
        mark = self._one("SELECT indexed_through FROM search_fts_state")[0]
        ids = self._all("SELECT id FROM search_texts WHERE id > ? ORDER BY id LIMIT ?", (mark, limit))
        if not ids:
            return 0
        top = ids[-1][0]
        self._c.execute("INSERT INTO search_texts_fts (rowid, body) SELECT id, body FROM search_texts "
                        "WHERE id > ? AND id <= ?", (mark, top))
        self._c.execute("UPDATE search_fts_state SET indexed_through = ?", (top,))
        return len(ids)

    # -- what snapshots need from the catalog (OperatorMixin) ---------------------------------------
    async def _state_tables(self) -> list[str]:
        return [r[0] for r in self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_texts_fts%' "  # the FTS index of search_texts: rebuilt by its triggers
            "AND name <> 'search_fts_state' "  # ... and its mark, which restored rows below it are indexed against
            "AND name NOT IN ('schema_migrations', 'long_connections') ORDER BY name")]

    async def _table_columns(self, table: str) -> list[str]:
        return [r[1] for r in self._all(f'PRAGMA table_info("{table}")')]

    async def _dump_order(self, table: str) -> str:
        return "rowid"  # insertion order

    @asynccontextmanager
    async def _references_checked_at_end(self) -> AsyncIterator[None]:
        self._c.execute("PRAGMA defer_foreign_keys = ON")
        yield
        broken = self._all("PRAGMA foreign_key_check")
        if broken:  # checked here: a deferred violation failing COMMIT would leave the transaction open
            raise ValueError(f"table {broken[0][0]} refers to a missing {broken[0][2]} row")

    async def _insert_rows(self, table: str, cols: list[str], body: list[tuple[Any, ...]], *,
                           keep_existing: bool) -> None:
        verb = "INSERT OR IGNORE" if keep_existing else "INSERT"
        col_sql = ", ".join(f'"{c}"' for c in cols)
        self._c.executemany(f'{verb} INTO "{table}" ({col_sql}) VALUES ({", ".join("?" * len(cols))})', body)


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
        await cancel_and_wait(task)
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
        self._writer: SingleWriter | None = None
        self._checkpointer: WalCheckpointer | None = None
        self._indexer: SearchIndexer | None = None
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
        self._writer = SingleWriter(self._conn)
        wal = self._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # not for :memory:
        if wal:
            self._conn.execute("PRAGMA wal_autocheckpoint = 0")  # WalCheckpointer checkpoints, off the loop
            self._checkpointer = WalCheckpointer(self.path, self._writer.lock)
            self._checkpointer.start()
        self._indexer = SearchIndexer(self.transaction)
        self._indexer.start()

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

    def listen(self, channel: str, on_signal: Callable[[], None]) -> None:
        """No signals between processes on SQLite: a process sharing the file with others polls."""
        return None

    async def close(self) -> None:
        if self._indexer is not None:
            await self._indexer.stop()
            self._indexer = None
        if self._checkpointer is not None:
            await self._checkpointer.stop()
            self._checkpointer = None
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._writer = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTx]:
        conn, writer = self._conn, self._writer
        if conn is None or writer is None:
            raise RuntimeError("store is not open")
        async with writer:
            try:
                yield SqliteTx(self, conn)
            except BaseException:
                self.definitions.clear()  # a rolled-back definition write must not linger in the cache
                raise
