"""Keyset paging and capped counts: what keeps a list's cost independent of how many rows the store holds.

A page does not skip ``offset`` rows: it starts right after the sort key of the last row the previous page served
(a :class:`Cursor`), so with an index that matches the filter and the order, page 50 reads what page 1 reads.
Every order ends in a unique column, so the key names one row and a row inserted meanwhile is either before the
cursor (not shown) or after it (shown once).

A count walks every match, so it stops at ``COUNT_CAP``: ``total`` is exact while fewer than COUNT_CAP rows remain
from the page's start, and otherwise the rows before the page plus COUNT_CAP (a lower bound; ``has_more`` stays
exact). Feishu caps its own tasks/query count the same way (999 and has_more past 1000).

A filter on several values of an indexed column (a task in any of three statuses) is read as one index walk per
value, merged here: each walk is in index order, and the merge reads at most ``limit + 1`` rows of each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shenpi.engine.errors import ParamInvalid
from shenpi.store.records import Cursor, Page
from shenpi.store.sql import Row, SqlTx

COUNT_CAP = 1000
_MAX_KEY_TEXT = 256  # the longest key a cursor carries: codes and ids are far shorter
_INT64 = 2**63


def bad_cursor() -> ParamInvalid:
    return ParamInvalid("page_token is not a token this server issued", field="page_token")


@dataclass(frozen=True, slots=True)
class Order:
    """A list's sort: (SQL expression, descending, the Python type of its values), the last one unique."""

    keys: tuple[tuple[str, bool, type], ...]

    def sql(self) -> str:
        return ", ".join(f"{expr} DESC" if desc else expr for expr, desc, _ in self.keys)

    def check(self, cursor: Cursor) -> None:
        """A cursor this order could have written, else 1390001 on page_token (it came from a client)."""
        if len(cursor.keys) != len(self.keys) or not 0 <= cursor.position < _INT64:
            raise bad_cursor()
        for value, (_, _, kind) in zip(cursor.keys, self.keys, strict=True):
            if type(value) is not kind:
                raise bad_cursor()
            if isinstance(value, int) and not -_INT64 <= value < _INT64:
                raise bad_cursor()
            if isinstance(value, str) and len(value) > _MAX_KEY_TEXT:
                raise bad_cursor()

    def after(self, cursor: Cursor) -> tuple[str, tuple[Any, ...]]:
        """The rows past the cursor, written so the first key is a plain range an index walks:
        ``k1 <= v1 AND (k1 < v1 OR (k2 ...))`` (``>``/``>=`` for ascending keys)."""
        self.check(cursor)
        sql = ""  # built from the last key outwards
        args: tuple[Any, ...] = ()
        for (expr, desc, _), value in reversed(list(zip(self.keys, cursor.keys, strict=True))):
            strict = f"{expr} {'<' if desc else '>'} ?"
            if not sql:
                sql, args = strict, (value,)
            else:
                sql = f"{expr} {'<=' if desc else '>='} ? AND ({strict} OR ({sql}))"
                args = (value, value, *args)
        return sql, args

    def merge(self, rows: list[Row], width: int) -> list[Row]:
        """Rows of several walks in this order (their keys are the last ``width`` columns); Python's string order
        is the C collation's, which the stores use."""
        out: list[Row] = [tuple(r) for r in rows]
        for i in reversed(range(len(self.keys))):  # stable sorts, least significant key first
            column = i - width  # the keys are the last columns

            def key(r: Row, column: int = column) -> Any:
                return r[column]
            out.sort(key=key, reverse=self.keys[i][1])
        return out


