"""Every list the API and the web inbox read walks an index that matches its filter and its order: no statement
scans a table or sorts its rows, on the first page or on a page reached by cursor, on SQLite and on PostgreSQL.

The test records the statements each store method runs and asks the database for their plans. SQLite's EXPLAIN
QUERY PLAN must show no SCAN of a table (a SEARCH is an index range) and no temporary B-tree for the order;
PostgreSQL's plan, with sequential scans, bitmap scans and sorts priced out, must contain none of them (so the
planner had an index walk in the right order to choose). No timing is asserted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from shenpi.store.base import Store, Tx
from shenpi.store.records import Cursor, SearchFilter
from shenpi.store.sql import to_dollar
from tests.store.contract import run

T = "acme"
TASK_KEY = Cursor(5, (1_700_000_000_000, "7000000000000000001"))
CC_KEY = Cursor(5, (1_700_000_000_000, 42))
INSTANCE_KEY = Cursor(5, (1_700_000_000_000, "5C3A1E52-0000-4000-8000-000000000001"))
EXTERNAL_KEY = Cursor(5, (1_700_000_000_000, "ext-1", "EXT"))
DONE = ("APPROVED", "REJECTED", "TRANSFERRED")

Read = Callable[[Tx], Awaitable[object]]
READS: dict[str, Read] = {
    "instances list": lambda tx: tx.list_instance_codes(T, "LEAVE", 0, 2**62, None, 100),
    "instances list, next page": lambda tx: tx.list_instance_codes(T, "LEAVE", 0, 2**62, INSTANCE_KEY, 100),
    "instances/query by user": lambda tx: tx.search_instances(T, SearchFilter("alice")),
    "instances/query by approval, next page": lambda tx: tx.search_instances(
        T, SearchFilter(approval_code="LEAVE"), after=INSTANCE_KEY),
    "instances/query by approval in a window": lambda tx: tx.search_instances(
        T, SearchFilter(approval_code="LEAVE", time_from=1, time_to=2**40), reverted=None),
    "initiated, next page": lambda tx: tx.search_instances(T, SearchFilter("alice"), reverted=None,
                                                           after=INSTANCE_KEY),
    "tasks/search by user": lambda tx: tx.search_tasks(T, SearchFilter("bob")),
    "tasks/search by user, next page": lambda tx: tx.search_tasks(T, SearchFilter("bob"), after=TASK_KEY),
    "to do tasks": lambda tx: tx.search_tasks(T, SearchFilter("bob", statuses=("PENDING",)), after=TASK_KEY),
    "done tasks (three statuses)": lambda tx: tx.search_tasks(T, SearchFilter("bob", statuses=DONE)),
    "done tasks, next page": lambda tx: tx.search_tasks(T, SearchFilter("bob", statuses=DONE), after=TASK_KEY),
    "search_cc by user": lambda tx: tx.search_ccs(T, SearchFilter("carol")),
    "search_cc unread, next page": lambda tx: tx.search_ccs(T, SearchFilter("carol", read_status="UNREAD"),
                                                           after=CC_KEY),
    "search_cc by approval, next page": lambda tx: tx.search_ccs(T, SearchFilter(approval_code="LEAVE"),
                                                                after=CC_KEY),
    "external tasks": lambda tx: tx.list_external_instances(T),
    "external tasks, next page": lambda tx: tx.list_external_instances(T, after=EXTERNAL_KEY),
    "inbox to do": lambda tx: tx.inbox_tasks(T, "bob", ("PENDING",), offset=40),
    "inbox done": lambda tx: tx.inbox_tasks(T, "bob", DONE, newest_end_first=True, offset=40),
    "inbox started": lambda tx: tx.inbox_instances(T, "alice", offset=40),
    "inbox CC": lambda tx: tx.inbox_ccs(T, "carol", offset=40),
    "inbox unread CC": lambda tx: tx.inbox_ccs(T, "carol", read_status="UNREAD"),
    "inbox counts": lambda tx: tx.inbox_counts(T, "bob"),
    "inbox badges, the shown list skipped": lambda tx: tx.inbox_counts(T, "bob", cap=100, skip=("todo",)),
    "user_task/query assignMe, by offset": lambda tx: tx.search_tasks(T, SearchFilter("bob", statuses=("PENDING",)),
                                                                      offset=40),
    "user_task/query assignMe archived, by offset": lambda tx: tx.search_tasks(
        T, SearchFilter("bob", statuses=DONE), offset=40),
    "user_task/query over approvals, by offset": lambda tx: tx.search_tasks(
        T, SearchFilter("bob", statuses=("PENDING",), approval_codes=("LEAVE", "TRIP")), offset=40),
    "user_task/query fromMe, by offset": lambda tx: tx.search_instances(T, SearchFilter("alice"), reverted=None,
                                                                        offset=40),
    "user_task/query CCMe, by offset": lambda tx: tx.search_ccs(T, SearchFilter("carol"), offset=40),
    # A user with rows on PostgreSQL (its filled tenant): the page's rows are read, and the count starts after them.
    "user_task/query over approvals, by offset, rows on the page": lambda tx: tx.search_tasks(
        T, SearchFilter("u7", approval_codes=("A7", "A17")), offset=3, limit=5),
    "user_task/query CCMe, by offset, rows on the page": lambda tx: tx.search_ccs(T, SearchFilter("u7"), offset=20),
    "comments page": lambda tx: tx.comment_page(T, "I000001", 40, 10),
    "outbox page": lambda tx: tx.outbox_page(T, offset=100),
}

_TABLE_SCAN = re.compile(r"^SCAN (?!matched\b)")  # "matched" is the capped count's bounded subquery
# The filters an index must narrow by, not check row by row after it (an index on the tenant alone walks it all).
_NARROWING = re.compile(r"\b(user_id|approval_code|status|read_status) = \?")
_BY_PRIMARY_KEY = re.compile(r"SEARCH \w+ USING (INTEGER PRIMARY KEY|(COVERING )?INDEX sqlite_autoindex_)")
_PG_AFTER_INDEX = re.compile(r"\b(user_id|approval_code|status|read_status) = '")


def _sqlite_problems(sql: str, plan: list[Any]) -> list[str]:
    details = [str(row[3]) for row in plan]
    found = [d for d in details if _TABLE_SCAN.match(d) or "TEMP B-TREE" in d]
    searched = " ".join(details)
    if _BY_PRIMARY_KEY.match(details[0]):  # a page's rows read by their ids: no narrower search exists
        return found
    return found + [f"{column} not in an index search" for column in set(_NARROWING.findall(sql))
                    if f"{column}=?" not in searched]


def _pg_problems(node: dict[str, Any]) -> list[str]:
    found = []
    if node["Node Type"] in ("Seq Scan", "Sort", "Incremental Sort", "Bitmap Heap Scan"):
        found.append(f"{node['Node Type']} {node.get('Relation Name', '')}".strip())
    if _PG_AFTER_INDEX.search(node.get("Filter", "")) and not str(node.get("Index Name")).endswith("_pkey"):
        found.append(f"{node.get('Index Name')} filters {node['Filter']} after the index")
    for child in node.get("Plans", []):
        found += _pg_problems(child)
    return found


# PostgreSQL plans by statistics: on empty tables every index costs the same, so it gets a tenant of 10 000
# instances over 200 submitters and 50 approvals (with their tasks and CC records) and ANALYZE first.
_PG_ROWS = [
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
    "SELECT 'C' || g, 'acme', 'A' || (g % 50), 'u' || (g % 200), 'APPROVED', '[]', g FROM generate_series(1, 10000) g",
    "INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, start_time) "
    "SELECT 'T' || g, 'acme', 'C' || g, 'n', 'u' || (g % 200), "
    "(ARRAY['PENDING', 'APPROVED', 'REJECTED', 'TRANSFERRED'])[g % 4 + 1], 'AND', g "
    "FROM generate_series(1, 10000) g",
    "INSERT INTO ccs (tenant_key, instance_code, approval_code, user_id, create_time, read_status) "
    "SELECT 'acme', 'C' || g, 'A' || (g % 50), 'u' || (g % 200), g, (ARRAY['READ', 'UNREAD'])[g % 2 + 1] "
    "FROM generate_series(1, 10000) g",
    "ANALYZE",
]


async def _plans(store: Store, read: Read) -> list[tuple[str, list[str]]]:
    """Each statement ``read`` runs, with what is wrong with its plan."""
    out: list[tuple[str, list[str]]] = []
    async with store.transaction() as tx:
        if tx.dialect == "postgres":
            for statement in _PG_ROWS:
                await tx._execute(statement)
    async with store.transaction() as tx:
        fetch, fetchone = tx._fetch, tx._fetchone
        if tx.dialect == "postgres":
            for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort"):
                await tx._execute(f"SET LOCAL {setting} = off")

        async def explained(sql: str, args: tuple[Any, ...]) -> None:
            # The inbox counts' statements that start from a tenant's reverted instances (a partial index of the
            # few there are) narrow by the user only after it, by design ...
            if tx.dialect == "sqlite":
                plan = await fetch("EXPLAIN QUERY PLAN " + sql, args)
                problems = _sqlite_problems(sql, plan)
                if "instances_reverted " in str(plan):  # ... and group those few rows by status
                    problems = [p for p in problems if "not in an index search" not in p and "GROUP BY" not in p]
                out.append((sql, problems))
            else:
                plan = await fetch("EXPLAIN (FORMAT JSON) " + sql, args)
                problems = _pg_problems(json.loads(plan[0][0])[0]["Plan"])
                if '"instances_reverted"' in plan[0][0]:
                    problems = [p for p in problems if "after the index" not in p]
                out.append((to_dollar(sql), problems))

        async def recording_fetch(sql: str, args: tuple[Any, ...] = ()) -> Any:
            await explained(sql, args)
            return await fetch(sql, args)

        async def recording_fetchone(sql: str, args: tuple[Any, ...] = ()) -> Any:
            await explained(sql, args)
            return await fetchone(sql, args)

        tx._fetch, tx._fetchone = recording_fetch, recording_fetchone  # type: ignore[method-assign]
        await read(tx)
    return out


@pytest.mark.parametrize("name", list(READS))
def test_each_list_statement_walks_an_index_in_its_order(store_url: str, name: str) -> None:
    async def body(store: Store) -> None:
        plans = await _plans(store, READS[name])
        assert plans, "the read ran no statement"
        bad = [(sql, problems) for sql, problems in plans if problems]
        assert not bad, bad

    run(store_url, body)


def test_the_check_catches_a_list_without_its_index(store_url: str) -> None:
    """The canary: with the submitter index dropped, the same read is caught scanning or sorting."""
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            await tx._execute("DROP INDEX instances_by_user_newest")
        plans = await _plans(store, READS["instances/query by user"])
        assert any(problems for _, problems in plans), plans

    run(store_url, body)
