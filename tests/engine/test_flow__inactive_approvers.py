"""A directory user who is not active (frozen, resigned, unactivated) is given no task: they are left out where they
would approve, and a node left with nobody follows its empty_approver rule; the contact v3 status of each state."""

from __future__ import annotations

import pytest

from shenpi.engine.directory import ACTIVE, FROZEN, RESIGNED, UNACTIVATED, Directory, feishu_status
from tests.engine.helpers import Run, definition, node, org, personal


def with_status(user_id: str, status: str) -> Directory:
    directory = org()
    directory.users[user_id].status = status
    return directory


@pytest.mark.parametrize("status", [FROZEN, RESIGNED, UNACTIVATED])
def test_a_departed_direct_leader_is_skipped_in_the_supervisor_chain(status: str) -> None:
    r = Run(definition([node("mgr", "AND", [{"type": "Supervisor", "level": "2"}])]), with_status("lead", status))
    assert r.pending_users() == ["vp"]


def test_a_personal_approver_who_resigned_leaves_the_node_to_its_empty_rule() -> None:
    passed = Run(definition([node("n", "AND", personal("carol"))]), with_status("carol", RESIGNED))
    assert passed.status == "APPROVED" and passed.types() == ["START", "AUTO_PASS"]
    rejected = Run(definition([node("n", "AND", personal("carol"), empty_approver="AUTO_REJECT")]),
                   with_status("carol", RESIGNED))
    assert rejected.status == "REJECTED"


def test_an_or_node_goes_on_with_the_active_approvers() -> None:
    r = Run(definition([node("n", "OR", personal("carol", "lead"))]), with_status("carol", FROZEN))
    assert r.pending_users() == ["lead"]


def test_an_active_approver_is_kept() -> None:
    r = Run(definition([node("n", "AND", personal("carol"))]), with_status("carol", ACTIVE))
    assert r.pending_users() == ["carol"]


def test_each_state_as_contact_v3_tells_it() -> None:
    assert feishu_status(ACTIVE) == {"is_frozen": False, "is_resigned": False, "is_activated": True,
                                     "is_exited": False, "is_unjoin": False}
    assert feishu_status(FROZEN)["is_frozen"] and feishu_status(FROZEN)["is_activated"]
    assert feishu_status(RESIGNED)["is_resigned"] and not feishu_status(RESIGNED)["is_activated"]
    assert feishu_status(UNACTIVATED)["is_unjoin"] and not feishu_status(UNACTIVATED)["is_activated"]