@dataclass(slots=True)
class Listing:
    """One list query: what to select from where, the filter (``?`` placeholders), the order and the row type."""

    cols: str
    source: str
    where: str
    args: tuple[Any, ...]
    order: Order
    item: Callable[[Sequence[Any]], Any]
    split: tuple[str, Sequence[Any]] = ("", ())  # a column filtered on several values: one walk per value
    counted: bool = True  # False for a list that answers no count: its Page.total is -1
    # A list joined to instances only to leave reverted ones out is counted on its own table (``own``: the table
    # with its alias, its instance-code column, the filter without the join) and the few rows on reverted
    # instances (few: approved instances taken back in time) are taken off: a count does not look up the
    # instance of every row. A list of instances may do the same with ``own`` naming "instances" itself and its
    # filter without the reverted flag, where no index carries the flag.
    own: tuple[str, str, str, tuple[Any, ...]] | None = None
    tenant_key: str = ""  # the tenant whose reverted instances ``own`` takes off


async def _custom_plans(tx: SqlTx) -> None:
    """On PostgreSQL, plan this transaction's lists for their values: after five runs of a prepared statement
    PostgreSQL may keep a generic plan, which knows neither the user nor the status filtered on, and for a join
    and a count (a user's few PENDING tasks among many) it hashes whole tables: 40 ms instead of 1 (bench part f)."""
    if tx.dialect == "postgres" and not tx.plans_for_values:
        await tx._execute("SET LOCAL plan_cache_mode = force_custom_plan")
        tx.plans_for_values = True  # for the rest of the transaction: one round trip, not one per list and count


async def capped_count(tx: SqlTx, source: str, where: str, args: tuple[Any, ...], *, beyond: int = 0,
                       order: str = "") -> int:
    """How many rows match, counted no further than COUNT_CAP (+ ``beyond``).

    On PostgreSQL ``order``, the list's own order, makes the count walk the index its pages walk. Without it
    PostgreSQL may count a big tenant's rows with a sequential scan that it expects to meet COUNT_CAP matches
    early: that holds only while those rows happen to lie at the start of the table, and a synchronized scan
    (another scan of the table in progress, or the last one's end point) starts elsewhere and reads most of the
    table. SQLite never scans a table with an index of the filter at hand, and walks whichever such index lies
    closest to the rows' order on disk (4x cheaper than the newest-first walk at 10^5 instances)."""
    await _custom_plans(tx)
    ordered = f" ORDER BY {order}" if order and tx.dialect == "postgres" else ""
    return await tx._count(f"SELECT COUNT(*) FROM (SELECT 1 FROM {source} WHERE {where}{ordered} "
                           f"LIMIT {int(COUNT_CAP + beyond)}) AS matched", args)


async def _rows_of(tx: SqlTx, q: Listing, ids: list[Any]) -> list[Row]:
    """The rows of ``q`` whose last sort key (unique alone in every list) is in ``ids``, in the order of ``ids``,
    each followed by its sort keys. The walk that found the ids applied the filter; repeated here, it would only
    give the planner another way in (see _walked_rows)."""
    unique = q.order.keys[-1][0]
    keys = ", ".join(expr for expr, _, _ in q.order.keys)
    read = await tx._fetch(f"SELECT {q.cols}, {keys} FROM {q.source} WHERE {unique} IN "
                           f"({', '.join('?' * len(ids))})", tuple(ids))
    by_id = {r[-1]: r for r in read}
    return [by_id[i] for i in ids if i in by_id]


async def _reverted_keys(tx: SqlTx, q: Listing, own: str, own_args: tuple[Any, ...], among: str,
                         values: Sequence[Any]) -> set[Any]:
    """The unique keys of the rows ``own`` (the filter on the list's own table) matches on reverted instances: few,
    found from the index of the tenant's reverted instances. A list of instances is its own table: on SQLite, which
    runs no ANALYZE, its planner would rather walk the list's filter index than the partial one without the hint."""
    assert q.own is not None
    table, code = q.own[0], q.own[1]
    unique = q.order.keys[-1][0]
    if table == "instances":
        hint = " INDEXED BY instances_reverted" if tx.dialect == "sqlite" else ""
        sql = f"SELECT {unique} FROM instances{hint} WHERE tenant_key = ? AND reverted = 1 AND {own}{among}"
    else:
        sql = (f"SELECT {unique} FROM instances i JOIN {table} ON {code} = i.code WHERE i.tenant_key = ? "
               f"AND i.reverted = 1 AND {own}{among}")
    return {r[0] for r in await tx._fetch(sql, (q.tenant_key, *own_args, *values))}


