"""The definition's plan (engine/plan.py) and the shortcuts the flow takes with it give what the general code gives.

Each shortcut is checked against the code it stands in for, on definitions hypothesis makes up: the lanes of an
all-Personal node against approvers.approver_lanes, a fresh node visit built directly against node_tree + settle,
node and widget lookups against Definition.node / Definition.widget and nodes.index, and the create check on
nodes that need chosen approvers against a walk over every node.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shenpi.engine import commands, errors, worktree
from shenpi.engine.approvers import approver_lanes
from shenpi.engine.flow import _lanes
from shenpi.engine.model import Instance
from shenpi.engine.plan import plan_of
from shenpi.engine.state import FlowState
from tests.engine.helpers import definition, free, node, org, personal

USERS = ["alice", "bob", "carol", "dave", "erin", "lead", "vp", "ceo", "cfo"]
STARTERS = ["", "STARTER", "AUTO_PASS", "SUPERVISOR", "DEPARTMENT_MANAGER"]


@st.composite
def approver_lists(draw: Any) -> list[dict[str, Any]]:
    """Mostly Personal (the plan's case), sometimes a leader or Free spec among them (the general case)."""
    specs = [{"type": "Personal", "user_id": u} for u in draw(st.lists(st.sampled_from(USERS), min_size=1,
                                                                           max_size=5))]
    extra = draw(st.sampled_from([None, "Supervisor", "DepartmentManager", "Free"]))
    if extra is not None:
        spec: dict[str, Any] = {"type": extra}
        if extra != "Free":
            spec["level"] = draw(st.integers(1, 3))
        specs.insert(draw(st.integers(0, len(specs))), spec)
    return specs


@st.composite
def node_lists(draw: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(1, 5))):
        approvers = draw(approver_lists())
        kind = draw(st.sampled_from(["AND", "OR"]))
        if all(a["type"] == "Free" for a in approvers) and draw(st.booleans()):
            kind = "SEQUENTIAL"
        out.append(node(f"n{i}", kind, approvers, starter_assignee=draw(st.sampled_from(STARTERS))))
    return out


def instance(user_id: str, chosen: dict[str, list[str]]) -> Instance:
    return Instance("acme", "INST", "LEAVE", user_id, "", "PENDING", [], 0,
                    state=FlowState(chosen_approvers=chosen))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nodes=node_lists(), submitter=st.sampled_from(USERS),
       chosen=st.lists(st.sampled_from(USERS), max_size=3))
def test_lanes_from_the_plan_are_the_resolved_lanes(nodes: list[dict[str, Any]], submitter: str,
                                                    chosen: list[str]) -> None:
    d = definition(nodes)
    directory = org()
    inst = instance(submitter, {n.key: list(chosen) for n in d.nodes})
    plan = plan_of(d)
    for np in plan.nodes:
        assert [list(lane) for lane in _lanes(np, inst, directory)] == approver_lanes(np.node, inst, directory)


@settings(max_examples=300, deadline=None)
@given(lanes=st.lists(st.lists(st.sampled_from(USERS), max_size=3), max_size=4),
       rule=st.sampled_from(["all", "any"]), task_type=st.sampled_from(["AND", "OR", "SEQUENTIAL"]))
def test_a_fresh_visit_built_directly_is_the_settled_tree(lanes: list[list[str]], rule: worktree.Rule,
                                                          task_type: str) -> None:
    def recorder(log: list[tuple[str, ...]]) -> tuple[worktree.OpenTask, worktree.CloseTask]:
        def open_task(user_id: str, kind: str) -> str:
            log.append(("open", user_id, kind))
            return f"t{len(log)}"

        def close_task(task_id: str) -> None:
            log.append(("close", task_id))

        return open_task, close_task

    general: list[tuple[str, ...]] = []
    tree = worktree.node_tree(lanes, rule, task_type)
    worktree.settle(tree, *recorder(general))
    direct: list[tuple[str, ...]] = []
    built = worktree.open_node_tree(lanes, rule, task_type, *recorder(direct))
    assert built == tree
    assert direct == general
    assert FlowState(open_visits={"n": built}) == FlowState(open_visits={"n": tree})


@settings(max_examples=100, deadline=None)
@given(nodes=node_lists(), probes=st.lists(st.text(max_size=4), max_size=3))
def test_lookups_match_the_definition(nodes: list[dict[str, Any]], probes: list[str]) -> None:
    d = definition(nodes)
    plan = plan_of(d)
    for key in [*(n.key for n in d.nodes), *(n.node_id for n in d.nodes), *probes, "START"]:
        assert plan.node(key) is d.node(key)
    for n in d.nodes:
        assert plan.index(n) == d.nodes.index(n)
    for w in [*(w.id for w in d.widgets), *probes]:
        assert plan.widgets.get(w) is d.widget(w)


def test_the_plan_is_built_once_and_again_for_new_nodes() -> None:
    d = definition([node("n0", "AND", personal("bob"))])
    plan = plan_of(d)
    assert plan_of(d) is plan
    d.nodes = list(d.nodes)  # a definition given other nodes gets a plan of those
    assert plan_of(d) is not plan


@pytest.mark.parametrize("chosen_for", [[], ["n1"], ["n2"], ["n1", "n2"]])
def test_create_refuses_the_first_node_whose_approvers_were_not_chosen(chosen_for: list[str]) -> None:
    d = definition([node("n0", "AND", personal("bob")), node("n1", "AND", free()), node("n2", "OR", free())])
    missing = [k for k in ("n1", "n2") if k not in chosen_for]
    cmd = commands.CreateInstance(user_id="alice", form=None, free_approvers={k: ["carol"] for k in chosen_for})
    if not missing:
        commands.create_instance(d, org(), cmd, code="I", serial_number="1", now=1, new_id=lambda: "t")
        return
    with pytest.raises(errors.ParamInvalid, match=f"node {missing[0]} needs approvers"):
        commands.create_instance(d, org(), cmd, code="I", serial_number="1", now=1, new_id=lambda: "t")
