"""Comments on instances: create, list, delete, remove."""

from __future__ import annotations

import builtins
from typing import Any

from shenpi.app.context import Context
from shenpi.engine.errors import ParamInvalid
from shenpi.store.base import Tx
from shenpi.store.queries import Comment


async def _parent_exists(tx: Tx, tenant_key: str, instance_code: str, parent_comment_id: int) -> None:
    """A reply answers a comment of the same instance."""
    if parent_comment_id and await tx.get_comment(tenant_key, instance_code, parent_comment_id) is None:
        raise ParamInvalid(f"parent_comment_id {parent_comment_id} is not a comment of this instance",
                           field="parent_comment_id")


class Comments:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def create(self, tenant_key: str, instance_code: str, user_id: str, content: str, *,
                     at_info_list: builtins.list[dict[str, Any]] | None = None, parent_comment_id: int = 0,
                     extra: str = "") -> int:
        """A new comment (or a reply to ``parent_comment_id``); its id."""
        async with self._ctx.store.transaction() as tx:
            await _parent_exists(tx, tenant_key, instance_code, parent_comment_id)
            return await tx.add_comment(tenant_key, instance_code, user_id, content, at_info_list or [],
                                        parent_comment_id, extra, self._ctx.clock.now_ms())

    async def list(self, tenant_key: str, instance_code: str) -> builtins.list[Comment]:
        """Every comment of the instance, deleted ones included (they show as deleted), oldest first."""
        async with self._ctx.store.transaction() as tx:
            return await tx.list_comments(tenant_key, instance_code)
