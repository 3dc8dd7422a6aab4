"""Reads and writes beyond the instance aggregate — searches, lists, comments, CC records, subscriptions,
external approvals — written once for every backend.

The SQL here is the common subset of SQLite and PostgreSQL with ``?`` placeholders, on the primitives of
shenpi/store/sql.py (PostgreSQL's transaction rewrites ``?`` to ``$n``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shenpi.engine.model import Instance, Task
from shenpi.engine.transition import Transition
from shenpi.store import rows
from shenpi.store.keyset import Listing, Order, keyset_page
from shenpi.store.records import Comment, Cursor, Page, SearchFilter
from shenpi.store.search import SearchMixin


@dataclass(slots=True)
class CcRecord:
    id: int
    instance_code: str
    approval_code: str
    user_id: str
    from_user_id: str
    create_time: int
    read_status: str


_COMMENT_COLS = ("id, instance_code, user_id, content, at_info_list, parent_comment_id, extra, create_time, "
                 "update_time, is_delete")
_CC_COLS = "id, instance_code, approval_code, user_id, from_user_id, create_time, read_status"
_INSTANCE_COLS_I = ", ".join("i." + c.strip() for c in rows.INSTANCE_COLS.split(","))
_TASK_COLS_T = ", ".join("t." + c.strip() for c in rows.TASK_COLS.split(","))
_TASK_PAIR_COLS = f"{_TASK_COLS_T}, {_INSTANCE_COLS_I}"
_CC_PAIR_COLS = ", ".join("c." + c.strip() for c in _CC_COLS.split(",")) + ", " + _INSTANCE_COLS_I
_TASKS_JOINED = "tasks t JOIN instances i ON i.code = t.instance_code"
_CCS_JOINED = "ccs c JOIN instances i ON i.code = c.instance_code"
_N_TASK_COLS = len(rows.TASK_COLS.split(","))

# The orders the lists read in, each ending in a unique column; migration 0009 has the index each one walks.
_INSTANCES_NEWEST = Order((("start_time", True, int), ("code", False, str)))
_INSTANCES_OLDEST = Order((("start_time", False, int), ("code", False, str)))
_TASK_ORDERS = {  # tasks/search's ``order``: 0/1 by update time (the later of start and end), 2/3 by start time
    0: Order((("MAX(t.end_time, t.start_time)", True, int), ("t.id", False, str))),
    1: Order((("MAX(t.end_time, t.start_time)", False, int), ("t.id", False, str))),
    2: Order((("t.start_time", True, int), ("t.id", False, str))),
    3: Order((("t.start_time", False, int), ("t.id", False, str))),
}
_PG_TASK_ORDERS = {k: Order(tuple((e.replace("MAX(", "GREATEST("), d, t) for e, d, t in o.keys))
                   for k, o in _TASK_ORDERS.items()}
_TASKS_DONE_LAST = Order((("t.end_time", True, int), ("t.start_time", True, int), ("t.id", False, str)))
_CCS_NEWEST = Order((("c.create_time", True, int), ("c.id", False, int)))
_EXTERNAL_OLDEST = Order((("update_time", False, int), ("instance_id", False, str), ("approval_code", False, str)))
_OUTBOX_NEWEST = Order((("o.id", True, int),))


def _comment(r: Sequence[Any]) -> Comment:
    return Comment(r[0], r[1], r[2], r[3], rows.loads(r[4]), r[5], r[6], r[7], r[8], r[9])


def _task_pair(r: Sequence[Any]) -> tuple[Task, Instance]:
    return rows.task_from(r[:_N_TASK_COLS]), rows.instance_from(r[_N_TASK_COLS:])


def _cc_pair(r: Sequence[Any]) -> tuple[CcRecord, Instance]:
    return CcRecord(*r[:7]), rows.instance_from(r[7:])


def _given(*clauses: tuple[str, Any]) -> list[tuple[str, Any]]:
    """The filter clauses whose value is given: a filter left empty (or 0, or None) filters nothing."""
    return [(sql, value) for sql, value in clauses if value]


def _like(text: str) -> str:
    return f"%{text}%" if text else ""


def _read_status(read_status: str) -> str:
    """A CC list filters by READ or UNREAD; any other value lists both."""
    return read_status if read_status in ("READ", "UNREAD") else ""


def _split(column: str, values: Sequence[str]) -> tuple[list[tuple[str, Any]], tuple[str, Sequence[str]]]:
    """A filter on ``column``: one value is a clause; several are walked one index range each (see keyset.py)."""
    if len(values) > 1:
        return [], (column, tuple(values))
    return _given((f"{column} = ?", values[0] if values else "")), ("", ())


def _own(table: str, code: str, clauses: list[tuple[str, Any]],
         text: str = "") -> tuple[str, str, str, tuple[Any, ...]] | None:
    """The form a count takes on the list's own table (see keyset.Listing.own), when the only clause on the
    instances is the one that leaves reverted ones out."""
    if text or [c for c in clauses if c[0].startswith("i.")] != [("i.reverted = ?", 0)]:
        return None
    return (table, code, *_where([c for c in clauses if not c[0].startswith("i.")]))


def _where(clauses: list[tuple[str, Any]]) -> tuple[str, tuple[Any, ...]]:
    parts: list[str] = []
    args: list[Any] = []
    for sql, value in clauses:
        if isinstance(value, list | tuple):
            parts.append(sql.replace("(?)", "(" + ", ".join("?" * len(value)) + ")"))
            args.extend(value)
        else:
            parts.append(sql)
            args.append(value)
    return " AND ".join(parts), tuple(args)


class QueryMixin(SearchMixin):
    # -- subscriptions --------------------------------------------------------------------------
    async def subscribe(self, tenant_key: str, app_id: str, approval_code: str, now: int) -> bool:
        """False when the app is already subscribed (one statement: safe when two callers race)."""
        return await self._execute(
            "INSERT INTO subscriptions (tenant_key, app_id, approval_code, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (app_id, approval_code) DO NOTHING", (tenant_key, app_id, approval_code, now)) > 0

    async def unsubscribe(self, app_id: str, approval_code: str) -> bool:
        return await self._execute("DELETE FROM subscriptions WHERE app_id = ? AND approval_code = ?",
                                   (app_id, approval_code)) > 0

    async def subscribers(self, approval_code: str) -> list[str]:
        return [r[0] for r in await self._fetch(
            "SELECT app_id FROM subscriptions WHERE approval_code = ? ORDER BY app_id", (approval_code,))]

    # -- instances ------------------------------------------------------------------------------
    async def list_instance_codes(self, tenant_key: str, approval_code: str, start: int, end: int,
                                  after: Cursor | None, limit: int) -> Page:
        return await keyset_page(self, Listing(
            "code", "instances", "tenant_key = ? AND approval_code = ? AND start_time >= ? AND start_time <= ?",
            (tenant_key, approval_code, start, end), _INSTANCES_OLDEST, lambda r: r[0], counted=False), after, limit)

    async def search_instances(self, tenant_key: str, f: SearchFilter, *, reverted: bool | None = False,
                               after: Cursor | None = None, limit: int = 10, offset: int = 0,
                               counted: bool = True) -> Page:
        clauses = [("tenant_key = ?", tenant_key), *_given(
            ("user_id = ?", f.user_id), ("approval_code = ?", f.approval_code),
            ("approval_code IN (?)", list(f.approval_codes)), ("code = ?", f.instance_code),
            ("status IN (?)", list(f.statuses)), ("title LIKE ?", _like(f.title)), ("start_time >= ?", f.time_from),
            ("start_time <= ?", f.time_to))]
        # SQLite's instance indexes do not carry the reverted flag (PostgreSQL's do, so its counts read the index
        # alone): there a list without reverted instances is counted on its filter's index and the few reverted
        # instances it matches are taken off (keyset.Listing.own), rather than read row by row for the flag.
        own = ("instances", "code", *_where(clauses)) if reverted is False and self.dialect == "sqlite" else None
        if reverted is not None:
            clauses.append(("reverted = ?", int(reverted)))
        where, args = _where(clauses)
        return await keyset_page(self, Listing(rows.INSTANCE_COLS, "instances", where, args, _INSTANCES_NEWEST,
                                               rows.instance_from, counted=counted, own=own, tenant_key=tenant_key),
                                 after, limit, offset=0 if after else offset)

    # -- tasks ----------------------------------------------------------------------------------
    async def search_tasks(self, tenant_key: str, f: SearchFilter, *, order: int = 2, after: Cursor | None = None,
                           limit: int = 10, with_user_only: bool = True, offset: int = 0,
                           counted: bool = True) -> Page:
        """Tasks joined with their instances: Page.items are (Task, Instance) pairs; without ``counted``, the page
        has no count (Page.total -1)."""
        if f.user_id:  # a user's tasks in several statuses: one walk per status on the (user, status) index
            status, split = _split("t.status", f.statuses)
        else:
            status, split = [("t.status IN (?)", list(f.statuses))] if f.statuses else [], ("", ())
        clauses = [("t.tenant_key = ?", tenant_key), ("i.reverted = ?", 0), *status, *_given(
            ("t.user_id = ?", f.user_id), ("i.approval_code = ?", f.approval_code),
            ("i.approval_code IN (?)", list(f.approval_codes)), ("t.instance_code = ?", f.instance_code),
            ("i.title LIKE ?", _like(f.title)), ("t.start_time >= ?", f.time_from), ("t.start_time <= ?", f.time_to))]
        if with_user_only:
            clauses.append(("t.user_id <> ?", ""))
        where, args = _where(clauses)
        orders = _PG_TASK_ORDERS if self.dialect == "postgres" else _TASK_ORDERS
        return await keyset_page(self, Listing(
            _TASK_PAIR_COLS, _TASKS_JOINED, where, args, orders.get(order, orders[2]), _task_pair, split,
            counted=counted, own=_own("tasks t", "t.instance_code", clauses), tenant_key=tenant_key), after, limit,
            offset=0 if after else offset)

    async def tasks_of(self, tenant_key: str, instance_codes: Sequence[str]) -> list[Task]:
        if not instance_codes:
            return []
        where, args = _where([("tenant_key = ?", tenant_key), ("instance_code IN (?)", list(instance_codes))])
        return [rows.task_from(r) for r in await self._fetch(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE {where} ORDER BY start_time, id", args)]

    # -- CC records -----------------------------------------------------------------------------
    async def record_ccs(self, tr: Transition) -> None:
        """Mirror the transition's CC events into the ccs table, which the CC searches read."""
        inst = tr.agg.instance
        for e in tr.events:
            if e.kind != "cc":
                continue
            if e.status == "CREATE":
                await self._execute(
                    "INSERT INTO ccs (tenant_key, instance_code, approval_code, user_id, from_user_id, create_time, "
                    "read_status) VALUES (?, ?, ?, ?, ?, ?, 'UNREAD')",
                    (inst.tenant_key, inst.code, inst.approval_code, e.user_id, str(e.extra.get("from", "")),
                     e.operate_time))
            elif e.status == "READ":
                await self._execute("UPDATE ccs SET read_status = 'READ' WHERE instance_code = ? AND user_id = ?",
                                    (inst.code, e.user_id))

    async def search_ccs(self, tenant_key: str, f: SearchFilter, *, after: Cursor | None = None,
                         limit: int = 10, offset: int = 0, counted: bool = True) -> Page:
        """CC records joined with their instances: Page.items are (CcRecord, Instance) pairs."""
        clauses = [("c.tenant_key = ?", tenant_key), ("i.reverted = ?", 0), *_given(
            ("c.user_id = ?", f.user_id), ("c.approval_code = ?", f.approval_code),
            ("c.approval_code IN (?)", list(f.approval_codes)), ("c.instance_code = ?", f.instance_code),
            ("c.read_status = ?", _read_status(f.read_status)),
            ("i.title LIKE ?", _like(f.title)), ("c.create_time >= ?", f.time_from), ("c.create_time <= ?", f.time_to))]
        where, args = _where(clauses)
        return await keyset_page(self, Listing(_CC_PAIR_COLS, _CCS_JOINED, where, args, _CCS_NEWEST, _cc_pair,
                                               counted=counted, own=_own("ccs c", "c.instance_code", clauses),
                                               tenant_key=tenant_key), after, limit, offset=0 if after else offset)

    # -- comments -------------------------------------------------------------------------------
    async def add_comment(self, tenant_key: str, instance_code: str, user_id: str, content: str,
                          at_info_list: list[dict[str, Any]], parent_comment_id: int, extra: str, now: int) -> int:
        r = await self._fetchone(
            "INSERT INTO comments (tenant_key, instance_code, user_id, content, at_info_list, parent_comment_id, "
            "extra, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (tenant_key, instance_code, user_id, content, rows.dumps(at_info_list), parent_comment_id, extra,
             now, now))
        assert r is not None
        await self._index_comment(tenant_key, instance_code, int(r[0]), content)
        return int(r[0])

    async def edit_comment(self, tenant_key: str, instance_code: str, comment_id: int, content: str,
                           at_info_list: list[dict[str, Any]], extra: str, now: int) -> bool:
        edited = await self._execute(
            "UPDATE comments SET content = ?, at_info_list = ?, extra = ?, update_time = ? "
            "WHERE id = ? AND tenant_key = ? AND instance_code = ? AND is_delete = 0",
            (content, rows.dumps(at_info_list), extra, now, comment_id, tenant_key, instance_code)) > 0
        if edited:
            await self._index_comment(tenant_key, instance_code, comment_id, content)
        return edited

    async def get_comment(self, tenant_key: str, instance_code: str, comment_id: int) -> Comment | None:
        r = await self._fetchone(
            f"SELECT {_COMMENT_COLS} FROM comments WHERE id = ? AND tenant_key = ? AND instance_code = ?",
            (comment_id, tenant_key, instance_code))
        return _comment(r) if r else None

    async def list_comments(self, tenant_key: str, instance_code: str) -> list[Comment]:
        return [_comment(r) for r in await self._fetch(
            f"SELECT {_COMMENT_COLS} FROM comments WHERE tenant_key = ? AND instance_code = ? ORDER BY id",
            (tenant_key, instance_code))]

    async def comment_page(self, tenant_key: str, instance_code: str, offset: int,
                           limit: int) -> tuple[list[Comment], list[Comment], bool]:
        """A page of an instance's top-level comments (oldest first, ``offset`` in), the replies to them (oldest
        first), and whether more top-level comments follow. The comments before the page are skipped on the
        comments_by_parent index (migration 0020): the page costs what its own rows cost."""
        where = "tenant_key = ? AND instance_code = ?"
        ids = [int(r[0]) for r in await self._fetch(
            f"SELECT id FROM comments WHERE {where} AND parent_comment_id = 0 ORDER BY id LIMIT ? OFFSET ?",
            (tenant_key, instance_code, limit + 1, offset))]
        shown = ids[:limit]
        if not shown:
            return [], [], len(ids) > limit
        among = ", ".join("?" * len(shown))
        top = [_comment(r) for r in await self._fetch(
            f"SELECT {_COMMENT_COLS} FROM comments WHERE {where} AND id IN ({among}) ORDER BY id",
            (tenant_key, instance_code, *shown))]
        replies = [_comment(r) for r in await self._fetch(
            f"SELECT {_COMMENT_COLS} FROM comments WHERE {where} AND parent_comment_id IN ({among}) ORDER BY id",
            (tenant_key, instance_code, *shown))]
        return top, replies, len(ids) > limit

    async def delete_comment(self, tenant_key: str, instance_code: str, comment_id: int, now: int) -> bool:
        deleted = await self._execute(
            "UPDATE comments SET is_delete = 1, update_time = ? WHERE id = ? AND tenant_key = ? "
            "AND instance_code = ? AND is_delete = 0", (now, comment_id, tenant_key, instance_code)) > 0
        if deleted:
            await self._index_comment(tenant_key, instance_code, comment_id, None)
        return deleted

    async def remove_comments(self, tenant_key: str, instance_code: str) -> int:
        await self._unindex_comments(instance_code)
        return await self._execute("DELETE FROM comments WHERE tenant_key = ? AND instance_code = ?",
                                   (tenant_key, instance_code))

    # -- external approvals ---------------------------------------------------------------------
    async def put_external_approval(self, tenant_key: str, approval_code: str, body: dict[str, Any],
                                    now: int) -> None:
        await self._execute(
            "INSERT INTO external_approvals (tenant_key, approval_code, body, updated_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (tenant_key, approval_code) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            (tenant_key, approval_code, rows.dumps(body), now))

    async def get_external_approval(self, tenant_key: str, approval_code: str) -> dict[str, Any] | None:
        r = await self._fetchone("SELECT body FROM external_approvals WHERE tenant_key = ? AND approval_code = ?",
                                 (tenant_key, approval_code))
        return rows.loads(r[0]) if r else None

    async def external_group_name(self, tenant_key: str, group_code: str) -> str | None:
        """The name of the tenant's external approval group ``group_code`` ("" if it has none), or None if no
        approval is in that group. Groups are few per tenant and only definition writes ask, so the bodies that
        mention the code are read and the JSON decides."""
        # A LIKE over the code as it reads inside the stored JSON narrows the rows; a % or _ in the code only
        # widens the match, and the decoded body decides.
        pattern = "%" + rows.dumps(group_code)[1:-1] + "%"
        for (body,) in await self._fetch("SELECT body FROM external_approvals WHERE tenant_key = ? AND body LIKE ?",
                                         (tenant_key, pattern)):
            stored = rows.loads(body)
            if stored.get("group_code") == group_code:
                return str(stored.get("group_name") or "")
        return None

    async def put_external_instance(self, tenant_key: str, approval_code: str, instance_id: str, status: str,
                                    body: dict[str, Any], update_time: int) -> None:
        await self._execute(
            "INSERT INTO external_instances (tenant_key, approval_code, instance_id, status, body, update_time) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_key, approval_code, instance_id) DO UPDATE SET "
            "status = excluded.status, body = excluded.body, update_time = excluded.update_time",
            (tenant_key, approval_code, instance_id, status, rows.dumps(body), update_time))

    async def get_external_instance(self, tenant_key: str, approval_code: str,
                                    instance_id: str) -> dict[str, Any] | None:
        r = await self._fetchone("SELECT body FROM external_instances WHERE tenant_key = ? AND approval_code = ? "
                                 "AND instance_id = ?", (tenant_key, approval_code, instance_id))
        return rows.loads(r[0]) if r else None

    async def list_external_instances(self, tenant_key: str, *, approval_codes: Sequence[str] = (),
                                      instance_ids: Sequence[str] = (), status: str = "",
                                      after: Cursor | None = None, limit: int = 50) -> Page:
        clauses: list[tuple[str, Any]] = [("tenant_key = ?", tenant_key)]
        if approval_codes:
            clauses.append(("approval_code IN (?)", list(approval_codes)))
        if instance_ids:
            clauses.append(("instance_id IN (?)", list(instance_ids)))
        if status:
            clauses.append(("status = ?", status))
        where, args = _where(clauses)
        return await keyset_page(self, Listing("body", "external_instances", where, args, _EXTERNAL_OLDEST,
                                               lambda r: rows.loads(r[0]), counted=False), after, limit)

    async def outbox_page(self, tenant_key: str, *, instance_code: str = "", offset: int = 0,
                          limit: int = 50) -> Page:
        """One tenant's outbox, newest first, each row with its pending redelivery request (0 = none)."""
        where, args = _where([("o.tenant_key = ?", tenant_key), *_given(("o.instance_code = ?", instance_code))])
        return await keyset_page(self, Listing(
            "o.id, o.approval_code, o.instance_code, o.kind, o.status, o.payload, o.created_at, "
            "COALESCE(r.requested_at, 0)",
            # at most one redelivery request per outbox row (its primary key): the join does not change the count
            "outbox o LEFT JOIN outbox_redeliveries r ON r.outbox_id = o.id", where, args, _OUTBOX_NEWEST,
            lambda r: {"id": r[0], "approval_code": r[1], "instance_code": r[2], "kind": r[3], "status": r[4],
                       "payload": rows.loads(r[5]), "created_at": r[6], "redeliver_requested_at": r[7]}),
            None, limit, offset=offset)

def instances_by_code(items: list[Instance]) -> dict[str, Instance]:
    return {i.code: i for i in items}
