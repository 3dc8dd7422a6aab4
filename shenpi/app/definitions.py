"""Approval definitions: create (a new version when the code exists), get, list.

A saved definition queues ``approval.approval.updated_v4`` in the transaction that saves it.
"""

from __future__ import annotations

import builtins

from shenpi.app.context import Context
from shenpi.engine.model import Definition


class Definitions:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def find(self, tenant_key: str, code: str) -> Definition | None:
        """The definition, or None when the tenant has none by that code (for pages that answer 404 themselves)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.get_definition(tenant_key, code)

    async def list(self, tenant_key: str) -> builtins.list[Definition]:
        async with self._ctx.store.transaction() as tx:
            return await tx.list_definitions(tenant_key)
