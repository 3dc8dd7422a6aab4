"""The store contract: every backend behaves the same through the Tx interface.

Each test runs against SQLite (a file in a tmp dir) and PostgreSQL (a fresh database). Without a reachable
PostgreSQL the postgres cases skip locally and fail in CI. Snapshots and the operator's methods are in
test_store__snapshots.py.
"""

from __future__ import annotations

import pytest

from shenpi.engine import commands
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, User
from shenpi.engine.model import Definition
from shenpi.store import open_store
from shenpi.store.base import ConcurrentUpdate, DuplicateUuid, Store
from shenpi.store.records import App, SearchFilter, Tenant, Token
from tests.seeds import definition
from tests.store.contract import FORM, NOW, act, create, events_of, expected_events, run, seeded, sequential_ids

# -- tenants, apps, directory, tokens ------------------------------------------------------------------------

def test_upserts_are_idempotent_and_update_in_place(store_url: str) -> None:
    async def body(store: Store) -> None:
        for _ in range(2):
            async with store.transaction() as tx:
                await tx.upsert_tenant(Tenant("acme", "Acme", 2.5))
                await tx.upsert_tenant(Tenant("beta", "Beta"))
                await tx.upsert_app(App("cli_a", "acme", "secret", ["approval:approval"], name="A",
                                        admin_user_ids=["bob"]))
                await tx.upsert_user("acme", User("bob", "Bob", "ou_b", "on_b", "1001", ["eng"], "erin", "b@x"),
                                     "hash-1")
                await tx.upsert_department("acme", Department("eng", "Engineering", "erin"))
        async with store.transaction() as tx:
            assert await tx.get_tenant("acme") == Tenant("acme", "Acme", 2.5)
            assert await tx.get_tenant("nope") is None
            assert [t.tenant_key for t in await tx.list_tenants()] == ["acme", "beta"]
            assert await tx.list_apps() == [App("cli_a", "acme", "secret", ["approval:approval"], name="A",
                                                admin_user_ids=["bob"])]
            directory = await tx.load_directory("acme")
            assert list(directory.users) == ["bob"]
            assert directory.user("bob") == User("bob", "Bob", "ou_b", "on_b", "1001", ["eng"], "erin", "b@x")
            assert directory.departments["eng"] == Department("eng", "Engineering", "erin")

        async with store.transaction() as tx:  # an update changes the row; no password keeps the old hash
            await tx.upsert_tenant(Tenant("acme", "Acme Corp", 1.0))
            await tx.upsert_app(App("cli_a", "acme", "rotated", [], event_url="http://hook"))
            await tx.upsert_user("acme", User("bob", "Robert", "ou_b", "on_b", "1001"))
            await tx.upsert_user("acme", User("amy", "Amy", "ou_a", "on_a", "1002"))
            await tx.upsert_department("acme", Department("eng", "Eng", "", "root"))
        async with store.transaction() as tx:
            assert await tx.get_tenant("acme") == Tenant("acme", "Acme Corp", 1.0)
            assert await tx.get_app("cli_a") == App("cli_a", "acme", "rotated", [], event_url="http://hook")
            assert [a.app_id for a in await tx.list_apps("acme")] == ["cli_a"]
            assert await tx.list_apps("beta") == []
            directory = await tx.load_directory("acme")
            assert list(directory.users) == ["amy", "bob"]  # key order, bytewise, on both backends
            assert directory.user("bob") == User("bob", "Robert", "ou_b", "on_b", "1001")
            assert directory.departments["eng"] == Department("eng", "Eng", "", "root")
            assert (await tx.load_directory("beta")).users == {}
            assert await tx.password_hash("acme", "bob") == "hash-1"
            assert await tx.password_hash("acme", "amy") == ""
            assert await tx.password_hash("acme", "nobody") == ""
            await tx.upsert_user("acme", User("bob", "Robert", "ou_b", "on_b", "1001"), "hash-2")
            assert await tx.password_hash("acme", "bob") == "hash-2"

    run(store_url, body)


