"""Approval definitions: create (a new version when the code exists), get, list.

A saved definition queues ``approval.approval.updated_v4`` for the subscribed apps in the transaction that saves
it: the deliveries are rows of the same database, so the event exists exactly when the new version does, whoever
saved it (the Open API, the web admin), and the delivery worker sends it like any other queued event.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from shenpi import ids
from shenpi.app.context import Context
from shenpi.engine import errors
from shenpi.engine.definitions import build_definition
from shenpi.engine.model import Definition
from shenpi.events.delivery import app_event_types, route_definition
from shenpi.store.base import Tx
from shenpi.store.records import DefinitionVersion


async def definition_of(tx: Tx, tenant_key: str, code: str) -> Definition:
    """The definition ``code`` names: 1390001 without a code, 1390002 for an unknown one."""
    if not code:
        raise errors.ParamInvalid("approval_code is required", field="approval_code")
    d = await tx.get_definition(tenant_key, code)
    if d is None:
        raise errors.ApprovalNotFound(f"approval_code {code} not found", field="approval_code")
    return d


class Definitions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def create(self, tenant_key: str, body: dict[str, Any],
                     check: Callable[[dict[str, Any]], None] | None = None, *, source: str = "api",
                     author: str = "") -> Definition:
        """Create a definition, or save a new version of it when ``approval_code`` names an existing one.
        ``check`` adds the caller's own rules (the Open API's), run once the body builds a definition; ``source``
        and ``author`` say who saved the version (the Open API and an app, the web admin and a user)."""
        async with self._ctx.store.transaction() as tx:
            code = body.get("approval_code") or ""
            if not isinstance(code, str):
                raise errors.ParamInvalid("approval_code must be a string", field="approval_code")
            existing = await tx.get_definition(tenant_key, code) if code else None
            if code and existing is None:
                raise errors.ApprovalNotFound(f"approval_code {code} not found", field="approval_code")
            if existing is not None:
                definition = build_definition(body, tenant_key=tenant_key, approval_code=existing.code,
                                              approval_id=existing.approval_id, version=existing.version + 1)
            else:
                definition = build_definition(body, tenant_key=tenant_key, approval_code=ids.code(),
                                              approval_id=ids.snowflake())
            if check is not None:
                check(body)
            definition.body = {**body, "approval_code": definition.code}
            await tx.save_definition(definition, source, author)
            queued = await self._queue_updated_event(tx, definition)
        if queued:
            self._ctx.committed()
        return definition

    async def _queue_updated_event(self, tx: Tx, definition: Definition) -> bool:
        """Write the ``approval.approval.updated_v4`` deliveries of a saved version; whether there were any."""
        apps = [a for a in [await tx.get_app(app_id)
                            for app_id in await tx.subscribed_app_ids(definition.tenant_key, definition.code)]
                if a is not None]
        deliveries = route_definition(definition, apps, self._ctx.clock.now_ms(), app_event_types)
        if deliveries:
            await tx.insert_deliveries([d.insert_row() for d in deliveries])
        return bool(deliveries)

    async def get(self, tenant_key: str, code: str) -> Definition:
        async with self._ctx.store.transaction() as tx:
            return await definition_of(tx, tenant_key, code)

    async def find(self, tenant_key: str, code: str) -> Definition | None:
        """The definition, or None when the tenant has none by that code (for pages that answer 404 themselves)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.get_definition(tenant_key, code)

    async def versions(self, tenant_key: str, code: str) -> builtins.list[DefinitionVersion]:
        """The saved versions of a definition, newest first."""
        async with self._ctx.store.transaction() as tx:
            return await tx.definition_versions(tenant_key, code)

    async def version(self, tenant_key: str, code: str, version: int) -> Definition | None:
        """An earlier (or the current) version of a definition as it was saved, or None."""
        async with self._ctx.store.transaction() as tx:
            current = await tx.get_definition(tenant_key, code)
            body = await tx.definition_version_body(tenant_key, code, version) if current else None
        if current is None or body is None:
            return None
        return build_definition(body, tenant_key=tenant_key, approval_code=code, approval_id=current.approval_id,
                                version=version)

    async def list(self, tenant_key: str) -> builtins.list[Definition]:
        async with self._ctx.store.transaction() as tx:
            return await tx.list_definitions(tenant_key)
