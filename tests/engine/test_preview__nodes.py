"""Preview: the nodes a submission would run through, with resolved approvers and CCs, creating nothing."""

from __future__ import annotations

import pytest

from shenpi.engine import errors
from shenpi.engine.model import Definition
from shenpi.engine.preview import PreviewRequest, preview, preview_instance
from tests.engine.helpers import Run, definition, form_json, free, node, org, personal


def flow() -> Definition:
    return definition([
        node("mgr", "AND", [{"type": "Supervisor", "level": "2"}], ccer=[{"type": "Personal", "user_id": "carol"}]),
        node("big", "OR", personal("cfo"), conditions=[{"widget": "days", "op": ">", "value": 3}]),
        node("pick", "SEQUENTIAL", free()),
        node("self", "AND", personal("alice"), starter_assignee="AUTO_PASS"),
        node("cc", "CC_NODE", ccer=[{"type": "Personal", "user_id": "erin"}]),
    ])


def test_preview_lists_the_nodes_the_flow_would_run() -> None:
    d = flow()
    nodes = preview(d, org(), PreviewRequest("alice", form=form_json(days=1), free_approvers={"pick": ["bob"]}))
    got = [(n.node_key, n.node_type, n.user_id_list, n.end_cc_id_list, n.is_empty_logic) for n in nodes]
    assert got == [
        ("START", "", [], [], False),
        ("mgr", "AND", ["lead", "vp"], ["carol"], False),
        ("pick", "SEQUENTIAL", ["bob"], [], False),
        ("self", "AUTO_PASS", [], [], True),
        ("cc", "", [], ["erin"], False),
        ("END", "", [], [], False),
    ]
    assert nodes[1].node_id == d.nodes[0].node_id
    assert nodes[2].is_approver_type_free and not nodes[1].is_approver_type_free
    assert (nodes[0].node_name, nodes[-1].node_name) == ("发起", "结束")


def test_preview_follows_the_branches_of_the_form() -> None:
    nodes = preview(flow(), org(), PreviewRequest("alice", form=form_json(days=5)))
    assert [n.node_key for n in nodes][:4] == ["START", "mgr", "big", "pick"]
    pick = nodes[3]
    assert (pick.user_id_list, pick.is_approver_type_free, pick.is_empty_logic) == ([], True, False)


def test_preview_stops_at_an_auto_reject() -> None:
    d = definition([node("n", "AND", [{"type": "Supervisor", "level": "1"}], empty_approver="AUTO_REJECT"),
                    node("m", "AND", personal("bob"))])
    nodes = preview(d, org(), PreviewRequest("ceo"))
    assert [(n.node_key, n.node_type) for n in nodes] == [("START", ""), ("n", "AUTO_REJECT"), ("END", "")]


def test_preview_free_ccs_and_department() -> None:
    d = definition([node("n", "AND", [{"type": "DepartmentManager", "level": "1"}])])
    nodes = preview(d, org(), PreviewRequest("dave", department_id="fin", free_ccs={"n": ["erin"]}))
    assert (nodes[1].user_id_list, nodes[1].end_cc_id_list, nodes[1].has_cc_type_free) == (["cfo"], ["erin"], True)


@pytest.mark.parametrize(("req", "error", "field"), [
    (PreviewRequest("ghost"), errors.UserNotFound, "user_id"),
    (PreviewRequest("alice", department_id="fin"), errors.ParamInvalid, "department_id"),
    (PreviewRequest("dave"), errors.ParamInvalid, "department_id"),
    (PreviewRequest("alice", form='[{"id": "x", "value": 1}]'), errors.ParamInvalid, "form[0]"),
    (PreviewRequest("alice", free_approvers={"nope": ["bob"]}), errors.ParamInvalid, "node_approver_user_id_list"),
    (PreviewRequest("alice", free_approvers={"pick": ["ghost"]}), errors.UserNotFound, "node_approver_user_id_list"),
])
def test_preview_errors(req: PreviewRequest, error: type[errors.DomainError], field: str) -> None:
    with pytest.raises(error) as e:
        preview(flow(), org(), req)
    assert e.value.field == field


def test_preview_of_an_existing_instance() -> None:
    r = Run(flow(), form=form_json(days=9), free_approvers={"pick": ["bob"]})
    nodes = preview_instance(r.agg, r.directory)
    assert [n.node_key for n in nodes] == ["START", "mgr", "big", "pick", "self", "cc", "END"]
    assert r.agg.tasks and all(t.node_key == "mgr" for t in r.agg.tasks)
