"""A command that changes an instance's form assigns a new list and leaves the old one as it was; one that does not
change it keeps the very same list. The store relies on this to write an unchanged form's JSON without encoding it
again (rows.form_json: the JSON is reused while ``Instance.form`` is the list it encodes)."""

from __future__ import annotations

import copy

from shenpi.engine import commands
from tests.engine.helpers import Run, definition, form_json, node, personal


def leave() -> Run:
    d = definition([node("a", "AND", personal("bob")), node("b", "AND", personal("carol")),
                    node("c", "AND", personal("erin"))], settings={"reject_option": 1})
    return Run(d, form=form_json(reason="a trip", days=2))


def test_an_approval_with_values_assigns_a_new_form_and_leaves_the_old_one() -> None:
    run = leave()
    before = run.agg.instance.form
    kept = copy.deepcopy(before)
    run.approve("bob", form=form_json(days=3))
    after = run.agg.instance.form
    assert after is not before and before == kept
    assert {e["id"]: e["value"] for e in after} == {"reason": "a trip", "days": 3}


def test_an_approval_without_values_keeps_the_same_form() -> None:
    run = leave()
    before = run.agg.instance.form
    run.approve("bob")
    run.approve("carol", form="")
    assert run.agg.instance.form is before


def test_a_rejection_with_values_and_a_resubmit_assign_new_forms() -> None:
    run = leave()
    first = run.agg.instance.form
    kept_first = copy.deepcopy(first)
    run.run(commands.reject, commands.TaskAction(run.task_of("bob").id, "bob", "no", form_json(days=9)))
    second = run.agg.instance.form
    kept_second = copy.deepcopy(second)
    assert second is not first and first == kept_first
    assert {e["id"]: e["value"] for e in second} == {"reason": "a trip", "days": 9}
    run.run(commands.resubmit, commands.TaskAction(run.task_of("alice").id, "alice", "", form_json(reason="b")))
    assert run.agg.instance.form is not second and second == kept_second
    assert [(e["id"], e["value"]) for e in run.agg.instance.form] == [("reason", "b")]
