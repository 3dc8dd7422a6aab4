"""Comments on instances: create, edit, list, delete, remove all.

Comments live beside the instance, not in its state: adding one changes no task and sends no event; it tells
the submitter and the people @-mentioned (a notification, in the comment's transaction).
"""

from __future__ import annotations

import builtins
from typing import Any

from shenpi.app.context import Context
from shenpi.app.notifications import write_for_comment
from shenpi.engine.errors import ParamInvalid
from shenpi.store.base import Tx
from shenpi.store.records import Comment


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
        directory = await self._ctx.registry.directory(tenant_key)
        async with self._ctx.store.transaction() as tx:
            await _parent_exists(tx, tenant_key, instance_code, parent_comment_id)
            now = self._ctx.clock.now_ms()
            comment_id = await tx.add_comment(tenant_key, instance_code, user_id, content, at_info_list or [],
                                              parent_comment_id, extra, now)
            # the submitter and everyone @-mentioned hear of it, in the comment's own transaction
            inst = await tx.find_instance(tenant_key, instance_code)
            definition = await tx.get_definition(tenant_key, inst.approval_code) if inst else None
            if inst is not None and definition is not None:
                mentioned = [str(a.get("user_id", "")) for a in at_info_list or []]
                await write_for_comment(tx, directory, definition, inst, user_id, content, mentioned, now,
                                        mail=self._ctx.mail)
        self._ctx.committed()
        return comment_id

    async def edit(self, tenant_key: str, instance_code: str, user_id: str, comment_id: int, content: str, *,
                   at_info_list: builtins.list[dict[str, Any]] | None = None, parent_comment_id: int = 0,
                   extra: str = "") -> None:
        """Replace the text of a comment; only its commentator may."""
        async with self._ctx.store.transaction() as tx:
            await _parent_exists(tx, tenant_key, instance_code, parent_comment_id)
            existing = await tx.get_comment(tenant_key, instance_code, comment_id)
            if existing is None or existing.user_id != user_id:
                raise ParamInvalid(f"comment_id {comment_id} is not a comment of this user here", field="comment_id")
            await tx.edit_comment(tenant_key, instance_code, comment_id, content, at_info_list or [], extra,
                                  self._ctx.clock.now_ms())

    async def list(self, tenant_key: str, instance_code: str) -> builtins.list[Comment]:
        """Every comment of the instance, deleted ones included (they show as deleted), oldest first."""
        async with self._ctx.store.transaction() as tx:
            return await tx.list_comments(tenant_key, instance_code)

    async def page(self, tenant_key: str, instance_code: str, offset: int,
                   limit: int) -> tuple[builtins.list[Comment], builtins.list[Comment], bool]:
        """A page of the instance's top-level comments, oldest first, ``offset`` in; the replies to them; whether
        more follow."""
        async with self._ctx.store.transaction() as tx:
            return await tx.comment_page(tenant_key, instance_code, offset, limit)

    async def delete(self, tenant_key: str, instance_code: str, user_id: str, comment_id: int) -> None:
        """Mark a comment deleted; only its commentator may."""
        async with self._ctx.store.transaction() as tx:
            c = await tx.get_comment(tenant_key, instance_code, comment_id)
            if c is None or c.is_delete:
                raise ParamInvalid(f"comment {comment_id} not found", field="comment_id")
            if c.user_id != user_id:
                raise ParamInvalid("only the commentator may delete a comment", field="user_id")
            await tx.delete_comment(tenant_key, instance_code, comment_id, self._ctx.clock.now_ms())

    async def remove_all(self, tenant_key: str, instance_code: str) -> None:
        async with self._ctx.store.transaction() as tx:
            await tx.remove_comments(tenant_key, instance_code)
