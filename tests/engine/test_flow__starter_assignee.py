"""starter_assignee: what happens where the submitter would approve their own request."""

from __future__ import annotations

from tests.engine.helpers import Run, definition, node, personal


def self_node(starter: str) -> dict[str, object]:
    return node("n", "AND", personal("alice"), starter_assignee=starter)


def test_starter_keeps_the_submitter_as_approver() -> None:
    assert Run(definition([self_node("STARTER")])).pending_users() == ["alice"]
    assert Run(definition([self_node("")])).pending_users() == ["alice"]


def test_auto_pass_drops_the_submitter_and_an_empty_node_auto_passes() -> None:
    r = Run(definition([self_node("AUTO_PASS"), node("m", "AND", personal("bob"))]))
    assert r.pending_users() == ["bob"]
    assert r.types() == ["START", "AUTO_PASS"]
    auto = r.agg.tasks[0]
    assert (auto.type, auto.status, auto.user_id, auto.node_key) == ("AUTO_PASS", "APPROVED", "", "n")


def test_auto_pass_keeps_the_other_approvers() -> None:
    r = Run(definition([node("n", "AND", personal("alice", "bob"), starter_assignee="AUTO_PASS")]))
    assert r.pending_users() == ["bob"]


def test_supervisor_stands_in_for_the_submitter() -> None:
    assert Run(definition([self_node("SUPERVISOR")])).pending_users() == ["lead"]


def test_department_manager_stands_in_skipping_the_submitter_as_leader() -> None:
    assert Run(definition([self_node("DEPARTMENT_MANAGER")])).pending_users() == ["lead"]
    r = Run(definition([node("n", "AND", personal("lead"), starter_assignee="DEPARTMENT_MANAGER")]), user_id="lead")
    assert r.pending_users() == ["vp"]


def test_a_stand_in_who_already_approves_is_not_doubled() -> None:
    r = Run(definition([node("n", "AND", personal("alice", "lead"), starter_assignee="SUPERVISOR")]))
    assert r.pending_users() == ["lead"]
