"""The per-process cache of directory snapshots, apps and tenants, which every area reads through ``Context``."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from shenpi.engine.directory import Directory
from shenpi.store.base import Store, Tx
from shenpi.store.records import App, Tenant

_T = TypeVar("_T")
# How long a process trusts its copy of a tenant's directory and apps before it asks the store whether another
# process (a worker, the web admin, the CLI) changed them: one small read per tenant per interval.
FRESH_FOR_S = 1.0


class Registry:
    """Directory snapshots, apps and tenants, cached in this process: they change only when the seed, an import
    or an operator changes them, and whoever changes them calls :meth:`invalidate`. Another process's change is
    seen within :data:`FRESH_FOR_S`: the store counts every change to a tenant's users, departments and apps, and
    a tenant's cached directory and apps are dropped when that count has moved."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._directories: dict[str, Directory] = {}
        self._apps: dict[str, App] = {}
        self._tenants: dict[str, Tenant] = {}
        self._versions: dict[str, tuple[int, float]] = {}  # tenant -> (directory version, when it was read)

    async def _check_fresh(self, tenant_key: str) -> None:
        """Drop the tenant's cached directory and apps when the store's change count has moved since read."""
        seen = self._versions.get(tenant_key)
        now = time.monotonic()
        if seen is not None and now - seen[1] < FRESH_FOR_S:
            return
        async with self._store.transaction() as tx:
            version = await tx.directory_version(tenant_key)
        if seen is None or seen[0] != version:  # (an app cached before the tenant's count was read counts as stale)
            self._directories.pop(tenant_key, None)
            for app_id in [a for a, app in self._apps.items() if app.tenant_key == tenant_key]:
                del self._apps[app_id]
        self._versions[tenant_key] = (version, now)

    async def directory(self, tenant_key: str) -> Directory:
        await self._check_fresh(tenant_key)
        d = await self._cached(self._directories, tenant_key, lambda tx: tx.load_directory(tenant_key))
        assert d is not None  # load_directory always answers a Directory
        return d

    async def app(self, app_id: str) -> App | None:
        cached = self._apps.get(app_id)
        if cached is not None:
            await self._check_fresh(cached.tenant_key)
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
        self._versions.clear()
