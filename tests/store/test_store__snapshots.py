"""The store contract for what an operator does (OperatorTx): whole-state dump and restore, token pruning,
outbox inspection and redelivery requests. Each test runs on SQLite and PostgreSQL, as in test_store__contract.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shenpi.store.base import Store
from shenpi.store.migrations import migrations
from shenpi.store.records import Token
from tests.pg import postgres_url_or_skip
from tests.store.contract import NOW, busy_state, create, run, seeded, sorted_tables


def test_dump_then_restore_brings_back_the_same_state(store_url: str) -> None:
    async def body(store: Store) -> None:
        await busy_state(store)
        async with store.transaction() as tx:
            assert await tx.schema_version() == max(v for v, _, _ in migrations("sqlite"))
            dumped = await tx.dump_tables()
        assert "schema_migrations" not in dumped
        assert {"tenants", "instances", "tasks", "timeline", "outbox", "tokens", "comments"} <= set(dumped)
        assert len(dumped["instances"]["rows"]) == 2 and dumped["outbox"]["rows"]
        outbox_ids = [r[0] for r in dumped["outbox"]["rows"]]

        async with store.transaction() as tx:  # a reset: everything goes but the kept tokens
            written = await tx.restore_tables({}, keep=("tokens",))
        assert written == {}
        async with store.transaction() as tx:
            empty = await tx.dump_tables()
            assert {t for t, d in empty.items() if d["rows"]} == {"tokens"}
            assert await tx.get_token("t-keep") is not None
        await seeded(store)
        await create(store, code="AFTER-RESET")
        async with store.transaction() as tx:  # an id handed out before a reset never names another row after it
            assert min(o["id"] for o in await tx.outbox("acme")) > max(outbox_ids)

        wanted = {name: t for name, t in dumped.items() if name != "tokens"}
        async with store.transaction() as tx:
            written = await tx.restore_tables(wanted, keep=("tokens",))
        assert written == {name: len(t["rows"]) for name, t in wanted.items()}
        async with store.transaction() as tx:
            again = await tx.dump_tables()
        assert again == dumped
        async with store.transaction() as tx:  # the restored definitions parse again, the cache was dropped
            d = await tx.get_definition("acme", "LEAVE")
            assert d is not None and d.code == "LEAVE"
        await create(store, code="INST-3", now=NOW + 30)  # new rows get ids after the restored ones
        async with store.transaction() as tx:
            fresh = [o["id"] for o in await tx.outbox("acme", "INST-3")]
        assert fresh and min(fresh) > max(outbox_ids)

    run(store_url, body)


def test_restore_refuses_what_does_not_fit_and_a_failed_one_changes_nothing(store_url: str) -> None:
    async def body(store: Store) -> None:
        await busy_state(store)
        async with store.transaction() as tx:
            before = await tx.dump_tables()
        tenants = before["tenants"]
        bad_snapshots = {
            "unknown tables: nope": {"nope": {"columns": ["a"], "rows": [[1]]}},
            "table tenants has no column colour": {"tenants": {"columns": ["tenant_key", "colour"], "rows": []}},
            "table tenants, row 0: 1 values for 4 columns": {"tenants": {"columns": tenants["columns"],
                                                                          "rows": [["x"]]}},
            "table tenants, row 0: a list is not a column value": {
                "tenants": {"columns": ["tenant_key", "name"], "rows": [["x", ["not", "a", "value"]]]}},
            "table apps refers to a missing tenants row": {"apps": before["apps"]},
        }
        for message, tables in bad_snapshots.items():
            with pytest.raises(ValueError) as raised:
                async with store.transaction() as tx:
                    await tx.restore_tables(tables, keep=("tokens",))
            assert str(raised.value) == message
        async with store.transaction() as tx:
            assert await tx.dump_tables() == before
        await create(store, code="INST-3", now=NOW + 30)  # and the id sequences did not move back either
        async with store.transaction() as tx:
            assert min(o["id"] for o in await tx.outbox("acme", "INST-3")) > max(r[0] for r in before["outbox"]["rows"])

    run(store_url, body)


def test_a_dump_moves_between_backends(tmp_path: Path) -> None:
    """An export from one backend imports into the other: the schemas match column for column."""
    pg_url = postgres_url_or_skip("dump_across")
    sqlite_url = f"sqlite:///{tmp_path / 'across.db'}"
    dumps: dict[str, dict[str, dict[str, Any]]] = {}

    async def export(store: Store) -> None:
        await busy_state(store)
        async with store.transaction() as tx:
            dumps[store.url] = await tx.dump_tables()

    def round_trip(source: str, target: str) -> None:
        async def restore(store: Store) -> None:
            async with store.transaction() as tx:
                await tx.restore_tables(dumps[source])
                back = await tx.dump_tables()
            assert sorted_tables(back) == sorted_tables(dumps[source])
            await create(store, code="INST-3", now=NOW + 30)  # and the target keeps working on top of it
            async with store.transaction() as tx:
                agg = await tx.load_aggregate("acme", "INST-1")
                assert agg is not None and agg.instance.version == 1 and agg.instance.uuid == "U-1"

        run(target, restore)

    run(sqlite_url, export)
    run(pg_url, export)
    assert sorted_tables(dumps[sqlite_url])["tenants"] == sorted_tables(dumps[pg_url])["tenants"]
    assert {n: t["columns"] for n, t in dumps[sqlite_url].items()} == {n: t["columns"] for n, t in dumps[pg_url].items()}
    round_trip(sqlite_url, pg_url)
    round_trip(pg_url, sqlite_url)


def test_prune_tokens_list_outbox_and_request_redelivery(store_url: str) -> None:
    async def body(store: Store) -> None:
        await busy_state(store)
        async with store.transaction() as tx:
            await tx.insert_token(Token("t-expired", "tenant", "cli_acme_ro", "acme", NOW - 1, NOW - 10))
            await tx.insert_token(Token("t-future", "tenant", "cli_slow", "slow", NOW + 10**9, NOW + 5))
            await tx.insert_token(Token("t-orphan", "tenant", "cli_gone", "acme", NOW + 10**9, NOW))
            await tx.insert_token(Token("t-moved", "tenant", "cli_acme_task", "slow", NOW + 10**9, NOW))
            assert await tx.prune_tokens(NOW) == ["cli_acme_ro", "cli_acme_task", "cli_gone", "cli_slow"]
            assert await tx.get_token("t-keep") is not None
            assert await tx.get_token("t-expired") is None and await tx.get_token("t-moved") is None
            assert await tx.prune_tokens(NOW) == []

            everything = await tx.list_outbox()
            assert [o["id"] for o in everything] == sorted(o["id"] for o in everything)
            assert everything[0]["redeliver_requested_at"] == NOW
            assert all(o["redeliver_requested_at"] == 0 for o in everything[1:])
            assert isinstance(everything[0]["payload"], dict) and everything[0]["tenant_key"] == "acme"
            one = await tx.list_outbox(tenant_key="acme", instance_code="INST-2")
            assert {o["instance_code"] for o in one} == {"INST-2"}
            page = await tx.list_outbox(after_id=everything[1]["id"], limit=2)
            assert [o["id"] for o in page] == [o["id"] for o in everything[2:4]]
            assert await tx.list_outbox(tenant_key="slow") == []

            last = everything[-1]["id"]
            assert await tx.request_redelivery([last, 10**9, 1], NOW + 1) == [last, 1]
            assert await tx.request_redelivery([last], NOW + 2, tenant_key="slow") == []
            again = {o["id"]: o["redeliver_requested_at"] for o in await tx.list_outbox()}
            assert (again[1], again[last]) == (NOW + 1, NOW + 1)

    run(store_url, body)
