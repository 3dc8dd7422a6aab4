"""Reject with reject_option=1 hands the instance back to its submitter, who resubmits it."""

from __future__ import annotations

import pytest

from shenpi.engine import commands, errors
from tests.engine.helpers import Run, definition, form_json, node, personal


def returning(**extra_nodes: object) -> Run:
    d = definition([node("n", "AND", personal("bob", "carol")),
                    node("big", "AND", personal("cfo"), conditions=[{"widget": "days", "op": ">", "value": 3}]),
                    node("m", "AND", personal("erin"))], settings={"reject_option": 1})
    return Run(d, form=form_json(days=1))


def test_reject_sends_the_instance_back_to_the_submitter() -> None:
    r = returning()
    tr = r.reject("bob", "fix the dates")
    assert r.status == "PENDING"
    back = r.task_of("alice")
    assert (back.node_key, back.status, back.round) == ("START", "PENDING", 1)
    assert r.event_list(tr) == [("task", "REJECTED", "bob"), ("task", "DONE", "carol"), ("task", "PENDING", "alice")]
    assert r.types() == ["START", "REJECT"]


def test_resubmit_restarts_the_flow_on_the_new_form() -> None:
    r = returning()
    r.reject("bob")
    back = r.task_of("alice")
    tr = r.run(commands.resubmit, commands.TaskAction(back.id, "alice", "fixed", form_json(days=5)))
    assert r.types() == ["START", "REJECT", "PASS"]
    assert (r.timeline[-1].node_key, r.timeline[-1].user_id, r.timeline[-1].comment) == ("START", "alice", "fixed")
    assert back.status == "APPROVED"
    assert r.event_list(tr) == [("task", "APPROVED", "alice"), ("task", "PENDING", "bob"), ("task", "PENDING", "carol")]
    assert r.agg.instance.form[0]["value"] == 5
    r.approve("bob")
    r.approve("carol")
    assert r.pending_users() == ["cfo"]  # the branch now holds
    r.approve("cfo")
    r.approve("erin")
    assert r.status == "APPROVED"


def test_only_the_submitter_resubmits_and_only_a_returned_task() -> None:
    r = returning()
    bob = r.task_of("bob")
    with pytest.raises(errors.TaskNotFound):
        r.run(commands.resubmit, commands.TaskAction(bob.id, "bob", form=form_json(days=1)))
    r.reject("bob")
    back = r.task_of("alice")
    with pytest.raises(errors.NoOperationPermission):
        r.run(commands.resubmit, commands.TaskAction(back.id, "bob", form=form_json(days=1)))
    with pytest.raises(errors.ParamInvalid) as e:
        r.run(commands.resubmit, commands.TaskAction(back.id, "alice"))
    assert e.value.field == "form"
    with pytest.raises(errors.ParamInvalid):
        r.run(commands.resubmit, commands.TaskAction(back.id, "alice", form='[{"id": "ghost", "value": 1}]'))
    assert back.status == "PENDING"


def test_the_returned_task_cannot_be_approved_or_rejected() -> None:
    r = returning()
    r.reject("bob")
    back = r.task_of("alice")
    for fn in (commands.approve, commands.reject):
        with pytest.raises(errors.ParamInvalid) as e:
            r.run(fn, commands.TaskAction(back.id, "alice"))
        assert e.value.field == "task_id"


def test_the_submitter_may_cancel_instead() -> None:
    r = returning()
    r.reject("bob")
    r.run(commands.cancel, commands.Cancel("alice"))
    assert r.status == "CANCELED"
    assert not r.pending()
