"""Random sequences of operations, valid and invalid, with the engine's invariants checked after every step."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import msgspec
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shenpi.engine import commands, worktree
from shenpi.engine.errors import DomainError
from shenpi.engine.model import APPROVED, CANCELED, INSTANCE_ENDED, PENDING, REJECTED, START_NODE, Aggregate
from shenpi.engine.state import decode_flow_state, encode_flow_state
from shenpi.engine.transition import Transition
from tests.engine.helpers import Run, definition, form_json, free, node, personal

USERS = ["alice", "bob", "carol", "erin", "dave", "lead", "vp", "ceo", "cfo", "ghost"]
OPS = ["approve", "reject", "transfer", "add_sign", "rollback", "cancel", "cc", "resubmit", "read"]
WEIGHTED_OPS = ["approve"] * 6 + ["add_sign"] * 2 + ["transfer", "rollback"] * 2 + OPS
KEYS = ["START", "a", "b", "c", "br", "d", "nope"]


def flow(reject_option: int, cancel_enabled: bool, revert_option: int, short: bool = False) -> Any:
    settings = {"reject_option": reject_option, "cancel_enabled": cancel_enabled, "revert_option": revert_option,
                "revert_interval": 3600}
    if short:  # two approvals from the end, so that random runs reach APPROVED (and revert) too
        return definition([node("a", "OR", personal("bob", "carol")), node("b", "AND", personal("lead"))],
                          settings=settings)
    return definition([
        node("a", "AND", personal("bob", "carol"), ccer=[{"type": "Personal", "user_id": "erin"}]),
        node("b", "OR", [{"type": "Supervisor", "level": "2"}, *personal("cfo")]),
        node("c", "SEQUENTIAL", free()),
        node("br", "AND", personal("ceo"), conditions=[{"widget": "days", "op": ">", "value": 5}]),
        node("cc", "CC_NODE", ccer=[{"type": "Personal", "user_id": "carol"}]),
        node("d", "AND", [{"type": "DepartmentManager", "level": "1"}], starter_assignee="AUTO_PASS"),
    ], settings=settings)


step = st.tuples(
    st.sampled_from(WEIGHTED_OPS),
    st.one_of(st.just(0), st.integers(0, 2), st.integers(0, 40)),  # which task: pending tasks come first
    st.one_of(st.just(0), st.just(0), st.integers(1, len(USERS))),  # actor: 0 = the task's own user, else USERS[i - 1]
    st.lists(st.integers(0, len(USERS) - 1), max_size=3),  # users to add / cc / transfer to
    st.one_of(st.integers(1, 3), st.integers(0, 4)),  # add_sign_type
    st.one_of(st.integers(1, 2), st.integers(0, 3)),  # approval_method
    st.lists(st.sampled_from(KEYS), min_size=1, max_size=3),  # rollback targets
    st.integers(0, 10),  # days on a resubmitted form
)


def reload(agg: Aggregate) -> Aggregate:
    """The aggregate as the store would load it again: state through JSON, tasks in (start_time, id) order."""
    inst = dataclasses.replace(agg.instance, state=decode_flow_state(encode_flow_state(agg.instance.state)),
                               form=json.loads(json.dumps(agg.instance.form)))
    tasks = sorted((msgspec.structs.replace(t) for t in agg.tasks), key=lambda t: (t.start_time, t.id))
    return Aggregate(definition=agg.definition, instance=inst, tasks=tasks)


def snapshot(agg: Aggregate) -> str:
    inst = agg.instance
    return json.dumps([inst.status, inst.form, inst.end_time, inst.node_index, inst.round, inst.reverted,
                       encode_flow_state(inst.state),
                       [(t.id, t.status, t.end_time, t.user_id) for t in agg.tasks]], sort_keys=True, default=str)


def pending_leaves(agg: Aggregate) -> set[str]:
    out: set[str] = set()
    for tree in agg.instance.state.open_visits.values():
        out |= {lf.task_id for lf in worktree.leaves(tree) if not lf.done}
    return out


def act(r: Run, op: str, ti: int, ai: int, us: list[int], kind: int, method: int, keys: list[str], days: int) -> Transition:
    tasks = r.pending() + r.agg.tasks
    task = tasks[ti % len(tasks)] if tasks else None
    task_id = task.id if task else "none"
    actor = (task.user_id if task else "alice") if ai == 0 else USERS[ai - 1]
    users = [USERS[u] for u in us]
    if op == "approve":
        return r.run(commands.approve, commands.TaskAction(task_id, actor))
    if op == "reject":
        return r.run(commands.reject, commands.TaskAction(task_id, actor))
    if op == "transfer":
        return r.run(commands.transfer, commands.Transfer(task_id, actor, users[0] if users else ""))
    if op == "add_sign":
        return r.run(commands.add_sign, commands.AddSign(task_id, actor, users, kind, method))
    if op == "rollback":
        return r.run(commands.specified_rollback, commands.SpecifiedRollback(task_id, actor, keys), timeline=r.timeline)
    if op == "cancel":
        return r.run(commands.cancel, commands.Cancel("alice" if ai == 0 else actor))
    if op == "cc":
        return r.run(commands.cc, commands.Cc(actor, users))
    if op == "resubmit":
        return r.run(commands.resubmit, commands.TaskAction(task_id, "alice" if ai == 0 else actor,
                                                            form=form_json(days=days)))
    return r.run(commands.mark_cc_read, commands.CcRead(actor))


# database=None: no example database in the work tree; a failure prints its falsifying example to replay.
@settings(max_examples=800, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    reject_option=st.integers(0, 1),
    cancel_enabled=st.booleans(),
    revert_option=st.integers(0, 1),
    days=st.integers(0, 10),
    short=st.booleans(),
    steps=st.lists(step, min_size=5, max_size=40),
)
def test_invariants_hold_after_every_operation(reject_option: int, cancel_enabled: bool, revert_option: int,
                                               days: int, short: bool, steps: list[Any]) -> None:
    d = flow(reject_option, cancel_enabled, revert_option, short)
    r = Run(d, form=form_json(days=days), free_approvers={} if short else {"c": ["erin", "dave"]})
    keys = [n.key for n in d.nodes]
    reached = r.agg.instance.node_index
    closed: dict[str, tuple[str, int]] = {}
    timeline_seen: list[str] = [repr(e) for e in r.timeline]
    statuses = [r.status]
    for s in steps:
        before = snapshot(r.agg)
        before_tasks = len(r.agg.tasks)
        try:
            tr = act(r, *s)
        except DomainError as e:
            event(f"refused {s[0]} {type(e).__name__}")
            assert snapshot(r.agg) == before, f"a refused {s[0]} changed the instance"
            assert len(r.agg.tasks) == before_tasks
            continue
        event(f"done {s[0]}")
        agg, inst = r.agg, r.agg.instance
        reached = max(reached, inst.node_index)
        statuses.append(inst.status)

        # an ended instance has no pending task; a PENDING one always has someone to act
        pending = [t for t in agg.tasks if t.status == PENDING]
        if inst.status in INSTANCE_ENDED:
            assert not pending, commands.describe(agg)
        else:
            assert pending, commands.describe(agg)
            # every pending approval task is an open leaf of the work trees, and the other way round
            assert {t.id for t in pending if t.node_key != START_NODE} == pending_leaves(agg)

        # a REJECTED instance never becomes anything else; APPROVED only turns CANCELED (reverted)
        for prev, cur in zip(statuses, statuses[1:], strict=False):
            if prev == REJECTED:
                assert cur == REJECTED
            if prev == APPROVED:
                assert cur in (APPROVED, CANCELED)
            if prev == CANCELED:
                assert cur == CANCELED

        # each task is acted on at most once: once it leaves PENDING it never changes again
        for t in agg.tasks:
            if t.status != PENDING:
                assert closed.setdefault(t.id, (t.status, t.end_time)) == (t.status, t.end_time), t
                assert t.end_time >= t.start_time
        assert len({t.id for t in agg.tasks}) == len(agg.tasks)

        # the timeline only grows, and what was written stays as it was
        assert [repr(e) for e in r.timeline[: len(timeline_seen)]] == timeline_seen
        assert len(r.timeline) >= len(timeline_seen)
        timeline_seen = [repr(e) for e in r.timeline]

        # every task belongs to a node the instance reached
        for t in agg.tasks:
            assert t.node_key == START_NODE or t.node_key in keys
            if t.node_key != START_NODE:
                assert keys.index(t.node_key) <= reached
                assert t.round <= inst.round

        # events name tasks that exist
        ids = {t.id for t in agg.tasks}
        assert all(e.task_id in ids for e in tr.events if e.kind == "task")

        # the next step starts from what the store would load
        r.agg = reload(agg)
    event(f"ended {r.status} reverted={r.agg.instance.reverted} round>0={r.agg.instance.round > 0}")
    if r.status in INSTANCE_ENDED:
        assert r.agg.instance.end_time > 0
