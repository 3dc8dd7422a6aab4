"""Persistence behind one interface: SQLite (embedded default) and PostgreSQL."""

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
