"""A node whose approvers resolve to nobody: AUTO_PASS by default, AUTO_REJECT with the seed flag."""

from __future__ import annotations

import pytest

from shenpi.engine import errors
from tests.engine.helpers import Run, definition, node, personal

NOBODY = [{"type": "Supervisor", "level": "1"}]  # ceo has no leader


def test_empty_node_auto_passes_and_the_flow_goes_on() -> None:
    r = Run(definition([node("n", "AND", NOBODY), node("m", "AND", personal("bob"))]), user_id="ceo")
    assert r.types() == ["START", "AUTO_PASS"]
    assert r.pending_users() == ["bob"]
    assert r.event_list() == [("instance", "PENDING", ""), ("task", "APPROVED", ""), ("task", "PENDING", "bob")]


def test_empty_node_with_auto_reject_rejects_the_instance() -> None:
    r = Run(definition([node("n", "AND", NOBODY, empty_approver="AUTO_REJECT"), node("m", "AND", personal("bob"))]),
            user_id="ceo")
    assert r.status == "REJECTED"
    assert r.agg.instance.end_time == r.now
    assert r.types() == ["START", "AUTO_REJECT"]
    task = r.agg.tasks[0]
    assert (task.type, task.status, task.user_id) == ("AUTO_REJECT", "REJECTED", "")
    assert r.event_list() == [("instance", "PENDING", ""), ("task", "REJECTED", ""), ("instance", "REJECTED", "")]
    assert not r.pending()


def test_auto_reject_does_nothing_while_someone_approves() -> None:
    r = Run(definition([node("n", "AND", personal("bob"), empty_approver="AUTO_REJECT")]))
    assert r.pending_users() == ["bob"]


def test_empty_approver_takes_only_known_values() -> None:
    with pytest.raises(errors.ParamInvalid) as e:
        definition([node("n", "AND", NOBODY, empty_approver="MAYBE")])
    assert e.value.field == "node_list[1].empty_approver"