async def _count_from(tx: SqlTx, q: Listing, more: str, more_args: tuple[Any, ...], among: str,
                      values: Sequence[Any], reverted: set[Any] | None, *, beyond: int = 0, order: str = "") -> int:
    """How many rows of ``q`` match past the cursor condition ``more``, as far as COUNT_CAP (+ ``beyond``). With
    ``q.own``, the rows on reverted instances (``reverted``, or found here when None) are taken off a count on the
    own table."""
    if q.own is None:
        return await capped_count(tx, q.source, f"{q.where}{more}{among}", (*q.args, *more_args, *values),
                                  beyond=beyond, order=order)
    table, _, own, own_args = q.own
    own, own_args = f"{own}{more}", (*own_args, *more_args)
    if reverted is None:
        reverted = await _reverted_keys(tx, q, own, own_args, among, values)
    return min(COUNT_CAP + beyond, await capped_count(tx, table, f"{own}{among}", (*own_args, *values),
                                                      beyond=len(reverted) + beyond, order=order) - len(reverted))


async def _walked_rows(tx: SqlTx, q: Listing, source: str, walks: list[tuple[str, tuple[Any, ...]]],
                       n: int) -> list[Row]:
    """PostgreSQL: the first ``n`` keys of several walks merged (``UNION ALL`` of the index walks, each in the
    list's order: a Merge Append), and the rows of ``q`` that have them, in the list's order, each followed by its
    sort keys. The rows are found by their unique key alone: with the list's filter repeated beside it, PostgreSQL
    at 10^6 rows misjudged a deep page's cursor range as a few rows and walked the user's whole range for them."""
    named = ", ".join(f"{expr} AS k{i}" for i, (expr, _, _) in enumerate(q.order.keys))
    by = ", ".join(f"k{i} DESC" if desc else f"k{i}" for i, (_, desc, _) in enumerate(q.order.keys))
    union = " UNION ALL ".join(f"(SELECT {named} FROM {source} WHERE {walk} ORDER BY {q.order.sql()} LIMIT ?)"
                               for walk, _ in walks)
    keys = ", ".join(expr for expr, _, _ in q.order.keys)
    read = await tx._fetch(
        f"SELECT {q.cols}, {keys} FROM {q.source} WHERE {q.order.keys[-1][0]} IN "
        f"(SELECT k{len(q.order.keys) - 1} FROM ({union} ORDER BY {by} LIMIT ?) AS walked)",
        (*(a for _, each in walks for a in (*each, n)), n))
    return q.order.merge(list(read), len(q.order.keys))


