"""Write ``written_by_0_1.sqlite``: a SQLite database as release 0.1.0 wrote it, instances in interesting states.

The fixture proves that instances stored by 0.1.0 (whose flow state was a plain JSON dict) still load and run
(tests/engine/test_store__old_instances_load.py). Regenerate it with the 0.1.0 code, not with the current code,
which writes the typed state::

    git worktree add /tmp/shenpi-0.1 2ba2a61        # the last commit with the dict state
    cd /tmp/shenpi-0.1 && PYTHONPATH=. python /path/to/this/script.py /path/to/written_by_0_1.sqlite

Everything is deterministic: fixed clock values, task ids ``t0001``..., instance codes named after their state.
Only the store and the engine's commands are used, so the rows are exactly what the server would have written.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

from shenpi.engine import commands
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import PENDING, Definition
from shenpi.store import open_store
from shenpi.store.records import Tenant

TENANT = "acme"
START_MS = 1_700_000_000_000
USERS = {  # user id -> (department, leader)
    "ceo": ("root", ""), "vp": ("eng", "ceo"), "lead": ("team", "vp"), "alice": ("team", "lead"),
    "bob": ("team", "lead"), "erin": ("team", "lead"), "dave": ("team", "lead"), "cfo": ("fin", "ceo"),
    "carol": ("fin", "cfo"),
}
DEPARTMENTS = [("root", "", "ceo"), ("eng", "root", "vp"), ("team", "eng", "lead"), ("fin", "root", "cfo")]


def _node(key: str, node_type: str, approvers: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    return {"id": key, "name": key, "node_type": node_type, "approver": approvers or [], **extra}


def _personal(*users: str) -> list[dict[str, Any]]:
    return [{"type": "Personal", "user_id": u} for u in users]


def _definition(code: str, nodes: list[dict[str, Any]], settings: dict[str, Any]) -> Definition:
    form = [{"id": "reason", "type": "textarea", "name": "reason"}, {"id": "days", "type": "number", "name": "days"}]
    body = {"approval_code": code, "approval_name": code, "viewers": [{"viewer_type": "TENANT"}],
            "form": {"form_content": json.dumps(form)}, "settings": settings,
            "node_list": [{"id": "START"}, *nodes, {"id": "END"}]}
    d = build_definition(body, tenant_key=TENANT, approval_code=code, approval_id=len(code))
    d.body = body
    return d


# FLOW: an AND node of approvers chosen at submission (CC'ing erin once done), a SEQUENTIAL node of chosen
# approvers, an OR node, a CC node, and a last AND node. BACK: a rejection hands the instance back.
FLOW = _definition("FLOW", [
    _node("a", "AND", [{"type": "Free"}], ccer=[{"type": "Personal", "user_id": "erin"}]),
    _node("b", "SEQUENTIAL", [{"type": "Free"}]),
    _node("c", "OR", _personal("lead", "cfo")),
    _node("cc", "CC_NODE", ccer=_personal("carol")),
    _node("d", "AND", _personal("ceo")),
], {"revert_interval": 31 * 24 * 3600})
BACK = _definition("BACK", [_node("a", "AND", _personal("bob")), _node("b", "AND", _personal("lead"))],
                   {"reject_option": 1})


class Writer:
    def __init__(self, path: Path) -> None:
        self.store = open_store(f"sqlite:///{path}")
        self.directory = Directory(
            TENANT,
            [User(u, u.title(), f"ou_{u}", f"on_{u}", f"ap_{u}", [dep], leader) for u, (dep, leader) in USERS.items()],
            [Department(d, d.title(), leader, parent) for d, parent, leader in DEPARTMENTS],
        )
        self.now = START_MS
        self.ids = itertools.count(1)
        self.serial = itertools.count(1)

    def new_id(self) -> str:
        return f"t{next(self.ids):04d}"

    def tick(self) -> int:
        self.now += 1000
        return self.now

    async def setup(self) -> None:
        await self.store.open()
        async with self.store.transaction() as tx:
            await tx.upsert_tenant(Tenant(TENANT, "Acme"))
            for d in self.directory.departments.values():
                await tx.upsert_department(TENANT, d)
            for u in self.directory.users.values():
                await tx.upsert_user(TENANT, u)
            await tx.save_definition(FLOW)
            await tx.save_definition(BACK)

    async def create(self, definition: Definition, code: str, **kw: Any) -> None:
        cmd = commands.CreateInstance(user_id="alice", form=json.dumps([{"id": "days", "type": "number",
                                                                         "value": 3}]), **kw)
        async with self.store.transaction() as tx:
            _, tr = commands.create_instance(definition, self.directory, cmd, code=code,
                                             serial_number=f"2023111400{next(self.serial):02d}", now=self.tick(),
                                             new_id=self.new_id)
            await tx.save_transition(tr, created=True)

    async def act(self, code: str, fn: Any, make: Any, user_id: str = "") -> None:
        """Run ``fn`` on instance ``code``; ``make(task_id)`` builds the command for ``user_id``'s pending task."""
        async with self.store.transaction() as tx:
            agg = await tx.load_aggregate(TENANT, code)
            assert agg is not None
            task = next((t for t in agg.tasks if t.status == PENDING and t.user_id == user_id), None)
            extra: dict[str, Any] = {}
            if fn is commands.specified_rollback:
                extra["timeline"] = await tx.timeline(TENANT, code)
            tr = fn(agg, self.directory, make(task.id if task else ""), now=self.tick(), new_id=self.new_id, **extra)
            await tx.save_transition(tr, created=False)

    async def approve(self, code: str, *users: str) -> None:
        for u in users:
            await self.act(code, commands.approve, lambda t, u=u: commands.TaskAction(t, u), u)


