"""SQLite keeps its full-text index of the search texts up to date in batches (a segment a second, not one per
writing transaction); a search still finds every committed text, indexed or not yet, and deletes, edits and rows
restored below the index's mark keep the index exactly in step with the texts (FTS5's integrity check)."""

from __future__ import annotations

import json
from pathlib import Path

from shenpi.store.base import Store
from shenpi.store.search import SearchIndexer
from tests.store.contract import run, seeded
from tests.store.test_search__words_in_forms_and_comments import _create, _todo


async def _mark(store: Store) -> int:
    async with store.transaction() as tx:
        row = await tx._fetchone("SELECT indexed_through FROM search_fts_state")
    assert row is not None
    return int(row[0])


async def _in_index(store: Store, word: str) -> int:
    async with store.transaction() as tx:
        row = await tx._fetchone("SELECT count(*) FROM search_texts_fts WHERE search_texts_fts MATCH ?",
                                 (json.dumps(word),))
    assert row is not None
    return int(row[0])


async def _consistent(store: Store) -> None:
    async with store.transaction() as tx:  # raises "database disk image is malformed" when out of step
        await tx._execute("INSERT INTO search_texts_fts (search_texts_fts, rank) VALUES ('integrity-check', 1)")


def test_texts_are_found_before_and_after_their_batch(tmp_path: Path) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        indexer = SearchIndexer(store.transaction, batch=1)  # the store's own runs every second: fold by hand
        await indexer.fold()
        before = await _mark(store)
        await _create(store, "I-TRIP", "去杭州出差报销 Hilton")
        await _create(store, "I-DESK", "standing desk", now=1_700_000_000_001)
        assert await _in_index(store, "hilton") == 0  # written, not indexed yet ...
        assert await _todo(store, "hilton") == ["I-TRIP"]  # ... and found all the same
        assert await _todo(store, "出差报销") == ["I-TRIP"]
        assert await indexer.fold() == 1 and await _mark(store) > before  # one text per batch here
        assert await _in_index(store, "hilton") == 1 and await _in_index(store, "desk") == 0
        assert await _todo(store, "hilton") == ["I-TRIP"] and await _todo(store, "desk") == ["I-DESK"]
        while await indexer.fold():
            pass
        assert await _in_index(store, "desk") == 1 and await _todo(store, "desk") == ["I-DESK"]
        await _consistent(store)

        async with store.transaction() as tx:  # an indexed text edited, another deleted
            await tx._execute("UPDATE search_texts SET body = 'sitting desk' WHERE instance_code = 'I-DESK'")
            await tx._execute("DELETE FROM search_texts WHERE instance_code = 'I-TRIP'")
        assert await _in_index(store, "hilton") == 0 and await _todo(store, "hilton") == []
        assert await _todo(store, "sitting") == ["I-DESK"]
        await _consistent(store)

        mark = await _mark(store)
        async with store.transaction() as tx:  # a row restored with an id below the mark is indexed at once
            await tx._execute("INSERT INTO search_texts (id, tenant_key, instance_code, source, body) "
                              "VALUES (?, 'acme', 'I-DESK', 'note', 'restored note')", (mark - 1 if mark > 1 else 1,))
        assert await _in_index(store, "restored") == 1 and await _todo(store, "restored") == ["I-DESK"]
        await _consistent(store)

    run(f"sqlite:///{tmp_path}/search.db", body)
