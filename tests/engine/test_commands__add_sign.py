"""Add-sign before (1), after (2) and alongside (3), with OR (1) / AND (2) approval of the added users."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from shenpi.engine.transition import Transition
from tests.engine.helpers import Run, definition, free, node, personal


def add(r: Run, actor: str, users: list[str], kind: int, method: int = 0, comment: str = "") -> Transition:
    return r.run(commands.add_sign, commands.AddSign(r.task_of(actor).id, actor, users, kind, method, comment))


def two_nodes(node_type: str = "AND", *approvers: str) -> Run:
    return Run(definition([node("n", node_type, personal(*(approvers or ("bob",)))),
                           node("m", "AND", personal("lead"))]))


def test_before_added_users_approve_first_then_the_actor_again() -> None:
    r = two_nodes()
    bob = r.task_of("bob")
    tr = add(r, "bob", ["carol", "erin"], 1, 2, "check first")
    assert bob.status == "DONE"
    assert r.event_list(tr) == [("task", "DONE", "bob"), ("task", "PENDING", "carol"), ("task", "PENDING", "erin")]
    e = r.timeline[-1]
    assert (e.type, e.user_id, e.user_id_list, e.comment) == ("ADD_APPROVER_BEFORE", "bob", ["carol", "erin"],
                                                               "check first")
    assert {t.type for t in r.pending()} == {"AND"}
    r.approve("carol")
    assert r.pending_users() == ["erin"]
    r.approve("erin")
    assert r.pending_users() == ["bob"]
    assert r.task_of("bob").id != bob.id
    r.approve("bob")
    assert r.pending_users() == ["lead"]


def test_before_with_or_needs_one_added_user() -> None:
    r = two_nodes()
    add(r, "bob", ["carol", "erin"], 1, 1)
    assert {t.type for t in r.pending()} == {"OR"}
    tr = r.approve("erin")
    assert r.event_list(tr) == [("task", "APPROVED", "erin"), ("task", "DONE", "carol"), ("task", "PENDING", "bob")]


def test_after_the_actor_passes_then_the_added_users_approve() -> None:
    r = two_nodes()
    bob = r.task_of("bob")
    tr = add(r, "bob", ["carol", "erin"], 2, 1)
    assert bob.status == "APPROVED"
    assert r.event_list(tr) == [("task", "APPROVED", "bob"), ("task", "PENDING", "carol"), ("task", "PENDING", "erin")]
    assert r.timeline[-1].type == "ADD_APPROVER_AFTER"
    r.approve("carol")
    assert r.pending_users() == ["lead"]


def test_after_with_and_needs_every_added_user() -> None:
    r = two_nodes()
    add(r, "bob", ["carol", "erin"], 2, 2)
    r.approve("carol")
    assert r.pending_users() == ["erin"]
    r.approve("erin")
    assert r.pending_users() == ["lead"]


def test_alongside_in_an_and_node_everyone_approves() -> None:
    r = two_nodes()
    tr = add(r, "bob", ["carol"], 3)
    assert r.event_list(tr) == [("task", "PENDING", "carol")]
    assert r.timeline[-1].type == "ADD_APPROVER"
    assert r.task_of("carol").type == "AND"
    r.approve("bob")
    assert r.pending_users() == ["carol"]
    r.approve("carol")
    assert r.pending_users() == ["lead"]


def test_alongside_in_an_or_node_anyone_decides() -> None:
    r = two_nodes("OR", "bob", "dave")
    add(r, "bob", ["carol"], 3)
    tr = r.approve("carol")
    assert sorted(r.event_list(tr)[1:3]) == [("task", "DONE", "bob"), ("task", "DONE", "dave")]
    assert r.pending_users() == ["lead"]


def test_alongside_in_a_sequential_node_joins_the_current_step() -> None:
    r = Run(definition([node("s", "SEQUENTIAL", free())]), free_approvers={"s": ["bob", "lead"]})
    add(r, "bob", ["carol"], 3)
    r.approve("bob")
    assert r.pending_users() == ["carol"]
    r.approve("carol")
    assert r.pending_users() == ["lead"]


def test_before_inside_an_and_node_leaves_the_other_approver_alone() -> None:
    r = two_nodes("AND", "bob", "dave")
    add(r, "bob", ["carol"], 1, 1)
    assert sorted(r.pending_users()) == ["carol", "dave"]
    r.approve("dave")
    r.approve("carol")
    assert r.pending_users() == ["bob"]
    r.approve("bob")
    assert r.pending_users() == ["lead"]


def test_nested_add_signs() -> None:
    r = two_nodes()
    add(r, "bob", ["carol"], 1, 1)
    add(r, "carol", ["erin"], 2, 1)
    r.approve("erin")
    assert r.pending_users() == ["bob"]
    add(r, "bob", ["dave"], 3)
    r.approve("bob")
    r.approve("dave")
    assert r.pending_users() == ["lead"]


def test_transfer_of_an_added_task_keeps_its_place() -> None:
    r = two_nodes()
    add(r, "bob", ["carol"], 1, 1)
    r.run(commands.transfer, commands.Transfer(r.task_of("carol").id, "carol", "erin"))
    r.approve("erin")
    assert r.pending_users() == ["bob"]


@pytest.mark.parametrize(("users", "kind", "method", "error", "field"), [
    ([], 1, 1, errors.ParamInvalid, "add_sign_user_ids"),
    (["carol"], 4, 1, errors.ParamInvalid, "add_sign_type"),
    (["carol"], 1, 0, errors.ParamInvalid, "approval_method"),
    (["carol"], 2, 3, errors.ParamInvalid, "approval_method"),
    (["ghost"], 3, 0, errors.UserNotFound, "add_sign_user_ids"),
    (["bob"], 3, 0, errors.ParamInvalid, "add_sign_user_ids"),
    (["dave"], 1, 1, errors.ParamInvalid, "add_sign_user_ids"),
])
def test_add_sign_errors(users: list[str], kind: int, method: int, error: type[errors.DomainError],
                         field: str) -> None:
    r = two_nodes("AND", "bob", "dave")
    with pytest.raises(error) as e:
        add(r, "bob", users, kind, method)
    assert e.value.field == field
    assert sorted(r.pending_users()) == ["bob", "dave"]
    assert r.types() == ["START"]


def test_add_sign_needs_the_pending_task_of_the_actor() -> None:
    r = two_nodes()
    bob = r.task_of("bob")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.add_sign, commands.AddSign(bob.id, "carol", ["erin"], 3))