def test_tokens_round_trip_and_latest_is_the_longest_lived(store_url: str) -> None:
    async def body(store: Store) -> None:
        old = Token("t-old", "tenant", "cli_a", "acme", expires_at=NOW + 1000, created_at=NOW)
        new = Token("t-new", "tenant", "cli_a", "acme", expires_at=NOW + 9000, created_at=NOW + 5)
        user = Token("u-bob", "user", "cli_a", "acme", expires_at=NOW + 7000, created_at=NOW, user_id="bob")
        async with store.transaction() as tx:
            for t in (old, new, user):
                await tx.insert_token(t)
        async with store.transaction() as tx:
            assert await tx.get_token("t-old") == old
            assert await tx.get_token("u-bob") == user
            assert await tx.get_token("t-missing") is None
            assert await tx.latest_token("cli_a", "tenant") == new
            assert await tx.latest_token("cli_a", "user", "bob") == user
            assert await tx.latest_token("cli_a", "user", "amy") is None
            assert await tx.latest_token("cli_b", "tenant") is None

    run(store_url, body)


# -- definitions ------------------------------------------------------------------------------------------

def leave(version: int = 1, status: str = "ACTIVE", name: str = "@i18n@leave") -> Definition:
    body = definition("LEAVE", [{"id": "mgr", "name": "@i18n@mgr", "node_type": "AND",
                                 "approver": [{"type": "Personal", "user_id": "bob"}]}], approval_name=name)
    d = build_definition(body, tenant_key="acme", approval_code="LEAVE", approval_id=7_000_000_000_001,
                         version=version)
    d.body = body
    d.status = status
    return d


