"""On PostgreSQL a list on several statuses (a user's done tasks) reads its page with the connection's generic plans,
planned once rather than for every page's values: the statement that finds the rows on reverted instances and the
one that walks each status and reads the page. Their generic plans, which know no user, status or cursor, must
still walk the indexes: the reverted rows from the reverted instances' partial index, each status's keys from the
(user, status) index in the list's order (merged, not sorted), the page's rows by primary key. The count that
follows is planned for its values. Plans only: no timing is asserted."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shenpi.store.base import Store, Tx
from shenpi.store.records import Cursor, SearchFilter
from tests.pg import postgres_url_or_skip
from tests.store.contract import run
from tests.store.test_queries__plans import _PG_ROWS, _pg_problems

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")
TASK_KEY = Cursor(5, (1_700_000_000_000, "7000000000000000001"))
DONE_KEY = Cursor(5, (1_700_000_000_000, 1_700_000_000_000, "7000000000000000001"))


def _nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _nodes(child))]


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


async def _generic_plan(tx: Tx, n: int, sql: str, args: tuple[Any, ...]) -> dict[str, Any]:
    """The plan of ``sql`` prepared, as the connection's generic plan (EXECUTE takes its values as literals)."""
    await tx._execute(f"PREPARE walk{n} AS {sql}")
    plan = await tx._fetch(f"EXPLAIN (FORMAT JSON) EXECUTE walk{n}({', '.join(map(_literal, args))})")
    return dict(json.loads(plan[0][0])[0]["Plan"])


@pytest.fixture
def pg_url() -> str:
    """PostgreSQL only: SQLite plans every statement for its values, so it has no generic plan to check."""
    return postgres_url_or_skip("generic_plans")


@pytest.mark.parametrize("read", ["first page", "next page", "inbox done, next page"])
def test_the_walks_of_several_statuses_keep_index_walks_in_their_generic_plans(pg_url: str, read: str) -> None:

    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for statement in _PG_ROWS:
                await tx._execute(statement)
        generic: list[tuple[str, tuple[Any, ...]]] = []
        async with store.transaction() as tx:
            fetch = tx._fetch

            async def recording(sql: str, args: tuple[Any, ...] = ()) -> Any:
                mode = (await fetch("SHOW plan_cache_mode"))[0][0]
                if mode == "force_generic_plan":
                    generic.append((sql, args))
                return await fetch(sql, args)

            tx._fetch = recording  # type: ignore[method-assign]
            if read == "first page":
                await tx.search_tasks("acme", SearchFilter("u7", statuses=DONE), limit=5)
            elif read == "next page":
                await tx.search_tasks("acme", SearchFilter("u7", statuses=DONE), after=TASK_KEY, limit=5)
            else:
                await tx.inbox_tasks("acme", "u7", DONE, newest_end_first=True, after=DONE_KEY, limit=5)
        assert len(generic) == 2, generic  # the reverted rows, and the walks with the page's rows
        async with store.transaction() as tx:
            await tx._execute("SET LOCAL plan_cache_mode = force_generic_plan")
            plans = [await _generic_plan(tx, n, sql, args) for n, (sql, args) in enumerate(generic)]
        for (sql, _), plan in zip(generic, plans, strict=True):
            assert not _pg_problems(plan), (sql, plan)
            scans = {n.get("Index Name") for n in _nodes(plan) if "Scan" in n["Node Type"]}
            if "UNION ALL" in sql:
                assert any(n["Node Type"] == "Merge Append" for n in _nodes(plan)), plan
                walked = {"tasks_by_user_status_decided" if read.startswith("inbox") else "tasks_by_user_status_newest"}
                assert scans == {*walked, "tasks_pkey", "instances_pkey"}, scans
            else:
                assert "instances_reverted" in scans, scans

    run(pg_url, body)
