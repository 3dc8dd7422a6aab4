"""The two reference servers the benchmark compares shenpi with, on shenpi's own HTTP stack.

Both are raw ASGI apps served by uvicorn with the options ``shenpi serve`` uses, answer with shenpi's envelope
and headers (``shenpi.api.wire.respond``), and take the same request bytes as shenpi's reject:

* ``ceiling``: reads the body and answers ``{"code":0,"msg":"success","data":{}}`` — the most any endpoint on
  this stack can do.
* ``floor``: a minimal reject written directly on the raw driver — ``sqlite3`` on the event loop, or an
  ``asyncpg`` pool — against a database shenpi migrated: in one transaction the task row (PENDING -> REJECTED),
  the instance row, one timeline row and two outbox rows (task and instance events), nothing else: no token,
  no scope, no engine, no reads beyond what the task update returns.

Run as ``python -m bench.servers ceiling|floor --port P [--db URL] [--workers N]``; GET /healthz answers 200.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import sqlite3
import time
from typing import Any

import msgspec

from shenpi import ids
from shenpi.api.wire import Receive, Scope, Send, envelope, read_body, respond

OK = envelope(0, "success", {})
TASK_NOT_FOUND = envelope(1390003, "task not found", None)


class RejectBody(msgspec.Struct):
    approval_code: str = ""
    instance_code: str = ""
    user_id: str = ""
    task_id: str = ""
    comment: str = ""


_enc = msgspec.json.Encoder()


def _payload(task_id: str, user_id: str, node_key: str, now: int) -> str:
    return _enc.encode({"task_id": task_id, "user_id": user_id, "node_key": node_key, "operate_time": now,
                        "extra": {}}).decode()


class Ceiling:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        await read_body(receive)
        await respond(send, 200, OK, ids.log_id())


async def _lifespan(receive: Receive, send: Send, startup: Any = None, shutdown: Any = None) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if startup is not None:
                await startup()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if shutdown is not None:
                await shutdown()
            await send({"type": "lifespan.shutdown.complete"})
            return


_TIMELINE = ("INSERT INTO timeline (tenant_key, instance_code, type, create_time, user_id, task_id, comment, node_key, "
             "user_id_list, cc_user_ids, ext) VALUES ({p}, {p}, 'REJECT', {p}, {p}, {p}, {p}, {p}, '[]', '[]', '{{}}')")
_SQLITE_TIMELINE = _TIMELINE.format(p="?")
_PG_TIMELINE = _TIMELINE.replace("{p}", "${}").format(*range(1, 8))
_SQLITE_OUTBOX = ("INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at) "
                  "VALUES (?, ?, ?, ?, 'REJECTED', ?, ?)")
_PG_OUTBOX = ("INSERT INTO outbox (tenant_key, approval_code, instance_code, kind, status, payload, created_at) "
              "VALUES ($1, $2, $3, 'task', 'REJECTED', $4, $6), ($1, $2, $3, 'instance', 'REJECTED', $5, $6)")


class SqliteFloor:
    """One connection per process on the event loop, configured as shenpi's SQLite store configures its own (WAL,
    synchronous=NORMAL, WAL checkpoints off the loop by the store's WalCheckpointer, which needs transactions
    to hold its lock); a transaction has no awaits."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.c: sqlite3.Connection | None = None
        self.lock = asyncio.Lock()
        self.checkpointer: Any = None

    async def open(self) -> None:
        c = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON", "busy_timeout = 30000"):
            c.execute(f"PRAGMA {pragma}")
        self.c = c
        try:
            from shenpi.store.sqlite import WalCheckpointer
        except ImportError:  # a shenpi whose store checkpoints inside COMMIT: do as it does
            return
        c.execute("PRAGMA wal_autocheckpoint = 0")
        self.checkpointer = WalCheckpointer(self.path, self.lock)
        self.checkpointer.start()

    async def close(self) -> None:
        if self.checkpointer is not None:
            await self.checkpointer.stop()
        if self.c is not None:
            self.c.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self.open, self.close)
            return
        log_id = ids.log_id()
        if scope["path"] == "/healthz":
            await respond(send, 200, OK, log_id)
            return
        b = msgspec.json.decode(await read_body(receive), type=RejectBody)
        c = self.c
        assert c is not None
        now = int(time.time() * 1000)
        async with self.lock:
            c.execute("BEGIN IMMEDIATE")
            try:
                r = c.execute("UPDATE tasks SET status = 'REJECTED', end_time = ? WHERE id = ? "
                              "AND status = 'PENDING' RETURNING tenant_key, node_key", (now, b.task_id)).fetchone()
                if r is not None:
                    tenant, node = r
                    c.execute("UPDATE instances SET status = 'REJECTED', end_time = ?, version = version + 1 "
                              "WHERE code = ?", (now, b.instance_code))
                    c.execute(_SQLITE_TIMELINE, (tenant, b.instance_code, now, b.user_id, b.task_id, b.comment, node))
                    c.executemany(_SQLITE_OUTBOX, [
                        (tenant, b.approval_code, b.instance_code, "task", _payload(b.task_id, b.user_id, node, now),
                         now),
                        (tenant, b.approval_code, b.instance_code, "instance", _payload("", "", "", now), now)])
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        await respond(send, 200 if r is not None else 400, OK if r is not None else TASK_NOT_FOUND, log_id)


