"""The ground the portable SQL stands on: the few primitives every backend's transaction supplies.

The SQL written once (platform.py, aggregate.py, queries.py, deliveries.py, operator.py) is the common subset of
SQLite and PostgreSQL with ``?`` placeholders and rows read by position; PostgreSQL's transaction rewrites ``?``
to ``$n`` (``to_dollar``). What does not fit that subset stays in the backend's module: connections,
transactions and locking, the hot path shaped around each driver, catalog queries, and DDL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from shenpi.engine.model import Definition

Row = Sequence[Any]  # sqlite3 rows and asyncpg Records both index by position


class DefinitionCache(Protocol):
    """The store object behind a transaction: it keeps parsed definitions by (tenant, code), checked against the
    stored version on every read, so a definition written by another process is never served stale."""

    definitions: dict[tuple[str, str], Definition]


class SqlTx:
    """The base of every backend's transaction class and of the mixins that hold the portable SQL."""

    dialect: str  # "sqlite" | "postgres"
    _store: DefinitionCache
    plans_for_values = False  # PostgreSQL: this transaction plans each statement for its values (keyset.py)

    async def _fetch(self, sql: str, args: tuple[Any, ...] = ()) -> list[Row]:
        """All rows of a ``?``-placeholder query."""
        raise NotImplementedError

    async def _fetchone(self, sql: str, args: tuple[Any, ...] = ()) -> Row | None:
        """The first row of a ``?``-placeholder query, or None."""
        raise NotImplementedError

    async def _execute(self, sql: str, args: tuple[Any, ...] = ()) -> int:
        """Run a ``?``-placeholder statement; returns the affected row count."""
        raise NotImplementedError

    async def _count(self, sql: str, args: tuple[Any, ...]) -> int:
        r = await self._fetchone(sql, args)
        return int(r[0]) if r else 0


@lru_cache(maxsize=1024)
def to_dollar(sql: str) -> str:
    """The shared SQL in PostgreSQL's terms: ``?`` becomes ``$n``, and ``LIKE ?`` becomes ``ILIKE $n ESCAPE ''``
    because SQLite's LIKE ignores ASCII case and has no escape character. String literals are left alone."""
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
