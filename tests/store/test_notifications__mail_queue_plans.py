"""The mail queue's reads walk the partial indexes that hold only mail still to send and dead letters (most
notifications send no mail), on SQLite and PostgreSQL; a dedupe key stays unique where there is one. Plans only:
no timing is asserted."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from shenpi.store.base import Store, Tx
from shenpi.store.notifications import Notification
from tests.store.contract import run


def _names(node: dict[str, Any]) -> list[str]:
    out = [f"{node['Node Type']}:{node.get('Index Name') or node.get('Relation Name', '')}"]
    for child in node.get("Plans", []):
        out += _names(child)
    return out


async def plan_of(store: Store, read: Callable[[Tx], Awaitable[object]]) -> str:
    """The plan of each SELECT ``read`` runs (PostgreSQL with sequential scans priced out), steps joined by " | "."""
    seen: list[str] = []
    async with store.transaction() as tx:
        fetch = tx._fetch

        async def explaining(sql: str, args: tuple[Any, ...] = ()) -> Any:
            if sql.lstrip().upper().startswith("SELECT"):
                if tx.dialect == "sqlite":
                    seen.extend(str(row[3]) for row in await fetch("EXPLAIN QUERY PLAN " + sql, args))
                else:
                    await tx._execute("SET LOCAL enable_seqscan = off")
                    plan = await fetch("EXPLAIN (FORMAT JSON) " + sql, args)
                    seen.extend(_names(json.loads(plan[0][0])[0]["Plan"]))
            return await fetch(sql, args)

        tx._fetch = explaining  # type: ignore[method-assign]
        await read(tx)
    return " | ".join(seen)


@pytest.mark.parametrize(("read", "index"), [
    (lambda tx: tx.claim_mail(10**13, 1000, 10), "notifications_mail_due"),
    (lambda tx: tx.list_mail(state="dead"), "notifications_mail_dead"),
], ids=["claim due mail", "dead letters"])
def test_the_mail_queue_reads_its_partial_index(store_url: str, read: Callable[[Tx], Awaitable[object]],
                                               index: str) -> None:
    async def body(store: Store) -> None:
        plan = await plan_of(store, read)
        assert index in plan, plan
        steps = plan.split(" | ")
        assert "SCAN notifications" not in steps and "Seq Scan:notifications" not in steps, plan  # no table scan

    run(store_url, body)


def test_a_dedupe_key_is_written_once_and_rows_without_one_are_all_kept(store_url: str) -> None:
    def note(dedupe: str | None) -> Notification:
        return Notification(tenant_key="acme", user_id="bob", kind="reminded", instance_code="I-1",
                            payload={}, created_at=1, dedupe_key=dedupe)

    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            assert await tx.insert_notifications([note("remind:1"), note(None), note(None)]) == 3
            assert await tx.insert_notifications([note("remind:1"), note(None)]) == 1
            assert await tx.count_notifications("acme", "bob") == 4

    run(store_url, body)
