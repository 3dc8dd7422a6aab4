"""The inbox finds a request by a word in its form or its comments, Chinese as well as English, on SQLite (FTS5
trigrams) and PostgreSQL (pg_trgm) alike; a word under three characters is matched too, the same way on both; the
texts follow comment edits and deletes in the same transaction; the filters and the sort narrow the lists."""

from __future__ import annotations

import json

from shenpi.engine import commands
from shenpi.store.base import Store
from shenpi.store.records import InboxFilter
from tests.store.contract import NOW, act, run, seeded, sequential_ids


async def _create(store: Store, code: str, reason: str, *, title: str = "", user_id: str = "alice",
                  now: int = NOW, approval: str = "LEAVE") -> str:
    form = json.dumps([{"id": "reason", "type": "textarea", "value": reason},
                       {"id": "amount", "type": "amount", "value": 12.5, "currency": "USD"}], ensure_ascii=False)
    async with store.transaction() as tx:
        d = await tx.get_definition("acme", approval)
        assert d is not None
        agg, tr = commands.create_instance(d, await tx.load_directory("acme"), commands.CreateInstance(
            user_id=user_id, form=form, title=title), code=code, serial_number=f"S-{code}", now=now,
            new_id=sequential_ids(code + "-T"))
        await tx.save_transition(tr, created=True)
    return agg.tasks[-1].id


async def _todo(store: Store, text: str = "", **narrowed: object) -> list[str]:
    async with store.transaction() as tx:
        page = await tx.inbox_tasks("acme", "bob", ("PENDING",), limit=50,
                                    filters=InboxFilter(text=text, **narrowed))  # type: ignore[arg-type]
    return [inst.code for _, inst in page.items]


def test_a_word_in_the_form_finds_the_request_in_chinese_and_english(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        await _create(store, "I-TRIP", "去杭州出差报销，住 Hilton Hotel 两晚")
        await _create(store, "I-DESK", "买一张升降桌 standing desk", now=NOW + 1)
        await _create(store, "I-PCT", "100% refund", now=NOW + 2)
        assert await _todo(store, "出差报销") == ["I-TRIP"]  # 4 characters: the trigram index
        assert await _todo(store, "杭州") == ["I-TRIP"]  # 2 characters: matched without the index
        assert await _todo(store, "hilton hotel") == ["I-TRIP"]
        assert await _todo(store, "HOTEL") == ["I-TRIP"]  # case does not matter
        assert await _todo(store, "升降桌") == ["I-DESK"]
        assert await _todo(store, "desk") == ["I-DESK"]
        assert await _todo(store, "usd") == ["I-PCT", "I-DESK", "I-TRIP"]  # the amount's currency, newest first
        assert await _todo(store, "0%") == ["I-PCT"]  # % is a character here, not a wildcard
        assert await _todo(store, "%") == ["I-PCT"]
        assert await _todo(store, "北京出差") == []
        assert await _todo(store, "_") == []

    run(store_url, body)


def test_comments_are_found_and_forgotten_with_the_comment(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        await _create(store, "I-A", "plain")
        await _create(store, "I-B", "plain", now=NOW + 1)
        async with store.transaction() as tx:
            cid = await tx.add_comment("acme", "I-A", "alice", json.dumps({"text": "发票已附上"}, ensure_ascii=False),
                                       [], 0, "", NOW)
        assert await _todo(store, "发票已附") == ["I-A"]
        async with store.transaction() as tx:
            await tx.edit_comment("acme", "I-A", cid, json.dumps({"text": "receipt attached"}), [], "", NOW + 5)
        assert await _todo(store, "发票") == []
        assert await _todo(store, "receipt") == ["I-A"]
        async with store.transaction() as tx:
            await tx.delete_comment("acme", "I-A", cid, NOW + 6)
        assert await _todo(store, "receipt") == []

    run(store_url, body)


def test_a_comment_left_with_an_action_is_found(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        task = await _create(store, "I-N", "plain")
        await act(store, "approve", "I-N", task, "bob", NOW + 10)  # the approval's comment is "approve"
        async with store.transaction() as tx:
            done = await tx.inbox_tasks("acme", "bob", ("APPROVED",), newest_end_first=True,
                                        filters=InboxFilter(text="approve"))
        assert [inst.code for _, inst in done.items] == ["I-N"]

    run(store_url, body)


def test_filters_and_sort(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        await _create(store, "I-1", "one", now=NOW)
        await _create(store, "I-2", "two", now=NOW + 1000)
        await _create(store, "I-3", "three", now=NOW + 2000, approval="AND2")
        assert await _todo(store) == ["I-3", "I-2", "I-1"]
        assert await _todo(store, oldest_first=True) == ["I-1", "I-2", "I-3"]
        assert await _todo(store, approval_code="AND2") == ["I-3"]
        assert await _todo(store, time_from=NOW + 500, time_to=NOW + 1500) == ["I-2"]
        assert await _todo(store, submitter="alice") == ["I-3", "I-2", "I-1"]
        assert await _todo(store, submitter="carol") == []
        assert await _todo(store, status="PENDING", text="two") == ["I-2"]
        assert await _todo(store, status="APPROVED") == []
        async with store.transaction() as tx:
            started = await tx.inbox_instances("acme", "alice", filters=InboxFilter(text="thr", oldest_first=True))
        assert [i.code for i in started.items] == ["I-3"]

    run(store_url, body)


def test_a_snapshot_without_search_texts_is_searchable_once_restored(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        await _create(store, "I-OLD", "旧快照里的报销单")
        async with store.transaction() as tx:
            await tx.add_comment("acme", "I-OLD", "bob", json.dumps({"text": "looks fine"}), [], 0, "", NOW)
            dump = await tx.dump_tables()
        del dump["search_texts"]  # as a snapshot taken before migration 0013
        async with store.transaction() as tx:
            await tx.restore_tables(dump)
        assert await _todo(store, "快照里的报销") == ["I-OLD"]
        assert await _todo(store, "looks fine") == ["I-OLD"]

    run(store_url, body)


def test_values_merged_by_an_approval_replace_the_form_text(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        task = await _create(store, "I-F", "去杭州出差")
        async with store.transaction() as tx:  # approve with a new reason: the approver corrects the form
            agg = await tx.load_aggregate("acme", "I-F")
            assert agg is not None
            tr = commands.approve(agg, await tx.load_directory("acme"), commands.TaskAction(
                task_id=task, user_id="bob", form=json.dumps([{"id": "reason", "type": "textarea",
                                                              "value": "去上海出差"}], ensure_ascii=False)),
                now=NOW + 10, new_id=sequential_ids("I-F-A"))
            await tx.save_transition(tr, created=False)
        async with store.transaction() as tx:
            done = await tx.inbox_tasks("acme", "bob", ("APPROVED",), newest_end_first=True,
                                        filters=InboxFilter(text="上海出差"))
            gone = await tx.inbox_tasks("acme", "bob", ("APPROVED",), newest_end_first=True,
                                        filters=InboxFilter(text="杭州出差"))
            kept = await tx.inbox_tasks("acme", "bob", ("APPROVED",), newest_end_first=True,
                                        filters=InboxFilter(text="usd"))  # a value the approval did not touch
        assert [i.code for _, i in done.items] == ["I-F"] and gone.items == []
        assert [i.code for _, i in kept.items] == ["I-F"]

    run(store_url, body)