def test_definitions_save_get_overwrite_and_list(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            await tx.upsert_tenant(Tenant("acme", "Acme"))
            assert await tx.get_definition("acme", "LEAVE") is None
            await tx.save_definition(leave())
        async with store.transaction() as tx:
            got = await tx.get_definition("acme", "LEAVE")
            assert got is not None
            assert (got.code, got.approval_id, got.version, got.status, got.name) == (
                "LEAVE", 7_000_000_000_001, 1, "ACTIVE", "@i18n@leave")
            assert got.body == leave().body
            assert [n.key for n in got.nodes] == ["mgr"]
            assert await tx.get_definition("other", "LEAVE") is None
            assert await tx.list_definitions("acme") == [got]
            assert await tx.list_definitions("other") == []

        async with store.transaction() as tx:  # an overwrite: a new version with a new body
            await tx.save_definition(leave(version=2, name="Leave v2"))
        async with store.transaction() as tx:
            got = await tx.get_definition("acme", "LEAVE")
            assert got is not None and (got.version, got.name) == (2, "Leave v2")
            assert got.approval_id == 7_000_000_000_001  # the approval keeps its id across versions
            assert [d.version for d in await tx.list_definitions("acme")] == [2]

        async with store.transaction() as tx:  # a status change alone shows through the cached parse
            await tx.save_definition(leave(version=2, status="INACTIVE", name="Leave v2"))
        async with store.transaction() as tx:
            got = await tx.get_definition("acme", "LEAVE")
            assert got is not None and (got.version, got.status) == (2, "INACTIVE")

    run(store_url, body)


def test_definition_cache_follows_writes_from_another_process(store_url: str) -> None:
    """Two stores on one database stand for two server processes, each with its own cache."""

    async def body(a: Store) -> None:
        b = open_store(store_url)
        await b.open()
        try:
            async with a.transaction() as tx:
                await tx.upsert_tenant(Tenant("acme", "Acme"))
                await tx.save_definition(leave())
            for s in (a, b):  # both caches now hold version 1
                async with s.transaction() as tx:
                    assert (d := await tx.get_definition("acme", "LEAVE")) is not None and d.version == 1
            async with b.transaction() as tx:
                await tx.save_definition(leave(version=2, name="from b"))
            async with a.transaction() as tx:
                got = await tx.get_definition("acme", "LEAVE")
                assert got is not None and (got.version, got.name) == (2, "from b")
                assert [d.name for d in await tx.list_definitions("acme")] == ["from b"]
        finally:
            await b.close()

    run(store_url, body)


def test_a_rolled_back_definition_does_not_linger_in_the_cache(store_url: str) -> None:
    async def body(store: Store) -> None:
        async with store.transaction() as tx:
            await tx.upsert_tenant(Tenant("acme", "Acme"))
            await tx.save_definition(leave())
        with pytest.raises(RuntimeError):
            async with store.transaction() as tx:
                await tx.save_definition(leave(version=2, name="never committed"))
                seen = await tx.get_definition("acme", "LEAVE")  # the transaction sees (and caches) its write
                assert seen is not None and seen.name == "never committed"
                raise RuntimeError("abort")
        async with store.transaction() as tx:
            got = await tx.get_definition("acme", "LEAVE")
            assert got is not None and (got.version, got.name) == (1, "@i18n@leave")

    run(store_url, body)


# -- instances --------------------------------------------------------------------------------------------

def test_a_created_instance_loads_back_identically(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        agg, tr = await create(store, uuid="Req-0001")
        assert [(t.node_key, t.user_id, t.status) for t in agg.tasks] == [("mgr", "bob", "PENDING")]
        async with store.transaction() as tx:
            loaded = await tx.load_aggregate("acme", "INST-1")
            assert loaded is not None
            assert loaded.instance == agg.instance
            assert loaded.tasks == sorted(agg.tasks, key=lambda t: (t.start_time, t.id))
            assert loaded.definition.code == "LEAVE"
            assert await tx.find_instance("acme", "INST-1") == agg.instance
            assert await tx.find_task("acme", agg.tasks[0].id) == agg.tasks[0]
            assert await tx.find_task("slow", agg.tasks[0].id) is None  # tasks are tenant-scoped
            assert await tx.find_task("acme", "no-such-task") is None
            assert await tx.timeline("acme", "INST-1") == tr.timeline
            outbox = await tx.outbox("acme", "INST-1")
            assert events_of(outbox) == expected_events(tr)
            assert {(o["approval_code"], o["instance_code"]) for o in outbox} == {("LEAVE", "INST-1")}
            assert [o["created_at"] for o in outbox] == [e.operate_time for e in tr.events]
            assert [o["id"] for o in outbox] == sorted(o["id"] for o in outbox)
            assert await tx.outbox("acme") == outbox
            assert await tx.load_aggregate("acme", "INST-404") is None
            assert await tx.load_aggregate("slow", "INST-1") is None

    run(store_url, body)


def test_approve_then_reject_persist(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        agg, created = await create(store)
        bob_task = agg.tasks[0].id
        approved = await act(store, "approve", "INST-1", bob_task, "bob", NOW + 10)
        async with store.transaction() as tx:
            after = await tx.load_aggregate("acme", "INST-1")
            assert after is not None
            assert after.instance.version == 1
            assert after.instance == approved.agg.instance
            assert {(t.node_key, t.user_id, t.status) for t in after.tasks} == {
                ("mgr", "bob", "APPROVED"), ("fin", "dana", "PENDING"), ("fin", "carol", "PENDING")}
            assert after.tasks == sorted(approved.agg.tasks, key=lambda t: (t.start_time, t.id))
        dana_task = next(t.id for t in after.tasks if t.user_id == "dana")
        rejected = await act(store, "reject", "INST-1", dana_task, "dana", NOW + 20)
        async with store.transaction() as tx:
            final = await tx.load_aggregate("acme", "INST-1")
            assert final is not None
            assert (final.instance.status, final.instance.end_time, final.instance.version) == ("REJECTED",
                                                                                                NOW + 20, 2)
            assert {(t.user_id, t.status) for t in final.tasks} == {
                ("bob", "APPROVED"), ("dana", "REJECTED"), ("carol", "DONE")}
            assert final.tasks == sorted(rejected.agg.tasks, key=lambda t: (t.start_time, t.id))
            timeline = await tx.timeline("acme", "INST-1")
            assert timeline == [*created.timeline, *approved.timeline, *rejected.timeline]
            assert [e.type for e in timeline][-1] == "REJECT" and timeline[-1].comment == "reject"
            assert events_of(await tx.outbox("acme", "INST-1")) == expected_events(created, approved, rejected)

    run(store_url, body)


def test_a_stale_version_raises_concurrent_update_and_writes_nothing(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        agg, _ = await create(store)
        bob_task = agg.tasks[0].id
        async with store.transaction() as tx:
            stale = await tx.load_aggregate("acme", "INST-1")
            directory = await tx.load_directory("acme")
        assert stale is not None
        await act(store, "approve", "INST-1", bob_task, "bob", NOW + 10)  # the instance moves to version 1

        late = commands.reject(stale, directory, commands.TaskAction(task_id=bob_task, user_id="bob"),
                               now=NOW + 20, new_id=sequential_ids("late-"))
        with pytest.raises(ConcurrentUpdate):
            async with store.transaction() as tx:
                await tx.save_transition(late, created=False)
        async with store.transaction() as tx:
            now = await tx.load_aggregate("acme", "INST-1")
            assert now is not None and (now.instance.status, now.instance.version) == ("PENDING", 1)
            assert {(t.user_id, t.status) for t in now.tasks} == {
                ("bob", "APPROVED"), ("dana", "PENDING"), ("carol", "PENDING")}
            assert "REJECT" not in [e.type for e in await tx.timeline("acme", "INST-1")]
            assert "REJECTED" not in [o["status"] for o in await tx.outbox("acme", "INST-1")]

    run(store_url, body)


def test_a_rolled_back_transaction_leaves_nothing_behind(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        async with store.transaction() as tx:
            serial_before = await tx.next_serial("acme")
            outbox_before = await tx.outbox("acme")
        with pytest.raises(RuntimeError):
            async with store.transaction() as tx:
                await tx.upsert_tenant(Tenant("ghost", "Ghost"))
                await tx.upsert_user("acme", User("ghost", "Ghost", "ou_g", "on_g", "9"))
                await tx.insert_token(Token("t-ghost", "tenant", "cli_acme", "acme", NOW + 1, NOW))
                await tx.next_serial("acme")
                d = await tx.get_definition("acme", "LEAVE")
                assert d is not None
                agg, tr = commands.create_instance(
                    d, await tx.load_directory("acme"), commands.CreateInstance(user_id="alice", form=FORM),
                    code="GHOST-1", serial_number="x", now=NOW, new_id=sequential_ids("G"))
                await tx.save_transition(tr, created=True)
                assert await tx.find_instance("acme", "GHOST-1") is not None  # visible inside
                raise RuntimeError("abort")
        async with store.transaction() as tx:
            assert await tx.get_tenant("ghost") is None
            assert "ghost" not in (await tx.load_directory("acme")).users
            assert await tx.get_token("t-ghost") is None
            assert await tx.find_instance("acme", "GHOST-1") is None
            assert await tx.load_aggregate("acme", "GHOST-1") is None
            assert await tx.find_task("acme", "G0001") is None
            assert await tx.timeline("acme", "GHOST-1") == []
            assert await tx.outbox("acme") == outbox_before
            assert await tx.next_serial("acme") == serial_before + 1

    run(store_url, body)


def test_find_instance_by_code_or_uuid_ignoring_case(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        first, _ = await create(store, code="INST-1", uuid="Req-AbC-1")
        await create(store, code="INST-2")  # no uuid: many of those may coexist
        await create(store, code="INST-3")
        async with store.transaction() as tx:
            for key in ("INST-1", "Req-AbC-1", "req-abc-1", "REQ-ABC-1"):
                found = await tx.find_instance("acme", key)
                assert found is not None and found.code == "INST-1", key
            assert (await tx.find_instance("acme", "inst-1")) is None  # codes are exact, uuids are not
            assert await tx.find_instance("slow", "Req-AbC-1") is None
            assert await tx.find_instance("acme", "") is None
            by_uuid = await tx.load_aggregate("acme", "REQ-abc-1")
            assert by_uuid is not None and by_uuid.instance == first.instance
            second = await tx.find_instance("acme", "INST-2")
            assert second is not None and second.uuid == ""

    run(store_url, body)


def test_a_taken_uuid_raises_duplicate_uuid_and_writes_nothing(store_url: str) -> None:
    """The store reports the taken uuid with its own exception; the application layer names the domain error."""

    async def body(store: Store) -> None:
        await seeded(store)
        await create(store, code="INST-1", uuid="Req-1")
        async with store.transaction() as tx:
            outbox_before = await tx.outbox("acme")
        with pytest.raises(DuplicateUuid) as raised:
            await create(store, code="INST-2", uuid="REQ-1")  # uuids compare ignoring case
        assert raised.value.uuid == "REQ-1"
        async with store.transaction() as tx:
            assert await tx.find_instance("acme", "INST-2") is None
            assert await tx.find_task("acme", "INST-2-T0001") is None
            assert await tx.timeline("acme", "INST-2") == []
            assert await tx.outbox("acme") == outbox_before
            found = await tx.find_instance("acme", "req-1")
            assert found is not None and found.code == "INST-1"

    run(store_url, body)


def test_next_serial_counts_per_tenant(store_url: str) -> None:
    async def body(store: Store) -> None:
        await seeded(store)
        got = []
        for tenant in ("acme", "acme", "slow", "acme"):
            async with store.transaction() as tx:
                got.append(await tx.next_serial(tenant))
        async with store.transaction() as tx:
            got.append(await tx.next_serial("acme"))
            got.append(await tx.next_serial("acme"))
        assert got == [1, 2, 1, 3, 4, 5]
        async with store.transaction() as tx:
            with pytest.raises(LookupError):
                await tx.next_serial("no-such-tenant")

    run(store_url, body)


def test_the_shared_query_sql_reads_the_same_on_both_backends(store_url: str) -> None:
    """store/queries.py is written once in SQLite's dialect; PostgreSQL runs it through a translation."""

    async def body(store: Store) -> None:
        await seeded(store)
        await create(store, code="INST-1")
        await create(store, code="INST-2", now=NOW + 1)
        async with store.transaction() as tx:  # titles to search: LIKE ignores ASCII case, '\' is no escape
            for code, title in (("INST-1", "Trip to Osaka"), ("INST-2", "50% off\\sale")):
                await tx._execute("UPDATE instances SET title = ? WHERE code = ?", (title, code))  # type: ignore[attr-defined]
        async with store.transaction() as tx:
            assert await tx.subscribe("acme", "cli_acme", "LEAVE", NOW) is True
            assert await tx.subscribe("acme", "cli_acme", "LEAVE", NOW) is False
            assert await tx.subscribers("LEAVE") == ["cli_acme"]
            assert await tx.unsubscribe("cli_acme", "LEAVE") is True
            assert await tx.unsubscribe("cli_acme", "LEAVE") is False

            found = await tx.search_instances("acme", SearchFilter(title="osaka"))
            assert [i.code for i in found.items] == ["INST-1"] and found.total == 1
            assert [i.code for i in (await tx.search_instances("acme", SearchFilter(title="off\\s"))).items] == ["INST-2"]
            assert (await tx.search_instances("acme", SearchFilter(title="'"))).total == 0  # a quote is data, not SQL
            page = await tx.search_instances("acme", SearchFilter(statuses=("PENDING", "APPROVED")), limit=1)
            assert (page.total, page.has_more, [i.code for i in page.items]) == (2, True, ["INST-2"])
            tasks = await tx.search_tasks("acme", SearchFilter("bob", statuses=("PENDING",)))
            assert sorted(inst.code for _, inst in tasks.items) == ["INST-1", "INST-2"]
            assert [t.instance_code for t in await tx.tasks_of("acme", ["INST-2", "INST-1"])] == ["INST-1", "INST-2"]

            cid = await tx.add_comment("acme", "INST-1", "bob", "looks 'fine'", [{"user_id": "amy"}], 0, "", NOW)
            assert await tx.edit_comment("acme", "INST-1", cid, "edited", [], "x", NOW + 1) is True
            [comment] = await tx.list_comments("acme", "INST-1")
            assert (comment.id, comment.content, comment.extra, comment.update_time) == (cid, "edited", "x", NOW + 1)
            assert await tx.delete_comment("acme", "INST-1", cid, NOW + 2) is True
            assert await tx.delete_comment("acme", "INST-1", cid, NOW + 3) is False

            await tx.put_external_approval("acme", "EXT", {"a": 1}, NOW)
            await tx.put_external_approval("acme", "EXT", {"a": 2}, NOW + 1)
            assert await tx.get_external_approval("acme", "EXT") == {"a": 2}

    run(store_url, body)
