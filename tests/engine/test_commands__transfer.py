"""Transfer: the task TRANSFERRED, a new PENDING task for the transferee at the same node."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, free, node, personal


def test_transfer_hands_the_task_over() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol")), node("m", "AND", personal("lead"))]))
    bob = r.task_of("bob")
    tr = r.run(commands.transfer, commands.Transfer(bob.id, "bob", "erin", "please"))
    assert bob.status == "TRANSFERRED"
    erin = r.task_of("erin")
    assert (erin.node_key, erin.type, erin.seq, erin.round) == ("n", "AND", bob.seq, 0)
    assert r.event_list(tr) == [("task", "TRANSFERRED", "bob"), ("task", "PENDING", "erin")]
    e = r.timeline[-1]
    assert (e.type, e.user_id, e.task_id, e.comment, e.user_id_list) == ("TRANSFER", "bob", bob.id, "please", ["erin"])
    assert e.ext == {"user_id_list": ["erin"]}
    r.approve("carol")
    r.approve("erin")
    assert r.pending_users() == ["lead"]


def test_transfer_in_a_sequential_node_keeps_the_order() -> None:
    r = Run(definition([node("s", "SEQUENTIAL", free())]), free_approvers={"s": ["bob", "carol"]})
    r.run(commands.transfer, commands.Transfer(r.task_of("bob").id, "bob", "erin"))
    r.approve("erin")
    assert r.pending_users() == ["carol"]


@pytest.mark.parametrize(("target", "error", "field"), [
    ("", errors.ParamInvalid, "transfer_user_id"),
    ("ghost", errors.UserNotFound, "transfer_user_id"),
    ("bob", errors.ParamInvalid, "transfer_user_id"),
    ("carol", errors.ParamInvalid, "transfer_user_id"),
])
def test_transfer_errors(target: str, error: type[errors.DomainError], field: str) -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol"))]))
    with pytest.raises(error) as e:
        r.run(commands.transfer, commands.Transfer(r.task_of("bob").id, "bob", target))
    assert e.value.field == field
    assert r.pending_users() == ["bob", "carol"]


def test_only_the_approver_transfers_a_pending_task() -> None:
    r = Run(definition([node("n", "AND", personal("bob"))]))
    bob = r.task_of("bob")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.transfer, commands.Transfer(bob.id, "carol", "erin"))
    r.approve("bob")
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.transfer, commands.Transfer(bob.id, "bob", "erin"))


def test_a_transfer_to_several_waits_for_the_first_of_them() -> None:
    """The aPaaS transfer names up to 20 new assignees; shenpi gives each the task and the first to act decides."""
    r = Run(definition([node("n", "AND", personal("bob", "carol")), node("m", "AND", personal("lead"))]))
    bob = r.task_of("bob")
    tr = r.run(commands.transfer, commands.Transfer(bob.id, "bob", "erin", also_to=["dave", "erin"]))
    assert r.event_list(tr) == [("task", "TRANSFERRED", "bob"), ("task", "PENDING", "erin"),
                                ("task", "PENDING", "dave")]
    assert r.timeline[-1].user_id_list == ["erin", "dave"]
    r.approve("dave")
    assert [t.status for t in r.agg.tasks if t.user_id == "erin"] == ["DONE"]
    assert r.pending_users() == ["carol"]  # the AND node still waits for carol's own place
    r.approve("carol")
    assert r.pending_users() == ["lead"]


def test_a_transfer_to_several_refuses_any_who_may_not_take_it() -> None:
    r = Run(definition([node("n", "AND", personal("bob", "carol"))]))
    for also, error in ((["carol"], errors.ParamInvalid), (["ghost"], errors.UserNotFound)):
        with pytest.raises(error):
            r.run(commands.transfer, commands.Transfer(r.task_of("bob").id, "bob", "erin", also_to=also))
    assert r.pending_users() == ["bob", "carol"]
