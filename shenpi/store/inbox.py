"""The web inbox's lists (shenpi/web): a person's to do, done, started and CC'd, each searchable, filtered and
sorted, paged by keyset.py, and counted for the tabs.

A person searches by what they see: the title, the serial number, the instance code, the definition's name
(resolved from i18n keys in Python, so it arrives here as the matching approval codes), and the words in the form
and the comments (shenpi/store/search.py). The filters (approval, status, submitter, submitted between) are on the
instance; the sort is newest or oldest first by the list's own time, each order walking the index migration 0009
made for it (an index read backwards serves the oldest-first order).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shenpi.store import rows
from shenpi.store.keyset import COUNT_CAP, Listing, Order, capped_count, keyset_page
from shenpi.store.queries import (
    _CC_PAIR_COLS,
    _CCS_JOINED,
    _CCS_NEWEST,
    _INSTANCE_COLS_I,
    _INSTANCES_NEWEST,
    _INSTANCES_OLDEST,
    _TASK_ORDERS,
    _TASK_PAIR_COLS,
    _TASKS_DONE_LAST,
    _TASKS_JOINED,
    _cc_pair,
    _given,
    _own,
    _read_status,
    _split,
    _task_pair,
    _where,
)
from shenpi.store.records import STATUSES, Cursor, InboxFilter, Page
from shenpi.store.search import SearchMixin, escaped, normalized, text_match

_TASKS_DONE_FIRST = Order(tuple((e, not d, t) for e, d, t in _TASKS_DONE_LAST.keys))
_CCS_OLDEST = Order(tuple((e, not d, t) for e, d, t in _CCS_NEWEST.keys))


class InboxMixin(SearchMixin):
    dialect: str

    def _inbox_where(self, tenant_key: str, clauses: list[tuple[str, Any]],
                     f: InboxFilter) -> tuple[str, tuple[Any, ...]]:
        clauses = [*clauses, *_given(
            ("i.approval_code = ?", f.approval_code), ("i.status = ?", f.status if f.status in STATUSES else ""),
            ("i.user_id = ?", f.submitter), ("i.start_time >= ?", f.time_from), ("i.start_time <= ?", f.time_to))]
        where, args = _where(clauses)
        text = normalized(f.text)
        if not text:
            return where, args
        # LOWER() on both sides because PostgreSQL's LIKE is case-sensitive and SQLite's is not.
        pattern = f"%{escaped(text)}%"
        parts = ["LOWER(i.title) LIKE (?) ESCAPE '\\'", "LOWER(i.serial_number) LIKE (?) ESCAPE '\\'", "LOWER(i.code) = ?"]
        extra: list[Any] = [pattern, pattern, text]
        if f.approval_codes:
            parts.append("i.approval_code IN (" + ", ".join("?" * len(f.approval_codes)) + ")")
            extra.extend(f.approval_codes)
        found, found_args = text_match(self.dialect, tenant_key, text)
        parts.append(found)
        extra.extend(found_args)
        return f"{where} AND ({' OR '.join(parts)})", (*args, *extra)

    @staticmethod
    def _filter(f: InboxFilter | None, text: str, approval_codes: Sequence[str]) -> InboxFilter:
        return f if f is not None else InboxFilter(text=text, approval_codes=tuple(approval_codes))

    async def inbox_tasks(self, tenant_key: str, user_id: str, statuses: Sequence[str], *, text: str = "",
                          approval_codes: Sequence[str] = (), newest_end_first: bool = False, offset: int = 0,
                          limit: int = 20, filters: InboxFilter | None = None,
                          after: Cursor | None = None) -> Page:
        """A user's tasks in ``statuses`` (to do: PENDING; done: APPROVED/REJECTED/TRANSFERRED), with their
        instances: Page.items are (Task, Instance) pairs, newest first (by end time for done lists)."""
        f = self._filter(filters, text, approval_codes)
        status, split = _split("t.status", statuses)
        clauses = [("t.tenant_key = ?", tenant_key), ("t.user_id = ?", user_id), ("i.reverted = ?", 0), *status]
        where, args = self._inbox_where(tenant_key, clauses, f)
        if newest_end_first:
            order = _TASKS_DONE_FIRST if f.oldest_first else _TASKS_DONE_LAST
        else:
            order = _TASK_ORDERS[3 if f.oldest_first else 2]
        own = None if f.narrows() else _own("tasks t", "t.instance_code", clauses)
        return await keyset_page(self, Listing(_TASK_PAIR_COLS, _TASKS_JOINED, where, args, order, _task_pair, split,
                                               own=own, tenant_key=tenant_key), after, limit,
                                 offset=0 if after else offset)

    async def inbox_instances(self, tenant_key: str, user_id: str, *, text: str = "",
                              approval_codes: Sequence[str] = (), offset: int = 0, limit: int = 20,
                              filters: InboxFilter | None = None, after: Cursor | None = None) -> Page:
        """Instances a user started, newest first; reverted (withdrawn) ones are listed too, unlike the other
        lists: the starter still sees what they withdrew."""
        f = self._filter(filters, text, approval_codes)
        where, args = self._inbox_where(tenant_key, [("i.tenant_key = ?", tenant_key), ("i.user_id = ?", user_id)], f)
        base = _INSTANCES_OLDEST if f.oldest_first else _INSTANCES_NEWEST
        order = Order(tuple(("i." + e, d, t) for e, d, t in base.keys))
        return await keyset_page(self, Listing(_INSTANCE_COLS_I, "instances i", where, args, order, rows.instance_from),
                                 after, limit, offset=0 if after else offset)

    async def inbox_ccs(self, tenant_key: str, user_id: str, *, read_status: str = "", text: str = "",
                        approval_codes: Sequence[str] = (), offset: int = 0, limit: int = 20,
                        filters: InboxFilter | None = None, after: Cursor | None = None) -> Page:
        """A user's CC records (READ, UNREAD or both) with their instances: (CcRecord, Instance) pairs, newest
        first (the same order as the CC search, so one index serves both)."""
        f = self._filter(filters, text, approval_codes)
        clauses = [("c.tenant_key = ?", tenant_key), ("c.user_id = ?", user_id), ("i.reverted = ?", 0),
                   *_given(("c.read_status = ?", _read_status(read_status)))]
        where, args = self._inbox_where(tenant_key, clauses, f)
        own = None if f.narrows() else _own("ccs c", "c.instance_code", clauses)
        return await keyset_page(self, Listing(_CC_PAIR_COLS, _CCS_JOINED, where, args,
                                               _CCS_OLDEST if f.oldest_first else _CCS_NEWEST, _cc_pair,
                                               own=own, tenant_key=tenant_key), after, limit,
                                 offset=0 if after else offset)

    async def inbox_counts(self, tenant_key: str, user_id: str, *, cap: int = COUNT_CAP,
                           skip: Sequence[str] = ()) -> dict[str, int]:
        """How many entries each inbox list has: todo, done, started, cc (and cc_unread), each counted no further
        than ``cap`` (the store's count cap unless told: shenpi/store/keyset.py); the lists named in ``skip`` are
        not counted (the caller knows them from their page) and are left out.

        A list leaves out reverted instances, which are rare (an approved instance taken back in time): rather than
        look up the instance of every counted row, the rows are counted on their own index and the few on
        reverted instances (found from the reverted ones, on their own index) are taken off."""
        who = (tenant_key, user_id)
        taken_off: dict[str, int] = {}
        for kind, sql in (("task", "SELECT t.status, COUNT(*) FROM instances i JOIN tasks t ON t.instance_code = "
                                   "i.code WHERE i.tenant_key = ? AND i.reverted = 1 AND t.user_id = ? GROUP BY t.status"),
                          ("cc", "SELECT c.read_status, COUNT(*) FROM instances i JOIN ccs c ON c.instance_code = "
                                 "i.code WHERE i.tenant_key = ? AND i.reverted = 1 AND c.user_id = ? "
                                 "GROUP BY c.read_status")):
            for status, n in await self._fetch(sql, who):
                taken_off[f"{kind}:{status}"] = int(n)

        async def count(source: str, where: str, args: tuple[Any, ...], reverted: int) -> int:
            return min(cap, await capped_count(self, source, where, args, beyond=reverted + cap - COUNT_CAP)
                       - reverted)

        done = ("APPROVED", "REJECTED", "TRANSFERRED")
        unread, read = taken_off.get("cc:UNREAD", 0), taken_off.get("cc:READ", 0)
        task_where = "tenant_key = ? AND user_id = ? AND status IN "
        cc_where = "tenant_key = ? AND user_id = ?"
        lists: dict[str, tuple[str, str, tuple[Any, ...], int]] = {  # (table, filter, its values, rows taken off)
            "todo": ("tasks", task_where + "(?)", (*who, "PENDING"), taken_off.get("task:PENDING", 0)),
            "done": ("tasks", task_where + "(?, ?, ?)", (*who, *done), sum(taken_off.get(f"task:{s}", 0) for s in done)),
            "started": ("instances", "tenant_key = ? AND user_id = ?", who, 0),
            "cc": ("ccs", cc_where, who, unread + read),
            "cc_unread": ("ccs", cc_where + " AND read_status = ?", (*who, "UNREAD"), unread),
        }
        return {name: await count(*counted) for name, counted in lists.items() if name not in skip}
