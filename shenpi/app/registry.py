"""The per-process cache of directory snapshots, apps and tenants, which every area reads through ``Context``."""

from __future__ import annotations

from shenpi.engine.directory import Directory
from shenpi.store.base import Store
from shenpi.store.records import App, Tenant


class Registry:
    """Directory snapshots, apps and tenants, cached in this process: they change only when the seed, an import
    or an operator changes them, and whoever changes them calls :meth:`invalidate`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._directories: dict[str, Directory] = {}
        self._apps: dict[str, App] = {}
        self._tenants: dict[str, Tenant] = {}

    async def directory(self, tenant_key: str) -> Directory:
        d = self._directories.get(tenant_key)
        if d is None:
            async with self._store.transaction() as tx:
                d = await tx.load_directory(tenant_key)
            self._directories[tenant_key] = d
        return d

    async def app(self, app_id: str) -> App | None:
        a = self._apps.get(app_id)
        if a is None:
            async with self._store.transaction() as tx:
                a = await tx.get_app(app_id)
            if a is not None:
                self._apps[app_id] = a
        return a

    async def tenant(self, tenant_key: str) -> Tenant | None:
        t = self._tenants.get(tenant_key)
        if t is None:
            async with self._store.transaction() as tx:
                t = await tx.get_tenant(tenant_key)
            if t is not None:
                self._tenants[tenant_key] = t
        return t

    def invalidate(self) -> None:
        self._directories.clear()
        self._apps.clear()
        self._tenants.clear()
