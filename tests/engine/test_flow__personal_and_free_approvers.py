"""Personal and Free (chosen at submission) approvers, and SEQUENTIAL order."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, free, node, org, personal


def test_personal_approvers_all_get_tasks_in_an_and_node() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol"))]))
    assert r.pending_users() == ["bob", "carol"]
    assert {t.type for t in r.pending()} == {"AND"}


def test_free_approvers_by_node_key_or_system_node_id() -> None:
    d = definition([node("n", "OR", free())])
    r = Run(d, free_approvers={"n": ["bob", "erin"]})
    assert r.pending_users() == ["bob", "erin"]
    r2 = Run(d, free_approvers={d.nodes[0].node_id: ["carol"]})
    assert r2.pending_users() == ["carol"]


def test_a_free_node_without_chosen_approvers_is_a_param_error() -> None:
    with pytest.raises(errors.ParamInvalid) as e:
        Run(definition([node("n", "AND", free())]))
    assert e.value.field == "node_approver_user_id_list"


def test_unknown_chosen_approver_or_cc_is_user_not_found() -> None:
    d = definition([node("n", "AND", free())])
    with pytest.raises(errors.UserNotFound):
        Run(d, free_approvers={"n": ["ghost"]})
    with pytest.raises(errors.UserNotFound) as e:
        Run(d, free_approvers={"n": ["bob"]}, free_ccs={"n": ["ghost"]})
    assert e.value.field == "node_cc_user_id_list"


def test_sequential_node_opens_one_task_at_a_time_in_the_chosen_order() -> None:
    r = Run(definition([node("s", "SEQUENTIAL", free())]), free_approvers={"s": ["erin", "bob", "carol"]})
    for u in ("erin", "bob", "carol"):
        assert r.pending_users() == [u]
        assert r.pending()[0].type == "SEQUENTIAL"
        r.approve(u)
    assert r.status == "APPROVED"


def test_a_repeated_approver_approves_once() -> None:
    r = Run(definition([node("n", "AND", [*personal("lead"), {"type": "Supervisor", "level": "1"}])]))
    assert r.pending_users() == ["lead"]


def test_create_checks_the_submitter_and_department() -> None:
    d = definition([node("n", "AND", personal("bob"))])
    with pytest.raises(errors.UserNotFound):
        commands.create_instance(d, org(), commands.CreateInstance("ghost", None), code="I", serial_number="1",
                                 now=1, new_id=lambda: "x")
    with pytest.raises(errors.ParamInvalid) as e:
        Run(d, department_id="fin")
    assert e.value.field == "department_id"


def test_an_inactive_definition_takes_no_instance() -> None:
    d = definition([node("n", "AND", personal("bob"))])
    d.status = "INACTIVE"
    with pytest.raises(errors.ApprovalNotActive):
        Run(d)
