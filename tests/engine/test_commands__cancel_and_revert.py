"""Cancel (撤回) a PENDING instance; revert (撤销) an APPROVED one within revert_interval."""

from __future__ import annotations

from typing import Any

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, node, personal


def run(settings: dict[str, Any] | None = None, **kw: Any) -> Run:
    return Run(definition([node("n", "AND", personal("bob", "carol")), node("m", "AND", personal("erin"))],
                          settings=settings), **kw)


def test_the_submitter_cancels_a_pending_instance() -> None:
    r = run()
    tr = r.run(commands.cancel, commands.Cancel("alice"))
    assert r.status == "CANCELED"
    assert r.agg.instance.end_time == r.now
    assert r.event_list(tr) == [("task", "DONE", "bob"), ("task", "DONE", "carol"), ("instance", "CANCELED", "")]
    assert (r.timeline[-1].type, r.timeline[-1].user_id) == ("CANCEL", "alice")
    assert not r.pending()


def test_only_the_submitter_cancels() -> None:
    r = run()
    with pytest.raises(errors.NoOperationPermission) as e:
        r.run(commands.cancel, commands.Cancel("bob"))
    assert e.value.field == "user_id"
    assert r.status == "PENDING"


def test_cancel_needs_cancel_enabled() -> None:
    r = run({"cancel_enabled": False})
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.cancel, commands.Cancel("alice"))


def test_revert_option_zero_forbids_cancel_once_a_node_passed() -> None:
    r = run({"revert_option": 0})
    r.approve("bob")
    r.approve("carol")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.cancel, commands.Cancel("alice"))
    r2 = run({"revert_option": 0})
    r2.run(commands.cancel, commands.Cancel("alice"))
    assert r2.status == "CANCELED"


def test_canceling_twice_says_reverted() -> None:
    r = run()
    r.run(commands.cancel, commands.Cancel("alice"))
    with pytest.raises(errors.InstanceReverted):
        r.run(commands.cancel, commands.Cancel("alice"))


def test_a_rejected_instance_cannot_be_canceled() -> None:
    r = run()
    r.reject("bob")
    with pytest.raises(errors.ParamInvalid):
        r.run(commands.cancel, commands.Cancel("alice"))


def approved(settings: dict[str, Any] | None = None) -> Run:
    r = run(settings)
    for u in ("bob", "carol", "erin"):
        r.approve(u)
    assert r.status == "APPROVED"
    return r


def test_revert_within_the_window() -> None:
    r = approved({"revert_interval": 60})
    tr = r.run(commands.cancel, commands.Cancel("alice", "oops"))  # cancel of an APPROVED instance reverts it
    inst = r.agg.instance
    assert (inst.status, inst.reverted, inst.end_time) == ("CANCELED", True, r.now)
    assert r.event_list(tr) == [("instance", "REVERTED", "")]
    assert (r.timeline[-1].type, r.timeline[-1].comment) == ("CANCEL", "oops")
    with pytest.raises(errors.InstanceReverted):
        r.run(commands.revert, commands.Cancel("alice"))


def test_revert_after_the_window_or_never() -> None:
    r = approved({"revert_interval": 1})
    r.now += 5000
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.revert, commands.Cancel("alice"))
    assert r.agg.instance.reverted is False
    r2 = approved({"revert_interval": 0})
    with pytest.raises(errors.NoOperationPermission):
        r2.run(commands.revert, commands.Cancel("alice"))


def test_revert_only_by_the_submitter_and_only_when_approved() -> None:
    r = approved()
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.revert, commands.Cancel("bob"))
    r2 = run()
    with pytest.raises(errors.ParamInvalid):
        r2.run(commands.revert, commands.Cancel("alice"))


def test_forbid_revoke_at_creation() -> None:
    d = definition([node("n", "AND", personal("bob"))])
    agg, _ = commands.create_instance(d, Run(d).directory, commands.CreateInstance("alice", None, forbid_revoke=True),
                                      code="I", serial_number="1", now=1, new_id=iter(["t1", "t2"]).__next__)
    commands.approve(agg, Run(d).directory, commands.TaskAction("t1", "bob"), now=2, new_id=lambda: "x")
    with pytest.raises(errors.NoOperationPermission):
        commands.revert(agg, Run(d).directory, commands.Cancel("alice"), now=3, new_id=lambda: "x")
