"""What the store contract tests share: a seeded store, instances created and acted on through the engine."""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from typing import Any

from shenpi.app import Shenpi
from shenpi.engine import commands
from shenpi.engine.model import Aggregate
from shenpi.engine.transition import Transition
from shenpi.seed import apply_seed
from shenpi.store import open_store
from shenpi.store.base import Store
from shenpi.store.records import Token
from tests.pg import run_async
from tests.seeds import test_seed

NOW = 1_700_000_000_000
FORM = '[{"id": "reason", "type": "textarea", "value": "x"}]'


def run(url: str, body: Callable[[Store], Awaitable[None]]) -> None:
    async def main() -> None:
        store = open_store(url)
        await store.open()
        try:
            await body(store)
        finally:
            await store.close()

    run_async(main)


async def seeded(store: Store) -> None:
    await apply_seed(Shenpi(store), test_seed())


def sequential_ids(prefix: str) -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"{prefix}{next(counter):04d}"


async def create(store: Store, *, code: str = "INST-1", approval: str = "LEAVE", user_id: str = "alice",
                 uuid: str = "", now: int = NOW) -> tuple[Aggregate, Transition]:
    async with store.transaction() as tx:
        d = await tx.get_definition("acme", approval)
        assert d is not None
        directory = await tx.load_directory("acme")
        cmd = commands.CreateInstance(user_id=user_id, form=FORM, uuid=uuid, title="t")
        agg, tr = commands.create_instance(d, directory, cmd, code=code, serial_number="202401010001", now=now,
                                           new_id=sequential_ids(code + "-T"))
        await tx.save_transition(tr, created=True)
    return agg, tr


async def act(store: Store, action: str, code: str, task_id: str, user_id: str, now: int) -> Transition:
    fn = {"approve": commands.approve, "reject": commands.reject}[action]
    async with store.transaction() as tx:
        agg = await tx.load_aggregate("acme", code)
        assert agg is not None
        directory = await tx.load_directory("acme")
        tr = fn(agg, directory, commands.TaskAction(task_id=task_id, user_id=user_id, comment=action), now=now,
                new_id=sequential_ids(f"{code}-{now}-"))
        await tx.save_transition(tr, created=False)
    return tr


def events_of(outbox: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(o["kind"], o["status"], o["task_id"], o["user_id"], o["node_key"], o["operate_time"], o["extra"])
            for o in outbox]


def expected_events(*trs: Transition) -> list[tuple[Any, ...]]:
    return [(e.kind, e.status, e.task_id, e.user_id, e.node_key, e.operate_time, e.extra) for tr in trs
            for e in tr.events]


async def busy_state(store: Store) -> None:
    """A state with a row in most tables: seed, instances moved along, a comment, a token, a redelivery."""
    await seeded(store)
    agg, _ = await create(store, code="INST-1", uuid="U-1")
    await act(store, "approve", "INST-1", agg.tasks[0].id, "bob", NOW + 10)
    await create(store, code="INST-2", now=NOW + 20)
    async with store.transaction() as tx:
        await tx.insert_token(Token("t-keep", "tenant", "cli_acme", "acme", NOW + 10**9, NOW))
        await tx.add_comment("acme", "INST-1", "bob", "ok", [], 0, "", NOW)
        await tx.subscribe("acme", "cli_acme", "LEAVE", NOW)
        assert await tx.request_redelivery([1], NOW) == [1]


def sorted_tables(tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Tables with rows as a sorted list: row order is insertion order in SQLite, key order in PostgreSQL."""
    return {name: (t["columns"], sorted(map(repr, t["rows"]))) for name, t in tables.items()}
