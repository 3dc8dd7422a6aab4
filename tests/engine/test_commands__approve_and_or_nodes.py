"""Approve: AND nodes wait for everyone, OR nodes for one; events in the order Feishu sends them (the acting
task, the node's other tasks, the next node's tasks, CCs, the instance); CCs."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, node, personal


def test_and_node_waits_for_all_and_pushes_the_rest_as_pending_again() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol")), node("m", "AND", personal("erin"))]))
    tr = r.approve("bob")
    assert r.event_list(tr) == [("task", "APPROVED", "bob"), ("task", "PENDING", "carol")]
    tr = r.approve("carol")
    assert r.event_list(tr) == [("task", "APPROVED", "carol"), ("task", "PENDING", "erin")]
    tr = r.approve("erin")
    assert r.event_list(tr) == [("task", "APPROVED", "erin"), ("instance", "APPROVED", "")]
    assert r.agg.instance.end_time == r.now


def test_or_node_is_decided_by_one_approval() -> None:
    r = Run(definition([node("n", "OR", personal("bob", "carol")), node("m", "AND", personal("erin"))]))
    tr = r.approve("carol")
    assert r.event_list(tr) == [("task", "APPROVED", "carol"), ("task", "DONE", "bob"), ("task", "PENDING", "erin")]


def test_ccers_are_copied_when_their_node_is_done() -> None:
    r = Run(definition([node("n", "AND", personal("bob"), ccer=[{"type": "Personal", "user_id": "carol"}])]))
    assert commands.list_ccs(r.agg.instance) == []
    tr = r.approve("bob")
    assert r.event_list(tr) == [("task", "APPROVED", "bob"), ("cc", "CREATE", "carol"), ("instance", "APPROVED", "")]
    assert r.types()[-1] == "CC"
    assert [c.user_id for c in commands.list_ccs(r.agg.instance)] == ["carol"]


def test_cc_node_copies_without_tasks_and_the_flow_goes_on() -> None:
    r = Run(definition([node("cc", "CC_NODE", ccer=[{"type": "Supervisor", "level": "1"}]),
                        node("n", "AND", personal("bob"))]))
    assert r.types() == ["START", "CC"]
    assert r.timeline[-1].cc_user_ids == ["lead"]
    assert r.pending_users() == ["bob"]
    assert all(t.user_id != "lead" for t in r.agg.tasks)


def test_submitter_chosen_ccs_are_copied_at_their_node() -> None:
    r = Run(definition([node("n", "AND", personal("bob"))]), free_ccs={"n": ["erin"]})
    r.approve("bob")
    assert [c.user_id for c in commands.list_ccs(r.agg.instance)] == ["erin"]


def test_approving_twice_or_as_someone_else() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol"))]))
    task = r.task_of("bob")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.approve, commands.TaskAction(task.id, "carol"))
    r.approve("bob")
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.approve, commands.TaskAction(task.id, "bob"))
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.approve, commands.TaskAction("nope", "bob"))


def test_handwritten_signature_nodes_refuse() -> None:
    r = Run(definition([node("n", "AND", personal("bob"), require_signature=True)]))
    with pytest.raises(errors.HandwrittenSignatureRequired):
        r.approve("bob")


def test_a_bad_form_on_approve_changes_nothing() -> None:
    r = Run(definition([node("n", "AND", personal("bob"))]))
    with pytest.raises(errors.ParamInvalid):
        r.approve("bob", form='[{"id": "nope", "value": 1}]')
    assert r.pending_users() == ["bob"]
