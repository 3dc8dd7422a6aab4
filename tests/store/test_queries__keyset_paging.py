"""Paging by cursor visits each row exactly once while rows are inserted between pages: a row inserted before
the cursor is not shown, one inserted after it is shown once, ties on the time are broken by the unique id, and a
user's tasks in three statuses (read one status at a time and merged) come in one order."""

from __future__ import annotations

import itertools

from shenpi.store import keyset
from shenpi.store.base import Store, Tx
from shenpi.store.records import Cursor, SearchFilter
from tests.store.contract import run

DONE = ("APPROVED", "REJECTED", "TRANSFERRED")
_ids = itertools.count(1)


async def _task(tx: Tx, start_time: int, status: str) -> str:
    """A task of bob's on an instance of its own; its id is unique and sorts after every earlier one."""
    n = next(_ids)
    code, task_id = f"I{n:06d}", f"T{n:06d}"
    await tx._execute("INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
                      "VALUES (?, 'acme', 'LEAVE', 'alice', 'PENDING', '[]', ?)", (code, start_time))
    await tx._execute("INSERT INTO tasks (id, tenant_key, instance_code, node_key, user_id, status, type, start_time) "
                      "VALUES (?, 'acme', ?, 'n', 'bob', ?, 'AND', ?)", (task_id, code, status, start_time))
    return task_id


def test_paging_with_inserts_between_pages_visits_each_row_once(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            # 60 tasks over 20 distinct times: every page boundary falls among rows of equal time
            original = [await _task(tx, 1000 + i // 3 * 10, DONE[i % 3]) for i in range(60)]
        seen: list[str] = []
        after: Cursor | None = None
        inserted_after_cursor: list[str] = []
        for page_no in itertools.count():
            async with store.transaction() as tx:
                page = await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), after=after, limit=7)
            seen += [t.id for t, _ in page.items]
            if page.next is None:
                assert not page.has_more
                break
            after = page.next
            assert after.position == len(seen)
            cursor_time = after.keys[0]
            assert isinstance(cursor_time, int)
            async with store.transaction() as tx:
                await _task(tx, 5000 + page_no, "APPROVED")  # newer than the cursor: before it, never shown
                await _task(tx, cursor_time, "REJECTED")  # the cursor's time, a larger id: after it, shown once
                await _task(tx, 1000 + page_no % 3, "PENDING")  # another status: not listed
                inserted_after_cursor.append(await _task(tx, 990 - page_no, "TRANSFERRED"))  # older: shown once
        assert len(seen) == len(set(seen)), "a row was shown twice"
        assert set(original) <= set(seen), "a row stored from the start was skipped"
        assert set(inserted_after_cursor) <= set(seen), "a row inserted past the cursor was skipped"
        async with store.transaction() as tx:  # one walk, no cursor: the same rows in the same order
            whole = await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), limit=1000)
        listed = [t.id for t, _ in whole.items]
        assert [i for i in listed if i in set(seen)] == [i for i in seen if i in set(listed)]
        assert whole.total == len(listed) and not whole.has_more

    run(store_url, body)


def test_a_count_stops_at_the_cap_and_grows_as_pages_go_on(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for i in range(30):
                await _task(tx, 2000 + i, "APPROVED")
        cap, keyset.COUNT_CAP = keyset.COUNT_CAP, 20
        try:
            async with store.transaction() as tx:
                first = await tx.search_tasks("acme", SearchFilter("bob"), limit=10)
                assert (first.total, first.has_more) == (20, True)  # 30 match: the count stops at 20
                second = await tx.search_tasks("acme", SearchFilter("bob"), after=first.next, limit=10)
                assert second.total == 30  # 10 before the page and 20 from its start: exact again
        finally:
            keyset.COUNT_CAP = cap

    run(store_url, body)


def test_a_page_by_offset_counts_the_rows_before_it_plus_the_cap(store_url: str) -> None:
    """A list paged by offset (aPaaS user_task/query, the web's numbered pages) counts as a cursor's does: exact
    while fewer than the cap remain from the page's start, else the rows before it plus the cap."""
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            made = [await _task(tx, 4000 + i, "APPROVED") for i in range(30)]
            await tx._execute("UPDATE instances SET approval_code = 'TRIP' WHERE code IN "
                              f"({', '.join('?' * 10)})", tuple("I" + t[1:] for t in made[:10]))
        cap, keyset.COUNT_CAP = keyset.COUNT_CAP, 20
        try:
            async with store.transaction() as tx:
                whole = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000), limit=100)
                ids = [t.id for t, _ in whole.items]
                deep = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000), offset=15, limit=10)
                assert [t.id for t, _ in deep.items] == ids[15:25]
                assert (deep.total, deep.has_more) == (30, True)  # 15 before the page and 15 from its start
                early = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000), offset=5, limit=10)
                assert early.total == 25  # 5 before, and the count stops at 20 from the page's start
                both = SearchFilter("bob", time_from=4000, approval_codes=("TRIP", "LEAVE"))
                assert [t.id for t, _ in (await tx.search_tasks("acme", both, offset=15, limit=10)).items] == ids[15:25]
                trips = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000, approval_codes=("TRIP",)),
                                              offset=4, limit=3)
                assert [t.id for t, _ in trips.items] == [i for i in ids if i in made[:10]][4:7]
                assert trips.total == 10
                last = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000, approval_codes=("TRIP",)),
                                            offset=8, limit=3)
                assert (len(last.items), last.total, last.has_more) == (2, 10, False)
                past = await tx.search_tasks("acme", SearchFilter("bob", time_from=4000, approval_codes=("TRIP",)),
                                            offset=12, limit=3)
                assert (past.items, past.total, past.has_more) == ([], 10, False)
        finally:
            keyset.COUNT_CAP = cap

    run(store_url, body)