async def write(path: Path) -> None:
    w = Writer(path)
    await w.setup()
    chosen = {"a": ["bob", "carol"], "b": ["dave", "erin"]}

    # pending on an AND node whose approvers were chosen at submission: bob approved, carol still to
    await w.create(FLOW, "I-AND-CHOSEN", free_approvers=chosen, free_ccs={"d": ["vp"]})
    await w.approve("I-AND-CHOSEN", "bob")

    # a SEQUENTIAL node mid-way: dave approved, erin next, then vp
    await w.create(FLOW, "I-SEQUENTIAL", free_approvers={"a": ["bob"], "b": ["dave", "erin", "vp"]})
    await w.approve("I-SEQUENTIAL", "bob", "dave")

    # add-sign: bob adds vp before himself (any one of them), carol approves and adds cfo and ceo after (both)
    await w.create(FLOW, "I-ADD-SIGN", free_approvers=chosen)
    await w.act("I-ADD-SIGN", commands.add_sign, lambda t: commands.AddSign(t, "bob", ["vp"], 1, 1), "bob")
    await w.act("I-ADD-SIGN", commands.add_sign, lambda t: commands.AddSign(t, "carol", ["cfo", "ceo"], 2, 2),
                "carol")

    # add-sign alongside on the OR node: lead adds vp beside himself
    await w.create(FLOW, "I-ALONGSIDE", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.approve("I-ALONGSIDE", "bob", "dave")
    await w.act("I-ALONGSIDE", commands.add_sign, lambda t: commands.AddSign(t, "lead", ["vp"], 3), "lead")

    # a rollback from the OR node to nodes a and b, which now run side by side in round 1
    await w.create(FLOW, "I-ROLLBACK", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.approve("I-ROLLBACK", "bob", "dave")
    await w.act("I-ROLLBACK", commands.specified_rollback,
                lambda t: commands.SpecifiedRollback(t, "lead", ["a", "b"], "again"), "lead")

    # a transfer: bob hands his task at a to vp; bob CCs dave, who reads it
    await w.create(FLOW, "I-TRANSFER", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.act("I-TRANSFER", commands.transfer, lambda t: commands.Transfer(t, "bob", "vp"), "bob")
    await w.act("I-TRANSFER", commands.cc, lambda t: commands.Cc("bob", ["dave", "cfo"]))
    await w.act("I-TRANSFER", commands.mark_cc_read, lambda t: commands.CcRead("dave"))

    # past the CC node: the instance waits at d (ceo)
    await w.create(FLOW, "I-AFTER-CC", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.approve("I-AFTER-CC", "bob", "dave", "cfo")

    # handed back to the submitter by a rejection (reject_option 1)
    await w.create(BACK, "I-HANDED-BACK")
    await w.act("I-HANDED-BACK", commands.reject, lambda t: commands.TaskAction(t, "bob", "no"), "bob")

    # ended: approved (may be reverted), approved with forbid_revoke, rejected, canceled
    for code, forbid in (("I-APPROVED", False), ("I-APPROVED-NO-REVERT", True)):
        await w.create(FLOW, code, free_approvers={"a": ["bob"], "b": ["dave"]}, forbid_revoke=forbid)
        await w.approve(code, "bob", "dave", "lead", "ceo")
    await w.create(FLOW, "I-REJECTED", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.act("I-REJECTED", commands.reject, lambda t: commands.TaskAction(t, "bob"), "bob")
    await w.create(FLOW, "I-CANCELED", free_approvers={"a": ["bob"], "b": ["dave"]})
    await w.act("I-CANCELED", commands.cancel, lambda t: commands.Cancel("alice"))
    await w.store.close()


def main(target: str) -> None:
    path = Path(target)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    asyncio.run(write(path))
    conn = sqlite3.connect(path)  # fold the WAL into the one file that gets committed
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("VACUUM")
    conn.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(Path(__file__).with_name("written_by_0_1.sqlite")))
