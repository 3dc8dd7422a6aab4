"""How concurrent actions on one instance are serialized: the lock strategy of each backend, in one place.

An action is read-decide-write in one transaction: ``load_aggregate`` reads the instance and its tasks, the
engine decides, ``save_transition`` writes the outcome. Two actions on one instance (two approvers clicking at
once, or a retried request) must not both decide from the same state, or one would silently undo the other.
Three mechanisms keep them apart:

1. SQLite — a single writer (``SingleWriter``). The whole database has one write lock and every transaction
   takes it at BEGIN, so transactions run one after another: in this process an asyncio lock queues them for the
   one shared connection, and across processes ``BEGIN IMMEDIATE`` waits (``busy_timeout``) for the write lock.
   What a transaction reads therefore stays true until it commits.
2. PostgreSQL — the instance's row lock (``ROW_LOCK``). ``load_aggregate`` reads the instance with
   ``SELECT ... FOR UPDATE``, which waits for, then holds until commit, the lock on that one row; actions on
   other instances run in parallel at READ COMMITTED. The tasks are read by a later statement, after the lock
   is held, so they are those of whichever transaction held it before.
3. Both — the optimistic version check (``versioned_update`` and ``check_version``). The instance's UPDATE
   matches only the version that was loaded and raises ``ConcurrentUpdate`` when it matched nothing: the guard
   for a caller that saves a transition without holding the lock (an aggregate loaded in an earlier
   transaction), and the reason a stale write never lands. The caller loads again and retries, or reports.
"""

from __future__ import annotations

import asyncio
import sqlite3
from types import TracebackType
from typing import Any

from shenpi.engine.model import Instance
from shenpi.store.base import ConcurrentUpdate


class SingleWriter:
    """SQLite: one write transaction at a time on ``conn``, entered with ``async with writer:``.

    The asyncio lock comes first because the connection is shared by the whole process and SQLite's busy wait
    would block the event loop; ``BEGIN IMMEDIATE`` then takes the database's write lock at the start of the
    transaction rather than at its first write, so another process's transaction cannot slip in between a read
    and the write that depends on it. Leaving the block commits, or rolls back on an exception.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.lock = asyncio.Lock()  # WAL checkpoints that must not overlap a transaction take it too
        self._holder: asyncio.Task[Any] | None = None

    async def __aenter__(self) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            # A transaction opened inside another by the same task would wait for itself for ever (PostgreSQL
            # would give it a second connection): fail loudly instead of hanging the process.
            raise RuntimeError("a store transaction was opened inside another one of the same task")
        await self.lock.acquire()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        self._holder = task

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            self.conn.execute("ROLLBACK" if exc_type is not None else "COMMIT")
        finally:
            self._holder = None
            self.lock.release()


# PostgreSQL: the clause that makes load_aggregate's SELECT of the instance (alias ``i``) take its row lock.
ROW_LOCK = "FOR UPDATE OF i"


def versioned_update(assignments: str, *, code: str, version: str) -> str:
    """The instance UPDATE of a transition: bumps ``version`` and matches only the version that was loaded.
    ``code`` and ``version`` are the placeholders the backend binds them with."""
    return (f"UPDATE instances SET {assignments}, version = version + 1 "
            f"WHERE code = {code} AND version = {version}")


def check_version(written: int, inst: Instance) -> None:
    """After the versioned UPDATE: it wrote the one row, so the loaded instance is now one version on; or it
    wrote none, because another transaction moved the instance first."""
    if written != 1:
        raise ConcurrentUpdate(inst.code)
    inst.version += 1
