"""A list on several statuses (a user's done tasks) walks each status's keys alone and reads the page's rows once:
its pages hold the rows a list of one walk would, in the same order, across statuses, ties on the time, and rows
on reverted instances (left out, also at the head of a walk), by cursor and by offset."""

from __future__ import annotations

import itertools
from typing import Any

from shenpi.store.base import Store, Tx
from shenpi.store.records import Cursor, Page, SearchFilter
from tests.store.contract import run

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")
_ids = itertools.count(1)


async def _task(tx: Tx, user_id: str, status: str, start_time: int, end_time: int) -> tuple[str, str]:
    n = next(_ids)
    code, task_id = f"I{n:06d}", f"T{n:06d}"
    await tx._execute("INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
                      "VALUES (?, 'acme', 'LEAVE', 'alice', 'PENDING', '[]', ?)", (code, start_time))
    await tx._execute("INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, start_time, "
                      "end_time) VALUES (?, 'acme', ?, 'n', ?, ?, 'AND', ?, ?)",
                      (task_id, code, user_id, status, start_time, end_time))
    return task_id, code


async def _stored(store: Store) -> list[tuple[str, str, str, int, int]]:
    """bob's done tasks (id, instance, status, start, end), each status in runs of its own and mixed, with ties on
    the time; the newest of each status on a reverted instance; pending tasks and carol's done tasks beside them."""
    made: list[tuple[str, str, str, int, int]] = []
    async with store.transaction() as tx:
        for i in range(40):
            status = DONE[i // 5 % 3] if i < 20 else DONE[i % 3]
            start, end = 1000 + i // 2 * 10, 9000 - i * 7
            made.append((*await _task(tx, "bob", status, start, end), status, start, end))
            await _task(tx, "bob", "PENDING", start, 0)
            await _task(tx, "carol", status, start, end)
        reverted = {max((m for m in made if m[2] == s), key=lambda m: (m[3], m[0]))[1] for s in DONE}
        reverted.add(made[7][1])
        await tx._execute(f"UPDATE instances SET reverted = 1 WHERE code IN ({', '.join('?' * len(reverted))})",
                          tuple(reverted))
    return [m for m in made if m[1] not in reverted]


def _items(page: Page) -> list[tuple[str, str, str, str]]:
    return [(t.id, t.instance_code, t.status, i.code) for t, i in page.items]


def test_a_done_list_pages_across_statuses_as_one_ordered_list(store_url: str) -> None:
    async def body(store: Store) -> None:
        listed = await _stored(store)
        newest = [(m[0], m[1], m[2], m[1]) for m in sorted(listed, key=lambda m: (-m[3], m[0]))]
        by_end = [(m[0], m[1], m[2], m[1]) for m in sorted(listed, key=lambda m: (-m[4], -m[3], m[0]))]
        for read, expected in (
                (lambda tx, after, offset: tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), after=after,
                                                           limit=6, offset=offset), newest),
                (lambda tx, after, offset: tx.inbox_tasks("acme", "bob", DONE, newest_end_first=True, after=after,
                                                          limit=6, offset=offset), by_end)):
            seen: list[Any] = []
            after: Cursor | None = None
            while True:
                async with store.transaction() as tx:
                    page = await read(tx, after, 0)
                assert page.total == len(expected)  # the count leaves out the reverted ones too
                seen += _items(page)
                assert page.has_more == (len(seen) < len(expected))
                if page.next is None:
                    break
                after = page.next
            assert seen == expected
            async with store.transaction() as tx:  # numbered pages (the web's, aPaaS's offset) read the same rows
                for offset in (6, 17, len(expected) - 2):
                    page = await read(tx, None, offset)
                    assert _items(page) == expected[offset:offset + 6]
                    assert page.total == len(expected)

    run(store_url, body)


def test_the_statuses_walks_read_keys_and_one_statement_reads_the_page(store_url: str) -> None:
    """Each extra walk of whole rows read (and, on PostgreSQL, planned) a page of rows that the merge dropped."""
    async def body(store: Store) -> None:
        await _stored(store)
        async with store.transaction() as tx:
            fetch = tx._fetch
            whole: list[str] = []

            async def recording(sql: str, args: tuple[Any, ...] = ()) -> Any:
                if "i.state" in sql:  # a statement that reads instances whole
                    whole.append(sql)
                return await fetch(sql, args)

            tx._fetch = recording  # type: ignore[method-assign]
            first = await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), limit=5)
            await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), after=first.next, limit=5)
            await tx.inbox_tasks("acme", "bob", DONE, newest_end_first=True, limit=5)
        assert len(whole) == 3, whole

    run(store_url, body)
