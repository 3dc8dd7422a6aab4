"""Instances stored by release 0.1.0 (a plain JSON dict of flow state) load and run to their end.

data/written_by_0_1.sqlite was written by the 0.1.0 code (data/make_written_by_0_1.py says how); each instance
waits in a state worth checking. The test opens a copy with the store, loads each aggregate, and drives it on:
who is asked next shows that the open work of every node (its tree of lanes and groups) decoded as it was.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shenpi.engine import commands, errors
from shenpi.engine.directory import Directory
from shenpi.engine.model import APPROVED, CANCELED, PENDING, REJECTED, Aggregate
from shenpi.engine.transition import Transition
from shenpi.store import open_store
from shenpi.store.base import Store

FIXTURE = Path(__file__).parent / "data" / "written_by_0_1.sqlite"
TENANT = "acme"


class Driver:
    """Runs engine commands on stored instances, one store transaction each, the way the server does."""

    def __init__(self, store: Store, directory: Directory) -> None:
        self.store = store
        self.directory = directory
        self.now = 1_700_000_100_000
        self.serial = 0

    def new_id(self) -> str:
        self.serial += 1
        return f"n{self.serial:04d}"

    async def load(self, code: str) -> Aggregate:
        async with self.store.transaction() as tx:
            agg = await tx.load_aggregate(TENANT, code)
        assert agg is not None, code
        return agg

    async def waiting(self, code: str) -> list[tuple[str, str]]:
        """(node key, user) of every pending task, sorted."""
        agg = await self.load(code)
        return sorted((t.node_key, t.user_id) for t in agg.tasks if t.status == PENDING)

    async def run(self, code: str, fn: Callable[..., Transition], make: Callable[[str], Any], user_id: str = "",
                  **extra: Any) -> Transition:
        self.now += 1000
        async with self.store.transaction() as tx:
            agg = await tx.load_aggregate(TENANT, code)
            assert agg is not None
            task = next((t for t in agg.tasks if t.status == PENDING and t.user_id == user_id), None)
            tr = fn(agg, self.directory, make(task.id if task else "none"), now=self.now, new_id=self.new_id,
                    **extra)
            await tx.save_transition(tr, created=False)
        return tr

    async def approve(self, code: str, user_id: str) -> Transition:
        return await self.run(code, commands.approve, lambda t: commands.TaskAction(t, user_id), user_id)

    async def reject(self, code: str, user_id: str) -> Transition:
        return await self.run(code, commands.reject, lambda t: commands.TaskAction(t, user_id), user_id)

    async def status(self, code: str) -> tuple[str, bool]:
        inst = (await self.load(code)).instance
        return inst.status, inst.reverted

    async def ccd(self, code: str) -> list[tuple[str, bool]]:
        return [(r.user_id, bool(r.read_time)) for r in commands.list_ccs((await self.load(code)).instance)]


def cc_created(tr: Transition) -> list[str]:
    return [e.user_id for e in tr.events if e.kind == "cc" and e.status == "CREATE"]


async def drive(d: Driver) -> None:  # noqa: PLR0915 - one story per stored instance, told in order
    # AND node of approvers chosen at submission: bob approved, carol still to; then the rest of the flow
    assert await d.waiting("I-AND-CHOSEN") == [("a", "carol")]
    assert cc_created(await d.approve("I-AND-CHOSEN", "carol")) == ["erin"]  # node a's ccer, held until a is done
    assert await d.waiting("I-AND-CHOSEN") == [("b", "dave")]
    await d.approve("I-AND-CHOSEN", "dave")
    assert await d.waiting("I-AND-CHOSEN") == [("b", "erin")]
    await d.approve("I-AND-CHOSEN", "erin")
    assert await d.waiting("I-AND-CHOSEN") == [("c", "cfo"), ("c", "lead")]
    assert cc_created(await d.approve("I-AND-CHOSEN", "cfo")) == ["carol"]  # the CC node
    assert await d.waiting("I-AND-CHOSEN") == [("d", "ceo")]
    assert cc_created(await d.approve("I-AND-CHOSEN", "ceo")) == ["vp"]  # the CC chosen at submission for d
    assert await d.status("I-AND-CHOSEN") == (APPROVED, False)

    # SEQUENTIAL node mid-way: dave approved, erin now, vp after her
    assert await d.waiting("I-SEQUENTIAL") == [("b", "erin")]
    await d.approve("I-SEQUENTIAL", "erin")
    assert await d.waiting("I-SEQUENTIAL") == [("b", "vp")]
    await d.approve("I-SEQUENTIAL", "vp")
    await d.approve("I-SEQUENTIAL", "lead")
    await d.approve("I-SEQUENTIAL", "ceo")
    assert await d.status("I-SEQUENTIAL") == (APPROVED, False)

    # add-sign: vp before bob; cfo and ceo (both) after carol
    assert await d.waiting("I-ADD-SIGN") == [("a", "ceo"), ("a", "cfo"), ("a", "vp")]
    await d.approve("I-ADD-SIGN", "cfo")
    assert await d.waiting("I-ADD-SIGN") == [("a", "ceo"), ("a", "vp")]
    await d.approve("I-ADD-SIGN", "vp")
    assert await d.waiting("I-ADD-SIGN") == [("a", "bob"), ("a", "ceo")]  # bob is asked again after vp
    await d.approve("I-ADD-SIGN", "bob")
    await d.approve("I-ADD-SIGN", "ceo")
    assert await d.waiting("I-ADD-SIGN") == [("b", "dave")]
    await d.reject("I-ADD-SIGN", "dave")
    assert await d.status("I-ADD-SIGN") == (REJECTED, False)
    assert await d.waiting("I-ADD-SIGN") == []

    # add-sign alongside on the OR node: vp's approval decides it, lead's and cfo's tasks close
    assert await d.waiting("I-ALONGSIDE") == [("c", "cfo"), ("c", "lead"), ("c", "vp")]
    await d.approve("I-ALONGSIDE", "vp")
    assert await d.waiting("I-ALONGSIDE") == [("d", "ceo")]
    await d.approve("I-ALONGSIDE", "ceo")
    assert await d.status("I-ALONGSIDE") == (APPROVED, False)

    # rolled back to a and b, side by side in round 1; the flow goes on after b once both are done
    agg = await d.load("I-ROLLBACK")
    assert agg.instance.round == 1
    assert await d.waiting("I-ROLLBACK") == [("a", "bob"), ("b", "dave")]
    await d.approve("I-ROLLBACK", "dave")
    assert await d.waiting("I-ROLLBACK") == [("a", "bob")]
    assert cc_created(await d.approve("I-ROLLBACK", "bob")) == ["erin"]
    assert await d.waiting("I-ROLLBACK") == [("c", "cfo"), ("c", "lead")]
    await d.approve("I-ROLLBACK", "lead")
    await d.approve("I-ROLLBACK", "ceo")
    assert await d.status("I-ROLLBACK") == (APPROVED, False)

    # transferred from bob to vp; bob CC'd dave (read) and cfo (unread)
    assert await d.waiting("I-TRANSFER") == [("a", "vp")]
    assert await d.ccd("I-TRANSFER") == [("dave", True), ("cfo", False)]
    await d.run("I-TRANSFER", commands.mark_cc_read, lambda _: commands.CcRead("cfo"))
    assert await d.ccd("I-TRANSFER") == [("dave", True), ("cfo", True)]
    for user in ("vp", "dave", "lead", "ceo"):
        await d.approve("I-TRANSFER", user)
    assert await d.status("I-TRANSFER") == (APPROVED, False)
    await d.run("I-TRANSFER", commands.cancel, lambda _: commands.Cancel("alice"))
    assert await d.status("I-TRANSFER") == (CANCELED, True)

    # past the CC node, waiting at d
    assert await d.waiting("I-AFTER-CC") == [("d", "ceo")]
    await d.approve("I-AFTER-CC", "ceo")
    assert await d.status("I-AFTER-CC") == (APPROVED, False)
    assert await d.ccd("I-AFTER-CC") == [("erin", False), ("carol", False)]

    # handed back to the submitter: she resubmits and the flow starts again
    assert await d.waiting("I-HANDED-BACK") == [("START", "alice")]
    form = json.dumps([{"id": "days", "type": "number", "value": 4}])
    await d.run("I-HANDED-BACK", commands.resubmit, lambda t: commands.TaskAction(t, "alice", form=form), "alice")
    assert await d.waiting("I-HANDED-BACK") == [("a", "bob")]
    await d.approve("I-HANDED-BACK", "bob")
    await d.approve("I-HANDED-BACK", "lead")
    assert await d.status("I-HANDED-BACK") == (APPROVED, False)

    # ended ones: revert where allowed, refusals where not
    await d.run("I-APPROVED", commands.revert, lambda _: commands.Cancel("alice"))
    assert await d.status("I-APPROVED") == (CANCELED, True)
    with pytest.raises(errors.NoOperationPermission):  # created with forbid_revoke
        await d.run("I-APPROVED-NO-REVERT", commands.revert, lambda _: commands.Cancel("alice"))
    assert await d.status("I-APPROVED-NO-REVERT") == (APPROVED, False)
    rejected = await d.load("I-REJECTED")
    with pytest.raises(errors.TaskNotFound):
        await d.approve("I-REJECTED", rejected.tasks[0].user_id)
    assert await d.status("I-REJECTED") == (REJECTED, False)
    with pytest.raises(errors.InstanceReverted):
        await d.run("I-CANCELED", commands.cancel, lambda _: commands.Cancel("alice"))
    assert await d.status("I-CANCELED") == (CANCELED, False)


def test_instances_written_by_0_1_load_and_run_to_their_end(tmp_path: Path) -> None:
    db = tmp_path / "copy.sqlite"
    shutil.copyfile(FIXTURE, db)

    async def main() -> None:
        store = open_store(f"sqlite:///{db}")
        await store.open()
        try:
            async with store.transaction() as tx:
                directory = await tx.load_directory(TENANT)
            await drive(Driver(store, directory))
        finally:
            await store.close()

    asyncio.run(main())
