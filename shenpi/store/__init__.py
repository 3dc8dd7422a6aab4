"""Persistence behind one interface: SQLite (embedded default) and PostgreSQL.

base.py is the interface (the ``Tx`` protocols by purpose and the store's exceptions); lock.py how concurrent
actions on one instance are serialized; sql.py, platform.py, aggregate.py, queries.py, deliveries.py and
operator.py the SQL written once for both backends; sqlite.py and postgres.py (with postgres_transition.py) only
what differs between them;
rows.py the mapping between rows and domain objects; migrations/ each dialect's DDL.
"""

from __future__ import annotations

from shenpi.store.base import Store


def open_store(url: str) -> Store:
    """Pick the backend from a database URL: ``sqlite:///path.db`` or ``postgresql://...``."""
    if url.startswith("sqlite:"):
        from shenpi.store.sqlite import SqliteStore

        return SqliteStore(url)
    if url.startswith(("postgresql:", "postgres:")):
        from shenpi.store.postgres import PostgresStore  # type: ignore[import-not-found,unused-ignore]

        store: Store = PostgresStore(url)
        return store
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///path or postgresql://...")
