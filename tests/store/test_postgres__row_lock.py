"""PostgreSQL under contention: the instance row lock serializes actions on one instance, from coroutines of
one process and from several processes, and several processes starting at once migrate exactly once.

Without a reachable PostgreSQL these skip locally and fail in CI.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from functools import partial
from multiprocessing.synchronize import Barrier
from typing import Any

import pytest

from shenpi.app import Shenpi
from shenpi.engine import commands, errors
from shenpi.seed import apply_seed
from shenpi.store.migrations import migrations
from shenpi.store.postgres import PostgresStore
from tests.pg import postgres_url_or_skip, run_async
from tests.seeds import test_seed

FORM = '[{"id": "reason", "type": "textarea", "value": "x"}]'
TASK_NOT_FOUND = errors.TaskNotFound.code  # 1390010: what Feishu answers to an already acted-on task


@pytest.fixture
def pg_url() -> str:
    return postgres_url_or_skip("row_lock")


def open_service(url: str, connections: int = 10) -> Shenpi:
    return Shenpi(PostgresStore(url, min_size=connections, max_size=connections))


async def seeded_instance(url: str) -> tuple[str, str]:
    """Seed the database and create one LEAVE instance; returns (instance code, bob's pending task id)."""
    svc = open_service(url, 1)
    await svc.open()
    try:
        await apply_seed(svc, test_seed())
        inst = await svc.instances.create("acme", "LEAVE", commands.CreateInstance(user_id="alice", form=FORM))
        view = await svc.instances.get("acme", inst.code)
        [task] = view.tasks
        assert (task.user_id, task.status) == ("bob", "PENDING")
        return inst.code, task.id
    finally:
        await svc.close()


async def race(svc: Shenpi, code: str, task_id: str, actions: list[str]) -> list[str]:
    """All the actions at once on bob's task; each outcome is 'ok:<action>' or 'error:<code>'."""

    async def one(action: str) -> str:
        try:
            decide = {"approve": svc.instances.approve, "reject": svc.instances.reject}[action]
            await decide("acme", commands.TaskAction(task_id=task_id, user_id="bob", comment=action),
                         approval_code="LEAVE", instance_code=code)
        except errors.DomainError as e:
            return f"error:{e.code}"
        return f"ok:{action}"

    return list(await asyncio.gather(*(one(a) for a in actions)))


async def warm(svc: Shenpi) -> None:
    """Parse the definition and load the directory before the race, so every contender starts even."""
    await svc.directory("acme")
    await svc.definitions.get("acme", "LEAVE")


async def assert_consistent(url: str, code: str, task_id: str, winner: str) -> None:
    svc = open_service(url, 1)
    await svc.open()
    try:
        view = await svc.instances.get("acme", code)
        tasks = {(t.node_key, t.user_id): t.status for t in view.tasks}
        if winner == "approve":
            assert view.instance.status == "PENDING"
            assert tasks == {("mgr", "bob"): "APPROVED", ("fin", "dana"): "PENDING", ("fin", "carol"): "PENDING"}
        else:
            assert view.instance.status == "REJECTED"
            assert tasks == {("mgr", "bob"): "REJECTED"}
        assert view.instance.version == 1  # exactly one write after the create
        decisions = [e for e in view.timeline if e.type in ("PASS", "REJECT")]
        assert [(e.type, e.task_id, e.comment) for e in decisions] == [
            ("PASS" if winner == "approve" else "REJECT", task_id, winner)]
        async with svc.store.transaction() as tx:
            bob_events = [o["status"] for o in await tx.outbox("acme", code) if o["task_id"] == task_id]
        assert bob_events == ["PENDING", "APPROVED" if winner == "approve" else "REJECTED"]
    finally:
        await svc.close()


def check_outcomes(outcomes: list[str]) -> str:
    wins = [o for o in outcomes if o.startswith("ok:")]
    assert len(wins) == 1, outcomes
    assert sorted(o for o in outcomes if not o.startswith("ok:")) == [f"error:{TASK_NOT_FOUND}"] * (len(outcomes) - 1)
    return wins[0].removeprefix("ok:")


def test_concurrent_actions_on_one_task_from_one_process(pg_url: str) -> None:
    async def main() -> None:
        code, task_id = await seeded_instance(pg_url)
        svc = open_service(pg_url)
        await svc.open()
        try:
            await warm(svc)
            outcomes = await race(svc, code, task_id, ["approve", "reject"] * 12)  # more than the pool holds
        finally:
            await svc.close()
        await assert_consistent(pg_url, code, task_id, check_outcomes(outcomes))

    run_async(main)


def test_load_aggregate_waits_for_the_row_lock_then_sees_the_holders_writes(pg_url: str) -> None:
    """The lock, not the optimistic version check, is what orders the actions: the second loader blocks, and
    once the first commits it reads the committed instance *and tasks* (a fresh snapshot after the wait)."""

    async def main() -> None:
        code, task_id = await seeded_instance(pg_url)
        svc = open_service(pg_url, 2)
        await svc.open()
        directory = await svc.directory("acme")
        try:
            async with svc.store.transaction() as first:
                holder = await first.load_aggregate("acme", code)
                assert holder is not None

                async def second_loader() -> Any:
                    async with svc.store.transaction() as second:
                        return await second.load_aggregate("acme", code)

                waiting = asyncio.create_task(second_loader())
                await asyncio.sleep(0.3)
                assert not waiting.done(), "load_aggregate did not wait for the instance's row lock"
                tr = commands.approve(holder, directory, commands.TaskAction(task_id=task_id, user_id="bob"),
                                      now=holder.instance.start_time + 1, new_id=iter(["F1", "F2"]).__next__)
                await first.save_transition(tr, created=False)
            after = await asyncio.wait_for(waiting, 10)
            assert after.instance.version == 1
            assert {(t.user_id, t.status) for t in after.tasks} == {
                ("bob", "APPROVED"), ("dana", "PENDING"), ("carol", "PENDING")}
        finally:
            await svc.close()

    run_async(main)


def _process_racer(url: str, code: str, task_id: str, actions: list[str], start: Barrier, out: Any) -> None:
    async def main() -> list[str]:
        svc = open_service(url, len(actions))
        await svc.open()
        try:
            await warm(svc)
            start.wait(timeout=60)  # every process is connected and warm: go together
            return await race(svc, code, task_id, actions)
        finally:
            await svc.close()

    try:
        out.put(run_async(main))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which fails the test
        out.put([f"crash:{e!r}"])


def run_processes(target: Any, args_for: list[tuple[Any, ...]]) -> list[Any]:
    ctx = multiprocessing.get_context("spawn")  # no fork: the parent's event loop and sockets stay its own
    start = ctx.Barrier(len(args_for))
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, start, out)) for args in args_for]
    for p in procs:
        p.start()
    try:
        results = [out.get(timeout=120) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return results


def test_concurrent_actions_on_one_task_from_several_processes(pg_url: str) -> None:
    code, task_id = run_async(partial(seeded_instance, pg_url))
    per_process = [["approve", "reject"] * 3, ["reject", "approve"] * 3, ["approve"] * 3 + ["reject"] * 3]
    results = run_processes(_process_racer, [(pg_url, code, task_id, actions) for actions in per_process])
    outcomes = [o for r in results for o in r]
    assert not [o for o in outcomes if o.startswith("crash:")], outcomes
    assert len(outcomes) == 18
    winner = check_outcomes(outcomes)
    run_async(partial(assert_consistent, pg_url, code, task_id, winner))


def test_concurrent_creates_with_one_uuid_yield_one_instance(pg_url: str) -> None:
    async def main() -> None:
        await seeded_instance(pg_url)
        svc = open_service(pg_url)
        await svc.open()
        try:
            await warm(svc)

            async def one() -> str:
                try:
                    inst = await svc.instances.create(
                        "acme", "LEAVE", commands.CreateInstance(user_id="alice", form=FORM, uuid="Same-UUID"))
                except errors.DomainError as e:
                    return f"error:{e.code}"
                return inst.code

            outcomes = await asyncio.gather(*(one() for _ in range(8)))
            codes = [o for o in outcomes if not o.startswith("error:")]
            assert len(codes) == 1, outcomes
            assert sorted(o for o in outcomes if o.startswith("error:")) == [
                f"error:{errors.UuidConflict.code}"] * 7
            found = await svc.instances.get("acme", "same-uuid")
            assert found.instance.code == codes[0]
        finally:
            await svc.close()

    run_async(main)


def _process_opener(url: str, start: Barrier, out: Any) -> None:
    async def main() -> list[str]:
        store = PostgresStore(url, min_size=1, max_size=1)
        start.wait(timeout=60)
        await store.open()
        await store.close()
        return ["opened"]

    try:
        out.put(run_async(main))
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which fails the test
        out.put([f"crash:{e!r}"])


def test_processes_starting_together_migrate_exactly_once(pg_url: str) -> None:
    results = run_processes(_process_opener, [(pg_url,)] * 4)
    assert results == [["opened"]] * 4

    async def applied() -> list[tuple[int, str]]:
        import asyncpg

        conn = await asyncpg.connect(pg_url)
        try:
            return [(r[0], r[1]) for r in await conn.fetch("SELECT version, name FROM schema_migrations ORDER BY 1")]
        finally:
            await conn.close()

    assert run_async(applied) == [(v, name) for v, name, _ in migrations("postgres")]


def test_connections_the_server_dropped_are_replaced_without_failing_a_request(pg_url: str) -> None:
    async def main() -> None:
        import asyncpg

        from shenpi.store.records import Tenant

        store = PostgresStore(pg_url, min_size=3, max_size=3)
        await store.open()
        admin = await asyncpg.connect(pg_url)
        try:
            for _ in range(3):
                async with store.transaction() as tx:
                    await tx.upsert_tenant(Tenant("acme", "Acme"))
                # Every pooled session dies between two requests (a failover, an idle-session timeout, an
                # operator), and the next request comes before the pool has noticed.
                killed = await admin.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")
                assert killed >= 1
                async with store.transaction() as tx:
                    assert await tx.get_tenant("acme") is not None
        finally:
            await admin.close()
            await store.close()

    run_async(main)