async def _done_by_end(store: Store) -> list[str]:
    async with store.transaction() as tx:
        page = await tx.inbox_tasks("acme", "bob", DONE, newest_end_first=True, limit=100)
    return [t.id for t, _ in page.items]


def test_counts_leave_out_reverted_instances_as_the_lists_do(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for i in range(12):
                await _task(tx, 3000 + i, ("PENDING", "APPROVED", "REJECTED")[i % 3])
                await tx._execute("INSERT INTO ccs (tenant_key, instance_code, approval_code, user_id, create_time, "
                                  "read_status) VALUES ('acme', ?, 'LEAVE', 'bob', ?, ?)",
                                  (f"I{next(_ids) - 1:06d}", 3000 + i, ("READ", "UNREAD")[i % 2]))
            # four of the instances were reverted (an approved instance taken back)
            await tx._execute("UPDATE instances SET reverted = 1 WHERE code IN (SELECT code FROM instances "
                              "WHERE start_time BETWEEN 3000 AND 3003)")
        async with store.transaction() as tx:
            counts = await tx.inbox_counts("acme", "bob")
            todo = await tx.inbox_tasks("acme", "bob", ("PENDING",), limit=100)
            done = await tx.inbox_tasks("acme", "bob", DONE, limit=100)
            ccs = await tx.inbox_ccs("acme", "bob", limit=100)
            unread = await tx.inbox_ccs("acme", "bob", read_status="UNREAD", limit=100)
            searched = await tx.search_ccs("acme", SearchFilter("bob"), limit=100)
            numbered = [await tx.inbox_tasks("acme", "bob", DONE, newest_end_first=True, offset=n, limit=2)
                        for n in (0, 2, 4)]
            numbered_ccs = [await tx.inbox_ccs("acme", "bob", offset=n, limit=3) for n in (0, 3, 6)]
            first = await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), limit=4)
            second = await tx.search_tasks("acme", SearchFilter("bob", statuses=DONE), after=first.next, limit=4)
            leave = SearchFilter(approval_code="LEAVE")
            instances = [await tx.search_instances("acme", leave, limit=5)]
            instances.append(await tx.search_instances("acme", leave, after=instances[0].next, limit=5))
            numbered_instances = [await tx.search_instances("acme", leave, offset=n, limit=3) for n in (0, 3, 6)]
            every_instance = await tx.search_instances("acme", leave, reverted=None, limit=100)
        assert (first.total, second.total, len(first.items) + len(second.items)) == (6, 6, 6)
        # the instance lists: 12 instances, 4 reverted, left out of pages and counts alike
        shown = [i.code for page in instances for i in page.items]
        assert [page.total for page in instances] == [8, 8] and len(shown) == len(set(shown)) == 8
        assert [i.code for page in numbered_instances for i in page.items] == shown
        assert [page.total for page in numbered_instances] == [8, 8, 8]
        assert (every_instance.total, len(every_instance.items)) == (12, 12)
        assert not {i.code for i in every_instance.items if i.reverted} & set(shown)
        assert (searched.total, len(searched.items)) == (8, 8)
        by_end = await _done_by_end(store)
        assert [t.id for page in numbered for t, _ in page.items] == by_end  # numbered pages skip no row twice
        assert [c.id for page in numbered_ccs for c, _ in page.items] == [c.id for c, _ in ccs.items]
        assert (todo.total, done.total, ccs.total, unread.total) == (2, 6, 8, 4)
        assert counts["todo"] == len(todo.items) == 2  # 4 pending, 2 of them on reverted instances
        assert counts["done"] == len(done.items) == 6
        assert counts["cc"] == len(ccs.items) == 8
        assert counts["cc_unread"] == len(unread.items) == 4

    run(store_url, body)


def test_inbox_counts_stop_at_the_cap_asked_and_skip_the_lists_named(store_url: str) -> None:
    """The web's tab badges count as far as their own cap (a count walks every row it counts); a list the page
    counted already is left out."""
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            for i in range(9):
                await _task(tx, 6000 + i, ("PENDING", "APPROVED", "PENDING")[i % 3])
            await tx._execute("UPDATE instances SET reverted = 1 WHERE start_time = 6000")  # one to-do taken back
        async with store.transaction() as tx:
            full = await tx.inbox_counts("acme", "bob")
            capped = await tx.inbox_counts("acme", "bob", cap=4, skip=("done",))
        assert (full["todo"], full["done"]) == (5, 3)
        assert capped == {"todo": 4, "started": 0, "cc": 0, "cc_unread": 0}
        async with store.transaction() as tx:
            assert (await tx.inbox_counts("acme", "bob", cap=6))["todo"] == 5  # under the cap: exact

    run(store_url, body)
