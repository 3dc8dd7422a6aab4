"""Branch conditions on number, amount, radio, checkbox, dateInterval and the submitter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.engine.helpers import Run, definition, form_json, node, personal


def branchy(conditions: list[dict[str, Any]]) -> Any:
    """Node 'big' (carol) runs only when the conditions hold; 'always' (bob) always runs."""
    return definition([node("big", "AND", personal("carol"), conditions=conditions),
                       node("always", "AND", personal("bob"))])


def first_approver(conditions: list[dict[str, Any]], form: str | None = None, **kw: Any) -> str:
    return Run(branchy(conditions), form=form, **kw).pending_users()[0]


@pytest.mark.parametrize(("op", "value", "days", "runs"), [
    (">", 3, 5, True), (">", 3, 3, False), (">=", 3, 3, True), ("<", 3, 2, True), ("<=", 3, 4, False),
    ("==", 3, 3, True), ("!=", 3, 3, False), ("in", [1, 2], 2, True), ("not_in", [1, 2], 2, False),
])
def test_number(op: str, value: Any, days: int, runs: bool) -> None:
    got = first_approver([{"widget": "days", "op": op, "value": value}], form_json(days=days))
    assert got == ("carol" if runs else "bob")


def test_amount_compares_as_a_number() -> None:
    cond = [{"widget": "amount", "op": ">=", "value": 1000}]
    assert first_approver(cond, form_json(amount=1500.5)) == "carol"
    assert first_approver(cond, form_json(amount=999.99)) == "bob"


def test_radio_option() -> None:
    assert first_approver([{"widget": "kind", "op": "==", "value": "sick"}], form_json(kind="sick")) == "carol"
    assert first_approver([{"widget": "kind", "op": "==", "value": "sick"}], form_json(kind="annual")) == "bob"
    assert first_approver([{"widget": "kind", "op": "in", "value": ["annual"]}], form_json(kind="annual")) == "carol"


def test_checkbox_contains_in_not_in_and_equals() -> None:
    form = form_json(tags=["a"])
    assert first_approver([{"widget": "tags", "op": "contains", "value": "a"}], form) == "carol"
    assert first_approver([{"widget": "tags", "op": "contains", "value": "b"}], form) == "bob"
    assert first_approver([{"widget": "tags", "op": "in", "value": ["b", "a"]}], form) == "carol"
    assert first_approver([{"widget": "tags", "op": "not_in", "value": ["a"]}], form) == "bob"
    assert first_approver([{"widget": "tags", "op": "==", "value": ["a"]}], form) == "carol"


def test_date_interval_by_its_interval_or_its_span() -> None:
    cond = [{"widget": "period", "op": ">", "value": 2}]
    given = form_json(period={"start": "2024-01-01T00:00:00+08:00", "end": "2024-01-02T00:00:00+08:00",
                              "interval": 3.0})
    assert first_approver(cond, given) == "carol"
    span = form_json(period={"start": "2024-01-01T00:00:00+08:00", "end": "2024-01-02T12:00:00+08:00"})
    assert first_approver(cond, span) == "bob"  # 1.5 days
    long_span = form_json(period={"start": "2024-01-01T00:00:00Z", "end": "2024-01-05T00:00:00Z"})
    assert first_approver(cond, long_span) == "carol"


def test_submitter_by_user_or_department_including_ancestors() -> None:
    assert first_approver([{"widget": "__submitter__", "op": "==", "value": "alice"}]) == "carol"
    assert first_approver([{"widget": "__submitter__", "op": "==", "value": "alice"}], user_id="bob") == "bob"
    assert first_approver([{"widget": "__submitter__", "op": "in", "value": ["eng"]}]) == "carol"  # team ⊂ eng
    assert first_approver([{"widget": "__submitter__", "op": "in", "value": ["fin"]}]) == "bob"
    assert first_approver([{"widget": "__submitter__", "op": "not_in", "value": ["fin"]}]) == "carol"


def test_a_missing_widget_never_matches() -> None:
    assert first_approver([{"widget": "days", "op": ">", "value": 0}]) == "bob"
    assert first_approver([{"widget": "days", "op": "not_in", "value": [1]}]) == "bob"


def test_all_conditions_of_a_node_must_hold() -> None:
    conds: list[dict[str, Any]] = [{"widget": "days", "op": ">", "value": 1},
                                   {"widget": "kind", "op": "==", "value": "sick"}]
    assert first_approver(conds, form_json(days=2, kind="sick")) == "carol"
    assert first_approver(conds, form_json(days=2, kind="annual")) == "bob"


def test_text_against_a_number_does_not_match() -> None:
    d = definition([node("big", "AND", personal("carol"), conditions=[{"widget": "kind", "op": ">", "value": 3}]),
                    node("always", "AND", personal("bob"))])
    assert Run(d, form=json.dumps([{"id": "kind", "type": "radioV2", "value": "sick"}])).pending_users() == ["bob"]


def test_form_given_on_approve_routes_the_later_branches() -> None:
    d = definition([node("first", "AND", personal("erin")),
                    node("big", "AND", personal("carol"), conditions=[{"widget": "days", "op": ">", "value": 3}]),
                    node("always", "AND", personal("bob"))])
    r = Run(d, form=form_json(days=1))
    r.approve("erin", form=form_json(days=10))
    assert r.pending_users() == ["carol"]


@pytest.mark.parametrize(("op", "value", "runs"), [(">", 3, True), ("<=", 3, False), ("==", 5, True),
                                                  ("in", [4, 5], True), ("not_in", [5], False)])
def test_a_number_given_as_a_numeral_compares_as_a_number(op: str, value: Any, runs: bool) -> None:
    """Feishu's instance-create page sends a number widget's value as "4"; branches read it as the number.
    https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/create"""
    form = json.dumps([{"id": "days", "type": "number", "value": "5"}])
    assert first_approver([{"widget": "days", "op": op, "value": value}], form) == ("carol" if runs else "bob")
