"""The web inbox's lists for one signed-in user: to do, done, started by them, CC'd to them.

Each list is searchable by what a person sees: the title, the serial number, the instance code, the name of the
approval in their language (matched here, so the store gets it as approval codes), and the words of the form and
the comments (shenpi/store/search.py); and narrowed by approval, status, submitter and submission time. Every answer
carries the tenant's definitions (to name each row's approval) and the count of every list (for the tabs, as far as
BADGE_CAP), read in the same transaction as the page.

Several tasks are approved at once as many single approvals: each through ``Instances.approve``, in its own
transaction, so one that fails (decided meanwhile, not the person's any more) leaves the others done, and says why.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from shenpi.app.context import Context
from shenpi.app.instances import Instances
from shenpi.engine import commands
from shenpi.engine.errors import DomainError
from shenpi.engine.model import Definition
from shenpi.store.base import Tx
from shenpi.store.records import Cursor, InboxFilter, Page

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")
MAX_BULK = 50  # tasks approved by one request: each is a transaction of its own
# A tab's count goes this far (the badge then reads 99+): a count walks every row it counts, and the inbox of a
# person with thousands of tasks is to cost what one with a hundred costs.
BADGE_CAP = 100


@dataclass(slots=True)
class BulkOutcome:
    """What became of one task of a bulk approval: ``error`` is None when it was approved."""

    instance_code: str
    task_id: str
    error: DomainError | None = None


@dataclass(slots=True)
class InboxPage:
    page: Page  # items: (Task, Instance) for tasks, Instance for started, (CcRecord, Instance) for CCs
    definitions: dict[str, Definition]  # the tenant's, by approval code
    counts: dict[str, int]  # todo, done, started, cc, cc_unread


class Inbox:
    def __init__(self, ctx: Context, instances: Instances) -> None:
        self._ctx = ctx
        self._instances = instances

    @staticmethod
    async def _start(tx: Tx, tenant_key: str, f: InboxFilter, locale: str) -> tuple[dict[str, Definition], InboxFilter]:
        definitions = {d.code: d for d in await tx.list_definitions(tenant_key)}
        wanted = f.text.strip().lower()
        codes = tuple(c for c, d in definitions.items()
                      if wanted and (wanted in d.text(d.name, locale).lower() or wanted == c.lower()))
        return definitions, dataclasses.replace(f, approval_codes=codes)

    @staticmethod
    async def _counts(tx: Tx, tenant_key: str, user_id: str, shown: str, f: InboxFilter,
                      page: Page) -> dict[str, int]:
        """The tabs' counts, each as far as BADGE_CAP. The list on the page, when no filter narrows it, is
        counted already: its page's total is the rows before the page plus those from its start (as far as the
        store's count cap), so its tab's count is that total, capped."""
        known = {shown: min(BADGE_CAP, page.total)} if shown and not f.narrows() and page.total >= 0 else {}
        return {**await tx.inbox_counts(tenant_key, user_id, cap=BADGE_CAP, skip=tuple(known)), **known}

    async def tasks(self, tenant_key: str, user_id: str, *, done: bool, text: str = "", locale: str = "",
                    offset: int = 0, limit: int = 20, filters: InboxFilter | None = None,
                    after: Cursor | None = None) -> InboxPage:
        """The user's pending tasks, newest first; or (``done``) those they decided, last decided first."""
        statuses: Sequence[str] = DONE if done else ("PENDING",)
        async with self._ctx.store.transaction() as tx:
            definitions, f = await self._start(tx, tenant_key, filters or InboxFilter(text), locale)
            page = await tx.inbox_tasks(tenant_key, user_id, statuses, newest_end_first=done, offset=offset,
                                        limit=limit, filters=f, after=after)
            counts = await self._counts(tx, tenant_key, user_id, "done" if done else "todo", f, page)
        return InboxPage(page, definitions, counts)

    async def started(self, tenant_key: str, user_id: str, *, text: str = "", locale: str = "", offset: int = 0,
                      limit: int = 20, filters: InboxFilter | None = None, after: Cursor | None = None) -> InboxPage:
        """The instances the user started, newest first."""
        async with self._ctx.store.transaction() as tx:
            definitions, f = await self._start(tx, tenant_key, filters or InboxFilter(text), locale)
            page = await tx.inbox_instances(tenant_key, user_id, offset=offset, limit=limit, filters=f, after=after)
            counts = await self._counts(tx, tenant_key, user_id, "started", f, page)
        return InboxPage(page, definitions, counts)

    async def ccs(self, tenant_key: str, user_id: str, *, read_status: str = "", text: str = "", locale: str = "",
                  offset: int = 0, limit: int = 20, filters: InboxFilter | None = None,
                    after: Cursor | None = None) -> InboxPage:
        """The CCs the user received (``read_status`` READ or UNREAD, or both), newest first."""
        async with self._ctx.store.transaction() as tx:
            definitions, f = await self._start(tx, tenant_key, filters or InboxFilter(text), locale)
            page = await tx.inbox_ccs(tenant_key, user_id, read_status=read_status, offset=offset, limit=limit,
                                      filters=f, after=after)
            shown = "cc_unread" if read_status == "UNREAD" else "" if read_status == "READ" else "cc"
            counts = await self._counts(tx, tenant_key, user_id, shown, f, page)
        return InboxPage(page, definitions, counts)

    async def next_task(self, tenant_key: str, user_id: str, *, skip: str = "") -> str:
        """The instance of the user's newest pending task other than on instance ``skip`` ("" when none is
        left): where the web goes after the person acted."""
        async with self._ctx.store.transaction() as tx:
            page = await tx.inbox_tasks(tenant_key, user_id, ("PENDING",), limit=2)
        codes = [inst.code for _, inst in page.items if inst.code != skip]
        return codes[0] if codes else ""

    async def approve_many(self, tenant_key: str, user_id: str, picked: Sequence[tuple[str, str]],
                           comment: str = "") -> list[BulkOutcome]:
        """Approve each (instance code, task id) as ``user_id``, one transaction each, in the order given; at most
        MAX_BULK of them (the rest are not tried)."""
        out: list[BulkOutcome] = []
        for instance_code, task_id in picked[:MAX_BULK]:
            outcome = BulkOutcome(instance_code, task_id)
            try:
                await self._instances.approve(tenant_key, commands.TaskAction(
                    task_id=task_id, user_id=user_id, comment=comment), instance_code=instance_code)
            except DomainError as e:
                outcome.error = e
            out.append(outcome)
        return out
