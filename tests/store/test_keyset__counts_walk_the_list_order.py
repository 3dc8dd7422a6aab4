"""A list's capped count reads an index of its filter alone, never the table. On PostgreSQL it walks the index its
pages walk, which carries the reverted flag every instance list filters on, so the count costs the same wherever
the tenant's rows lie in the table and reads no row; left to itself PostgreSQL counts a big tenant with a
sequential scan it expects to meet the cap early, which reads the whole table when that tenant's rows were written
last. On SQLite it reads the filter's index alone too. Plans only: no timing is asserted."""

from __future__ import annotations

import json
from typing import Any

from shenpi.store.base import Store
from shenpi.store.records import SearchFilter
from tests.store.contract import run
from tests.store.test_notifications__mail_queue_plans import _names

_ROWS = [  # another tenant's history first, then acme's: acme is a fifth of the table, all of it at the end
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
    "SELECT 'O' || g, 'other', 'A1', 'u' || (g % 200), 'APPROVED', '[]', g FROM generate_series(1, 20000) g",
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
    "SELECT 'C' || g, 'acme', 'A1', 'u' || (g % 200), 'APPROVED', '[]', g FROM generate_series(1, 5000) g",
    "ANALYZE instances",
]


def test_the_count_of_a_big_tenants_list_walks_the_lists_index(store_url: str) -> None:
    async def body(store: Store) -> None:
        counts: list[tuple[str, tuple[Any, ...]]] = []
        async with store.transaction() as tx:
            if tx.dialect == "postgres":
                for statement in _ROWS:
                    await tx._execute(statement)
            count = tx._count

            async def recording(sql: str, args: tuple[Any, ...] = ()) -> int:
                counts.append((sql, args))
                return await count(sql, args)

            tx._count = recording  # type: ignore[method-assign]
            page = await tx.search_instances("acme", SearchFilter(approval_code="A1"), limit=10)
            assert counts, "the list answered no count"
            sql, args = counts[-1]
            if tx.dialect == "postgres":
                assert page.total == 1000  # the cap
                plan = await tx._fetch("EXPLAIN (FORMAT JSON) " + sql, args)  # the planner's own choice
                steps = _names(json.loads(plan[0][0])[0]["Plan"])
                assert "Index Only Scan:instances_by_approval_newest" in steps, steps
                assert "Seq Scan:instances" not in steps, steps
            else:
                plan = " | ".join(str(r[3]) for r in await tx._fetch("EXPLAIN QUERY PLAN " + sql, args))
                # SQLite's indexes do not carry the flag: the count reads the filter's index alone, and the few
                # reverted instances are taken off it (a statement of their own, from their partial index).
                assert "SEARCH instances USING COVERING INDEX instances_by_approval_" in plan, plan

    run(store_url, body)
