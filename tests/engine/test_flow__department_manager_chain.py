"""DepartmentManager approvers: the leaders of the submitter's department and its ancestors."""

from __future__ import annotations

from shenpi.engine.directory import Department, Directory, User
from tests.engine.helpers import Run, definition, node, org


def dm(level: int, top_down: bool = False) -> list[dict[str, object]]:
    return [{"type": "DepartmentManagerTopDown" if top_down else "DepartmentManager", "level": level}]


def test_level_one_is_the_department_leader() -> None:
    r = Run(definition([node("dm", "AND", dm(1))]))
    assert r.pending_users() == ["lead"]


def test_bottom_up_levels_walk_up_the_department_tree() -> None:
    r = Run(definition([node("dm", "AND", dm(3))]))
    for leader in ("lead", "vp", "ceo"):
        assert r.pending_users() == [leader]
        r.approve(leader)
    assert r.status == "APPROVED"


def test_top_down_starts_at_the_root_department() -> None:
    r = Run(definition([node("dm", "AND", dm(2, top_down=True))]))
    assert r.pending_users() == ["ceo"]
    r.approve("ceo")
    assert r.pending_users() == ["vp"]


def test_the_department_chosen_at_submission_decides() -> None:
    r = Run(definition([node("dm", "AND", dm(1))]), user_id="dave", department_id="fin")
    assert r.pending_users() == ["cfo"]
    r2 = Run(definition([node("dm", "AND", dm(1))]), user_id="dave")  # the first department by default
    assert r2.pending_users() == ["lead"]


def test_a_department_without_a_leader_adds_nobody() -> None:
    base = org()
    users = [*base.users.values(), User("zed", "Zed", "ou_z", "on_z", "ap_z", ["lab"], "")]
    deps = [*base.departments.values(), Department("lab", "Lab", "", "eng")]
    r = Run(definition([node("dm", "AND", dm(2))]), Directory("acme", users, deps), user_id="zed")
    assert r.pending_users() == ["vp"]  # lab has no leader; eng's leader is level 2


def test_the_submitter_leading_their_own_department_approves_by_default() -> None:
    r = Run(definition([node("dm", "AND", dm(1))]), user_id="lead")
    assert r.pending_users() == ["lead"]  # starter_assignee unset = STARTER
