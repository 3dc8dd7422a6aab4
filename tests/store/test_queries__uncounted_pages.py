"""A task list asked for no count (tasks/query answers its count on the first page only) serves the same page:
the same rows, has_more and cursor, with total -1, and runs no count statement."""

from __future__ import annotations

from typing import Any

from shenpi.store.base import Store, Tx
from shenpi.store.records import SearchFilter
from tests.store.contract import run

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")


def _recorded(tx: Tx) -> list[str]:
    """The statements ``tx`` runs from now on."""
    statements: list[str] = []
    fetch, fetchone = tx._fetch, tx._fetchone

    async def recording_fetch(sql: str, args: tuple[Any, ...] = ()) -> Any:
        statements.append(sql)
        return await fetch(sql, args)

    async def recording_fetchone(sql: str, args: tuple[Any, ...] = ()) -> Any:
        statements.append(sql)
        return await fetchone(sql, args)

    tx._fetch, tx._fetchone = recording_fetch, recording_fetchone  # type: ignore[method-assign]
    return statements


async def _instance(tx: Tx, n: int) -> str:
    """Alice's instance number ``n`` (started at time ``n``); its code."""
    code = f"I{n:04d}"
    await tx._execute("INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
                      "VALUES (?, 'acme', 'LEAVE', 'alice', 'PENDING', '[]', ?)", (code, n))
    return code


def test_a_page_without_its_count_is_the_same_page(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for n in range(12):
                code = await _instance(tx, n)
                await tx._execute("INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, "
                                  "start_time) VALUES (?, 'acme', ?, 'n', 'bob', ?, 'AND', ?)",
                                  (f"T{n:04d}", code, (*DONE, "PENDING")[n % 4], n))
        for statuses in (DONE, ("PENDING",)):
            async with store.transaction() as tx:
                first = await tx.search_tasks("acme", SearchFilter("bob", statuses=statuses), limit=2)
                counted = await tx.search_tasks("acme", SearchFilter("bob", statuses=statuses), after=first.next,
                                                limit=2)
                statements = _recorded(tx)
                bare = await tx.search_tasks("acme", SearchFilter("bob", statuses=statuses), after=first.next,
                                             limit=2, counted=False)
            assert [t.id for t, _ in bare.items] == [t.id for t, _ in counted.items]
            assert (bare.has_more, bare.next) == (counted.has_more, counted.next)
            assert (bare.total, counted.total) == (-1, len(statuses) * 3)
            assert not [s for s in statements if "COUNT(" in s], statements

    run(store_url, body)


def test_instance_and_cc_pages_without_their_count(store_url: str) -> None:
    """tasks/query's topics 3 (started) and 17/18 (CC) page instances and CC records: no count past the first."""
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for n in range(7):
                code = await _instance(tx, n)
                await tx._execute("INSERT INTO ccs (tenant_key, instance_code, approval_code, user_id, from_user_id, "
                                  "create_time, read_status) VALUES ('acme', ?, 'LEAVE', 'bob', 'alice', ?, 'UNREAD')",
                                  (code, n))
        listed = ("search_instances", SearchFilter("alice"), {"reverted": None}), \
            ("search_ccs", SearchFilter("bob", read_status="UNREAD"), {})
        for name, f, extra in listed:
            async with store.transaction() as tx:
                search = getattr(tx, name)
                first = await search("acme", f, limit=3, **extra)
                counted = await search("acme", f, after=first.next, limit=3, **extra)
                statements = _recorded(tx)
                bare = await search("acme", f, after=first.next, limit=3, counted=False, **extra)
                assert [repr(i) for i in bare.items] == [repr(i) for i in counted.items]
                assert (bare.has_more, bare.next, bare.total, counted.total) == (True, counted.next, -1, 7)
                assert not [s for s in statements if "COUNT(" in s], statements

    run(store_url, body)
