"""The reminder timer's search walks the partial index of pending tasks from each reminder, so its cost is the
pending work and not the store's history of decided tasks (it runs on a timer in every server process).
Plans only: no timing is asserted."""

from __future__ import annotations

from shenpi.store.base import Store
from tests.store.contract import run
from tests.store.test_notifications__mail_queue_plans import plan_of

_PG_ROWS = [
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
    "SELECT 'C' || g, 'acme', 'A' || (g % 50), 'u' || (g % 200), 'APPROVED', '[]', g FROM generate_series(1, 10000) g",
    "INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, start_time) "
    "SELECT 'T' || g, 'acme', 'C' || g, 'n', 'u' || (g % 200), "
    "CASE WHEN g % 100 = 0 THEN 'PENDING' ELSE 'APPROVED' END, 'AND', g "  # a store is mostly history
    "FROM generate_series(1, 10000) g",
    "INSERT INTO notification_reminders (tenant_key, approval_code, after_hours) VALUES ('acme', 'A1', 2)",
    "ANALYZE",
]


def test_the_overdue_search_walks_pending_tasks_by_start_time(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            if tx.dialect == "postgres":
                for statement in _PG_ROWS:
                    await tx._execute(statement)
            else:
                await tx._execute("INSERT INTO notification_reminders (tenant_key, approval_code, after_hours) "
                                  "VALUES ('acme', 'A1', 2)")
        # the rows are not the point: the plan is
        plan = await plan_of(store, lambda tx: tx.overdue_tasks(10**13))
        seen = plan.split(" | ")
        assert "tasks_pending_by_start" in plan, plan
        walks = [step for step in seen if step.startswith(("SCAN t", "SEARCH t ", "Seq Scan:tasks", "Index Scan:t"))]
        assert all("tasks_pending_by_start" in step for step in walks if "tasks" in step or " t " in step), plan
        assert "Seq Scan:tasks" not in plan and not any(s.strip() == "SCAN t" for s in seen), plan

    run(store_url, body)
