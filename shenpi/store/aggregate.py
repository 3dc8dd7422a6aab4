"""The portable part of definitions and instances, in SQL written once.

The rest of the aggregate — ``get_definition``, ``find_instance``, ``load_aggregate`` and ``save_transition`` —
is what every action runs, so each backend shapes it around its driver (see the backend modules); those reads
and the write take the locks of shenpi/store/lock.py.
"""

from __future__ import annotations

from typing import Any

from shenpi.engine.model import Definition, Instance, Task, TimelineEntry
from shenpi.store import rows
from shenpi.store.records import DefinitionVersion
from shenpi.store.sql import SqlTx


class AggregateMixin(SqlTx):
    # How the backend writes "now, in whole seconds, as milliseconds" for a definition's timestamps: whole seconds
    # because that is what SQLite's strftime('%s') gives, and list_definitions orders by (created_at, code).
    _NOW_S_AS_MS: str

    def _parsed(self, tenant_key: str, code: str, approval_id: int, status: str, version: int,
                body: str) -> Definition:
        """The definition for this stored version: the cached one when it is that version, else parse it."""
        key = (tenant_key, code)
        cached = self._store.definitions.get(key)
        if cached is not None and cached.version == version:
            cached.status = status
            return cached
        d = rows.definition_from(tenant_key, code, approval_id, status, version, body)
        self._store.definitions[key] = d
        return d

    async def save_definition(self, definition: Definition, source: str = "api", author: str = "") -> None:
        """Save the definition as its current version and keep that version in the history (``source``: seed,
        api or admin; ``author``: the app or admin who saved it)."""
        d = definition
        now = self._NOW_S_AS_MS
        body = rows.dumps(d.body)
        await self._execute(
            "INSERT INTO definitions (tenant_key, code, approval_id, status, version, body, created_at, updated_at) "
            f"VALUES (?, ?, ?, ?, ?, ?, {now}, {now}) "
            "ON CONFLICT (tenant_key, code) DO UPDATE SET status = excluded.status, version = excluded.version, "
            "body = excluded.body, updated_at = excluded.updated_at",
            (d.tenant_key, d.code, d.approval_id, d.status, d.version, body))
        await self._execute(
            "INSERT INTO definition_versions (tenant_key, code, version, source, author, body, saved_at) "
            f"VALUES (?, ?, ?, ?, ?, ?, {now}) "
            "ON CONFLICT (tenant_key, code, version) DO UPDATE SET source = excluded.source, "
            "author = excluded.author, body = excluded.body, saved_at = excluded.saved_at",
            (d.tenant_key, d.code, d.version, source, author, body))

    async def _as_started(self, definition: Definition, inst: Instance) -> Definition:
        """The version of ``definition`` the instance started on (its flow state says which), so a running instance
        keeps its version when a new one is published; the current one when they are the same or it is unknown."""
        pinned = inst.state.definition_version
        if not pinned or pinned == definition.version:
            return definition
        r = await self._fetchone("SELECT body FROM definition_versions WHERE tenant_key = ? AND code = ? "
                                 "AND version = ?", (definition.tenant_key, definition.code, pinned))
        if r is None:
            return definition
        return rows.definition_from(definition.tenant_key, definition.code, definition.approval_id, definition.status,
                                    pinned, r[0])

    async def definition_versions(self, tenant_key: str, code: str) -> list[DefinitionVersion]:
        """The saved versions of a definition, newest first, without their bodies."""
        return [DefinitionVersion(r[0], r[1], r[2], r[3]) for r in await self._fetch(
            "SELECT version, source, author, saved_at FROM definition_versions WHERE tenant_key = ? AND code = ? "
            "ORDER BY version DESC", (tenant_key, code))]

    async def definition_version_body(self, tenant_key: str, code: str, version: int) -> dict[str, Any] | None:
        r = await self._fetchone("SELECT body FROM definition_versions WHERE tenant_key = ? AND code = ? "
                                 "AND version = ?", (tenant_key, code, version))
        return rows.loads(r[0]) if r else None

    async def list_definitions(self, tenant_key: str) -> list[Definition]:
        # One query for the lot; bodies are parsed only for versions the cache does not hold.
        return [self._parsed(tenant_key, r[0], r[1], r[2], r[3], r[4]) for r in await self._fetch(
            "SELECT code, approval_id, status, version, body FROM definitions WHERE tenant_key = ? "
            "ORDER BY created_at, code", (tenant_key,))]

    async def find_task(self, tenant_key: str, task_id: str) -> Task | None:
        r = await self._fetchone(f"SELECT {rows.TASK_COLS} FROM tasks WHERE id = ? AND tenant_key = ?",
                                 (task_id, tenant_key))
        return rows.task_from(r) if r else None

    async def timeline(self, tenant_key: str, instance_code: str) -> list[TimelineEntry]:
        return [rows.timeline_from(r) for r in await self._fetch(
            f"SELECT {rows.TIMELINE_COLS} FROM timeline WHERE instance_code = ? AND tenant_key = ? ORDER BY id",
            (instance_code, tenant_key))]

    async def next_serial(self, tenant_key: str) -> int:
        """The tenant's next serial number. The UPDATE holds the tenant row's write lock until the transaction
        ends, so two transactions, in any processes, never get the same number."""
        r = await self._fetchone("UPDATE tenants SET serial_counter = serial_counter + 1 WHERE tenant_key = ? "
                                 "RETURNING serial_counter", (tenant_key,))
        if r is None:
            raise LookupError(f"tenant {tenant_key} not found")
        return int(r[0])
