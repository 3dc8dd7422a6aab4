"""Supervisor approvers: level n is a chain of n leaders approving one after another."""

from __future__ import annotations

from tests.engine.helpers import Run, definition, node


def sup(level: int, top_down: bool = False) -> list[dict[str, object]]:
    return [{"type": "SupervisorTopDown" if top_down else "Supervisor", "level": str(level)}]


def test_level_one_is_the_direct_leader() -> None:
    r = Run(definition([node("mgr", "AND", sup(1))]))
    assert r.pending_users() == ["lead"]
    r.approve("lead")
    assert r.status == "APPROVED"


def test_bottom_up_chain_approves_nearest_first_one_at_a_time() -> None:
    r = Run(definition([node("mgr", "AND", sup(3))]))
    for leader in ("lead", "vp", "ceo"):
        assert r.pending_users() == [leader]
        r.approve(leader)
    assert r.status == "APPROVED"
    assert [t.seq for t in r.agg.tasks] == [0, 1, 2]


def test_top_down_chain_starts_at_the_highest_leader() -> None:
    r = Run(definition([node("mgr", "AND", sup(2, top_down=True))]))
    assert r.pending_users() == ["ceo"]
    r.approve("ceo")
    assert r.pending_users() == ["vp"]
    r.approve("vp")
    assert r.status == "APPROVED"


def test_a_chain_shorter_than_the_level_gives_the_leaders_there_are() -> None:
    r = Run(definition([node("mgr", "AND", sup(5))]), user_id="vp")
    assert r.pending_users() == ["ceo"]


def test_no_leader_at_all_auto_passes() -> None:
    r = Run(definition([node("mgr", "AND", sup(1))]), user_id="ceo")
    assert r.status == "APPROVED"
    assert r.types() == ["START", "AUTO_PASS"]


def test_chain_beside_a_personal_approver_in_an_or_node() -> None:
    r = Run(definition([node("mgr", "OR", [*sup(2), {"type": "Personal", "user_id": "carol"}])]))
    assert sorted(r.pending_users()) == ["carol", "lead"]
    r.approve("lead")  # the chain's lane is not finished: vp is next, carol still may decide
    assert sorted(r.pending_users()) == ["carol", "vp"]
    r.approve("carol")
    assert r.status == "APPROVED"
    assert [t.status for t in r.agg.tasks if t.user_id == "vp"] == ["DONE"]


def test_chain_in_an_and_node_needs_every_lane() -> None:
    r = Run(definition([node("mgr", "AND", [*sup(2), {"type": "Personal", "user_id": "carol"}])]))
    r.approve("carol")
    assert r.pending_users() == ["lead"]
    r.approve("lead")
    r.approve("vp")
    assert r.status == "APPROVED"
