"""The web inbox's lists for one signed-in user: to do, done, started by them, CC'd to them.

Each list is searchable by what a person sees: the title, the serial number, the instance code, or the name of
the approval in their language (matched here, so the store gets it as approval codes). Every answer carries the
tenant's definitions (to name each row's approval) and the count of every list (for the tabs), read in the same
transaction as the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shenpi.app.context import Context
from shenpi.engine.model import Definition
from shenpi.store.base import Tx
from shenpi.store.records import Page

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")


@dataclass(slots=True)
class InboxPage:
    page: Page  # items: (Task, Instance) for tasks, Instance for started, (CcRecord, Instance) for CCs
    definitions: dict[str, Definition]  # the tenant's, by approval code
    counts: dict[str, int]  # todo, done, started, cc, cc_unread


class Inbox:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    @staticmethod
    async def _start(tx: Tx, tenant_key: str, user_id: str, text: str,
                     locale: str) -> tuple[dict[str, Definition], list[str], dict[str, int]]:
        definitions = {d.code: d for d in await tx.list_definitions(tenant_key)}
        wanted = text.lower()
        codes = [c for c, d in definitions.items()
                 if wanted and (wanted in d.text(d.name, locale).lower() or wanted == c.lower())]
        return definitions, codes, await tx.inbox_counts(tenant_key, user_id)

    async def tasks(self, tenant_key: str, user_id: str, *, done: bool, text: str = "", locale: str = "",
                    offset: int = 0, limit: int = 20) -> InboxPage:
        """The user's pending tasks, newest first; or (``done``) those they decided, last decided first."""
        statuses: Sequence[str] = DONE if done else ("PENDING",)
        async with self._ctx.store.transaction() as tx:
            definitions, codes, counts = await self._start(tx, tenant_key, user_id, text, locale)
            page = await tx.inbox_tasks(tenant_key, user_id, statuses, text=text, approval_codes=codes,
                                        newest_end_first=done, offset=offset, limit=limit)
        return InboxPage(page, definitions, counts)

    async def started(self, tenant_key: str, user_id: str, *, text: str = "", locale: str = "", offset: int = 0,
                      limit: int = 20) -> InboxPage:
        """The instances the user started, newest first."""
        async with self._ctx.store.transaction() as tx:
            definitions, codes, counts = await self._start(tx, tenant_key, user_id, text, locale)
            page = await tx.inbox_instances(tenant_key, user_id, text=text, approval_codes=codes, offset=offset,
                                            limit=limit)
        return InboxPage(page, definitions, counts)

    async def ccs(self, tenant_key: str, user_id: str, *, read_status: str = "", text: str = "", locale: str = "",
                  offset: int = 0, limit: int = 20) -> InboxPage:
        """The CCs the user received (``read_status`` READ or UNREAD, or both), newest first."""
        async with self._ctx.store.transaction() as tx:
            definitions, codes, counts = await self._start(tx, tenant_key, user_id, text, locale)
            page = await tx.inbox_ccs(tenant_key, user_id, read_status=read_status, text=text,
                                      approval_codes=codes, offset=offset, limit=limit)
        return InboxPage(page, definitions, counts)
