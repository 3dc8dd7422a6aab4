"""The per-process cache of directory snapshots, apps and tenants, which every area reads through ``Context``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from shenpi.engine.directory import Directory
from shenpi.store.base import Store, Tx
from shenpi.store.records import App, Tenant

_T = TypeVar("_T")


class Registry:
    """Directory snapshots, apps and tenants, cached in this process: they change only when the seed, an import
    or an operator changes them, and whoever changes them calls :meth:`invalidate`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._directories: dict[str, Directory] = {}
        self._apps: dict[str, App] = {}
        self._tenants: dict[str, Tenant] = {}

    async def directory(self, tenant_key: str) -> Directory:
        d = await self._cached(self._directories, tenant_key, lambda tx: tx.load_directory(tenant_key))
        assert d is not None  # load_directory always answers a Directory
        return d

    async def app(self, app_id: str) -> App | None:
        return await self._cached(self._apps, app_id, lambda tx: tx.get_app(app_id))

    async def tenant(self, tenant_key: str) -> Tenant | None:
        return await self._cached(self._tenants, tenant_key, lambda tx: tx.get_tenant(tenant_key))

    async def _cached(self, cache: dict[str, _T], key: str, load: Callable[[Tx], Awaitable[_T | None]]) -> _T | None:
        """The cached value, or what ``load`` reads in a transaction of its own (kept when found)."""
        found = cache.get(key)
        if found is None:
            async with self._store.transaction() as tx:
                found = await load(tx)
            if found is not None:
                cache[key] = found
        return found

    def invalidate(self) -> None:
        self._directories.clear()
        self._apps.clear()
        self._tenants.clear()
