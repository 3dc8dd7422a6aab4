"""Specified rollback: back to passed nodes (side by side, then on after the last) or to the submitter."""

from __future__ import annotations

from typing import Any

import pytest

from shenpi.engine import commands, errors
from shenpi.engine.transition import Transition
from tests.engine.helpers import Run, definition, form_json, node, personal


def three() -> Run:
    r = Run(definition([node("a", "AND", personal("bob")), node("b", "OR", personal("carol", "cfo")),
                        node("c", "AND", personal("lead")), node("d", "AND", personal("vp"))]))
    r.approve("bob")
    r.approve("carol")
    return r


def rollback(r: Run, actor: str, keys: list[str], reason: str = "", **kw: Any) -> Transition:
    return r.run(commands.specified_rollback,
                 commands.SpecifiedRollback(r.task_of(actor).id, actor, keys, reason), **kw)


def test_rollback_to_one_node_reruns_it_and_everything_after() -> None:
    r = three()
    lead = r.task_of("lead")
    tr = rollback(r, "lead", ["a"], "redo", timeline=r.timeline)
    a = r.agg.definition.node("a")
    assert a is not None
    extra = {"rollback_node_ids": [a.node_id], "rollback_custom_node_ids": ["a"]}
    assert lead.status == "DONE"
    assert [(e.kind, e.status, e.user_id, e.extra) for e in tr.events] == [
        ("task", "ROLLBACK", "lead", extra), ("task", "PENDING", "bob", {})]
    e = r.timeline[-1]
    assert (e.type, e.user_id, e.task_id, e.comment, e.node_key) == ("ROLLBACK_SELECTED", "lead", lead.id, "redo", "c")
    bob = r.task_of("bob")
    assert (bob.node_key, bob.round) == ("a", 1)
    assert r.agg.instance.round == 1
    r.approve("bob")
    assert sorted(r.pending_users()) == ["carol", "cfo"]
    r.approve("cfo")
    r.approve("lead")
    r.approve("vp")
    assert r.status == "APPROVED"


def test_rollback_to_several_nodes_runs_them_side_by_side_then_goes_on_after_the_last() -> None:
    r = three()
    r.approve("lead")
    rollback(r, "vp", ["a", "c"])
    assert sorted(r.pending_users()) == ["bob", "lead"]
    r.approve("lead")
    assert r.pending_users() == ["bob"]
    r.approve("bob")
    assert r.pending_users() == ["vp"]  # b is not run again: the flow goes on after c
    r.approve("vp")
    assert r.status == "APPROVED"


def test_rollback_to_start_hands_the_instance_back() -> None:
    r = three()
    tr = rollback(r, "lead", ["START"])
    assert [(e.status, e.user_id, e.extra) for e in tr.events] == [
        ("ROLLBACK", "lead", {"rollback_node_ids": ["START"], "rollback_custom_node_ids": ["START"]}),
        ("PENDING", "alice", {})]
    back = r.task_of("alice")
    assert back.node_key == "START"
    r.run(commands.resubmit, commands.TaskAction(back.id, "alice", form=form_json(days=1)))
    assert r.pending_users() == ["bob"]
    # after the resubmit, the PASS at START is in the timeline: the next rollback may name it again
    r.approve("bob")
    rollback(r, "carol", ["START"], timeline=r.timeline)
    assert r.pending_users() == ["alice"]


def test_every_pending_task_of_the_instance_is_rolled_back() -> None:
    r = Run(definition([node("a", "AND", personal("bob")), node("b", "AND", personal("carol", "erin"))]))
    r.approve("bob")
    tr = rollback(r, "carol", ["a"])
    assert [(e.status, e.user_id) for e in tr.events] == [("ROLLBACK", "carol"), ("ROLLBACK", "erin"),
                                                         ("PENDING", "bob")]
    assert {t.status for t in r.agg.tasks if t.node_key == "b"} == {"DONE"}


def test_system_node_ids_name_targets_too() -> None:
    r = three()
    a = r.agg.definition.node("a")
    assert a is not None
    rollback(r, "lead", [a.node_id])
    assert r.pending_users() == ["bob"]


@pytest.mark.parametrize("keys", [[], ["c"], ["d"], ["ghost"], ["a", "nope"]])
def test_targets_must_be_passed_nodes_before_the_current_one(keys: list[str]) -> None:
    r = three()
    with pytest.raises(errors.ParamInvalid) as e:
        rollback(r, "lead", keys)
    assert e.value.field == "task_def_key_list"
    assert r.pending_users() == ["lead"]


def test_an_auto_passed_node_is_not_a_target() -> None:
    r = Run(definition([node("a", "AND", [{"type": "Supervisor", "level": "1"}]), node("b", "AND", personal("bob"))]),
            user_id="ceo")
    with pytest.raises(errors.ParamInvalid):
        rollback(r, "bob", ["a"])


def test_only_the_approver_of_a_pending_task_rolls_back() -> None:
    r = three()
    lead = r.task_of("lead")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.specified_rollback, commands.SpecifiedRollback(lead.id, "bob", ["a"]))
    r.approve("lead")
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.specified_rollback, commands.SpecifiedRollback(lead.id, "lead", ["a"]))


def test_passed_node_keys_from_timeline_and_tasks() -> None:
    r = three()
    assert commands.passed_node_keys(r.agg) == ["START", "a", "b"]
    assert commands.passed_node_keys(r.agg, r.timeline) == ["START", "a", "b"]