async def keyset_page(tx: SqlTx, q: Listing, after: Cursor | None, limit: int, *, offset: int = 0) -> Page:
    """The page of ``q`` after ``after`` (or, for the web's numbered pages, ``offset`` rows in: a walk of at most
    offset + limit rows, bounded by the page number and not by the store)."""
    where, args = q.where, q.args
    position = offset
    more, more_args = "", ()
    if after is not None:
        more, more_args = q.order.after(after)
        more = f" AND ({more})"
        where, args = f"{where}{more}", (*args, *more_args)
        position = after.position
    width = len(q.order.keys)
    keys = ", ".join(expr for expr, _, _ in q.order.keys)
    column, values = q.split
    among = f" AND {column} IN ({', '.join('?' * len(values))})" if column else ""
    # A list of several walks, or a page past an offset, walks the rows' keys alone, on the list's own table when it
    # has one (an instance's flow state costs more to read than the walk, each instance looked up is a random read,
    # and each walk of whole rows would read up to a page of them for a merge that keeps one page); the page's own
    # rows are then read by their unique key.
    narrow = bool(offset) or len(values) > 1
    one_statement = narrow and not offset and tx.dialect == "postgres"  # see the branch below
    keys_only = narrow and not one_statement  # the walks read keys and the page's rows are read after them
    # On PostgreSQL a list of several walks on its own table reads its page in one statement (below) whose plan is
    # the same for any values: each walk is the one index that starts with every column the walk is equal on and
    # goes on in the list's order, and the rows are read by their key. It keeps the connection's generic plan, as
    # does the statement that finds the rows on reverted instances (it starts from their partial index): planned
    # once per connection rather than at every page (each plan of the walks cost 0.5 ms). The count is planned for
    # its values (capped_count).
    if not (one_statement and q.own is not None):
        await _custom_plans(tx)
    reverted: set[Any] = set()  # with ``q.own``: the unique keys of the matching rows on reverted instances
    if q.own is not None and (narrow or q.counted):
        reverted = await _reverted_keys(tx, q, f"{q.own[2]}{more}", (*q.own[3], *more_args), among, values)
    source, walk, walk_args = q.source, where, args
    if narrow and q.own is not None:
        source, walk, walk_args = q.own[0], f"{q.own[2]}{more}", (*q.own[3], *more_args)
    walks = [(f"{walk} AND {column} = ?", (*walk_args, v)) for v in values] if column else [(walk, walk_args)]
    skipped: Row | None = None  # with an offset: the key of the last row before the page
    seen = -1  # with an offset, when the walk reached the list's end: how many rows the list holds
    if offset and not reverted and len(walks) == 1:
        # One walk and nothing to leave out: the store skips the rows (an OFFSET), and hands over only the last
        # skipped key (where the count starts) and the page's keys.
        (walk_where, each_args), = walks
        got = await tx._fetch(f"SELECT {keys} FROM {source} WHERE {walk_where} ORDER BY {q.order.sql()} "
                              f"LIMIT ? OFFSET ?", (*each_args, limit + 2, offset - 1))
        skipped, found = (got[0], got[1:]) if got else (None, [])
        seen = offset + len(found) if got and len(found) <= limit else -1
    elif one_statement:
        # One statement: the walks' keys merged by the database and the page's rows read by them, so PostgreSQL
        # plans once where a statement per walk and one for the rows would each be planned for their values
        # (custom plans, above). Walked on the own table, the rows on reverted instances are left out here.
        found = [r for r in await _walked_rows(tx, q, source, walks, limit + 1 + len(reverted))
                 if r[-1] not in reverted][:limit + 1]
    else:
        found = []
        for walk_where, each_args in walks:
            found += await tx._fetch(f"SELECT {keys if keys_only else q.cols + ', ' + keys} FROM {source} WHERE "
                                     f"{walk_where} ORDER BY {q.order.sql()} LIMIT ?",
                                     (*each_args, offset + limit + 1 + len(reverted)))
        if len(walks) > 1:
            found = q.order.merge(found, width)
        if keys_only and reverted:
            found = [r for r in found if r[-1] not in reverted]
        if offset:
            skipped = found[offset - 1] if len(found) >= offset else None
            seen = len(found) if len(found) <= offset + limit else -1
        found = found[offset:offset + limit + 1]
    shown = found[:limit]
    if keys_only and shown:
        shown = await _rows_of(tx, q, [r[-1] for r in shown])
    # A filter on several values has no one index walk in the list's order: its count stops at the cap in any order.
    walked = "" if column else q.order.sql()
    if not q.counted:
        total = -1
    elif seen >= 0:
        total = seen  # the walk reached the list's end: every row is accounted for
    elif offset and skipped is None:  # a page past the end, the rows not walked: fewer than offset of them
        total = await _count_from(tx, q, "", (), among, values, None, beyond=offset, order=walked)
    else:
        if skipped is not None:  # counted from the page's start, as from a cursor there: skipped rows are not walked
            more, more_args = q.order.after(Cursor(offset, tuple(skipped[-width:])))
            more = f" AND ({more})"
        total = position + await _count_from(tx, q, more, more_args, among, values,
                                             None if offset and reverted else reverted, order=walked)
    has_more = len(found) > limit
    last = shown[-1] if shown else None
    cursor = Cursor(position + len(shown), tuple(last[len(last) - width:])) if has_more and last else None
    return Page([q.item(r[:len(r) - width]) for r in shown], total, has_more, cursor)
