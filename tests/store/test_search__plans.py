"""The inbox's word search reads the trigram index, not every text: on SQLite the FTS5 table answers a word of 3
characters or more (no scan of search_texts), on PostgreSQL pg_trgm's GIN index does; a shorter word is matched on
the texts of the instances one person's list walks, found by their instance code (an index search). No timing is asserted:
the plans are what keep the search cheap at a million instances."""

from __future__ import annotations

import json
import re

from shenpi.store.base import Store
from shenpi.store.search import text_match
from tests.store.contract import run

# 10 000 instances with 20 000 texts: enough for PostgreSQL's planner to prefer its index to reading them all.
_PG_ROWS = [
    "INSERT INTO instances (code, tenant_key, approval_code, user_id, status, form, start_time) "
    "SELECT 'C' || g, 'acme', 'A' || (g % 50), 'u' || (g % 200), 'APPROVED', '[]', g FROM generate_series(1, 10000) g",
    "INSERT INTO search_texts (tenant_key, instance_code, source, body) "
    "SELECT 'acme', 'C' || g, 'form', 'expense ' || g || CASE WHEN g % 1000 = 0 THEN ' 出差报销' ELSE ' 日常开支' END "
    "|| ' hotel' || g FROM generate_series(1, 10000) g",
    "INSERT INTO search_texts (tenant_key, instance_code, source, body) "
    "SELECT 'acme', 'C' || g, 'comment:' || g, 'comment number ' || g FROM generate_series(1, 10000) g",
    "ANALYZE",
]


async def _fill(store: Store) -> None:
    async with store.transaction() as tx:
        if tx.dialect == "postgres":
            for statement in _PG_ROWS:
                await tx._execute(statement)
        else:
            for i in range(2000):
                await tx._execute("INSERT INTO search_texts (tenant_key, instance_code, source, body) "
                                  "VALUES ('acme', ?, 'form', ?)", (f"C{i}", f"expense {i} 出差报销 hotel{i}"))


async def _plan(store: Store, word: str, narrowed: str = "") -> str:
    async with store.transaction() as tx:
        where, args = text_match(tx.dialect, "acme", word, code="i.code")
        sql = f"SELECT i.code FROM instances i WHERE i.tenant_key = ? {narrowed}AND {where}"
        if tx.dialect == "postgres":
            from shenpi.store.sql import to_dollar

            rows = await tx._c.fetch("EXPLAIN (FORMAT JSON) " + to_dollar(sql), "acme", *args)  # type: ignore[attr-defined]
            return json.dumps(json.loads(rows[0][0]))
        return " | ".join(str(r[3]) for r in await tx._fetch("EXPLAIN QUERY PLAN " + sql, ("acme", *args)))


def test_a_word_of_three_or_more_characters_reads_the_trigram_index(store_url: str) -> None:
    async def body(store: Store) -> None:
        await _fill(store)
        for word in ("出差报销", "hotel1234"):  # words few texts hold: what a search is for
            plan = await _plan(store, word)
            if "postgres" in store_url:
                assert "search_texts_trigrams" in plan, plan
                assert '"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Parallel Aware": false, ' \
                       '"Async Capable": false, "Relation Name": "search_texts"' not in plan, plan
            else:
                # the FTS index answers the MATCH (M); no row of search_texts is read but by its rowid
                assert "SCAN search_texts_fts VIRTUAL TABLE INDEX 0:M" in plan, plan
                assert not re.search(r"SCAN (s|search_texts)\b(?!_fts)", plan), plan

    run(store_url, body)


def test_a_shorter_word_is_matched_per_instance_by_its_code(store_url: str) -> None:
    async def body(store: Store) -> None:
        await _fill(store)
        plan = await _plan(store, "出差", "AND i.user_id = 'u7' ")  # one person's list, as the inbox reads it
        if "postgres" in store_url:
            assert "search_texts_by_instance" in plan, plan
        else:
            assert "SEARCH s USING INDEX search_texts_by_instance" in plan, plan

    run(store_url, body)
