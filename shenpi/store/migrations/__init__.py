"""Versioned schema migrations: ``<dialect>/NNNN_name.sql``, applied in order, each exactly once.

A plain-SQL runner rather than Alembic: the store speaks raw drivers (sqlite3, asyncpg) on its hot path,
and each dialect keeps its own hand-written DDL; the runner only needs to know which files are applied.
"""

from __future__ import annotations

from importlib import resources


def migrations(dialect: str) -> list[tuple[int, str, str]]:
    """All migrations of a dialect as (version, name, sql), oldest first."""
    folder = resources.files("shenpi.store.migrations").joinpath(dialect)
    out = []
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    return sorted(out)