async def _no_reset(conn: Any) -> None:
    """The pool's per-release reset is a round trip; this app leaves nothing in a session to reset."""


class PostgresFloor:
    """An asyncpg pool per process (the size shenpi's store uses): BEGIN, four statements, COMMIT."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.pool: Any = None

    async def open(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        self.pool = await asyncpg.create_pool(self.url, min_size=1, max_size=10, reset=_no_reset)

    async def close(self) -> None:
        await self.pool.close()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send, self.open, self.close)
            return
        log_id = ids.log_id()
        if scope["path"] == "/healthz":
            await respond(send, 200, OK, log_id)
            return
        b = msgspec.json.decode(await read_body(receive), type=RejectBody)
        now = int(time.time() * 1000)
        async with self.pool.acquire() as conn, conn.transaction():
            r = await conn.fetchrow("UPDATE tasks SET status = 'REJECTED', end_time = $1 WHERE id = $2 "
                                    "AND status = 'PENDING' RETURNING tenant_key, node_key", now, b.task_id)
            if r is not None:
                tenant, node = r
                await conn.execute("UPDATE instances SET status = 'REJECTED', end_time = $1, version = version + 1 "
                                   "WHERE code = $2", now, b.instance_code)
                await conn.execute(_PG_TIMELINE,
                                   tenant, b.instance_code, now, b.user_id, b.task_id, b.comment, node)
                await conn.execute(
                    _PG_OUTBOX, tenant, b.approval_code, b.instance_code, _payload(b.task_id, b.user_id, node, now),
                    _payload("", "", "", now), now)
        await respond(send, 200 if r is not None else 400, OK if r is not None else TASK_NOT_FOUND, log_id)


def build_app() -> Any:
    """The app named by BENCH_APP / BENCH_DB: the uvicorn factory each worker process calls."""
    kind, db = os.environ["BENCH_APP"], os.environ.get("BENCH_DB", "")
    if kind == "ceiling":
        return Ceiling()
    if db.startswith("sqlite:"):
        from shenpi.store.sqlite import sqlite_path

        return SqliteFloor(sqlite_path(db))
    return PostgresFloor(db)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.servers")
    p.add_argument("app", choices=["ceiling", "floor"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--db", default="")
    p.add_argument("--workers", type=int, default=1)
    a = p.parse_args()
    os.environ.update({"BENCH_APP": a.app, "BENCH_DB": a.db})
    # How ``shenpi serve`` runs uvicorn, with its options, so that only the application differs.
    options: dict[str, Any] = {"host": "127.0.0.1", "port": a.port, "log_level": "warning", "access_log": False,
                               "server_header": False, "date_header": True}
    try:
        from shenpi.cli.serve import run_uvicorn
    except ImportError:  # a shenpi from before run_uvicorn: plain uvicorn.run, as it used
        import uvicorn

        uvicorn.run("bench.servers:build_app", factory=True, workers=a.workers, **options)
        return
    # The parser and loop ``shenpi serve`` would pick from the same environment (--http / --loop).
    stack = {"http": os.environ.get("SHENPI_HTTP", "h11"), "loop": os.environ.get("SHENPI_LOOP", "asyncio")}
    if "http" not in inspect.signature(run_uvicorn).parameters:  # a shenpi whose run_uvicorn took uvicorn's own
        stack = {}
    run_uvicorn("bench.servers:build_app", a.workers, **stack, **options)


if __name__ == "__main__":
    main()
