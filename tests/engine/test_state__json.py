"""The flow state's JSON: what is written reads back the same, and the dict of release 0.1.0 reads as typed."""

from __future__ import annotations

import json

from shenpi.engine.state import CcRecord, FlowState, decode_flow_state, encode_flow_state
from shenpi.engine.worktree import Group, TaskLeaf, node_tree, unopened


def test_what_is_written_reads_back() -> None:
    tree = node_tree([["bob", "carol"], ["dave"]], "any", "OR")
    tree.children[0] = Group("in_order", [TaskLeaf("t1", done=True), unopened(["vp"], "all", "AND")])
    state = FlowState(chosen_approvers={"a": ["bob"]}, revert_forbidden=True, open_visits={"a": tree},
                      next_node_index=2, ccs_when_done={"a": ["erin"]},
                      cc_records=[CcRecord("I-cc-1", "erin", "bob", 5, 0)])
    assert decode_flow_state(encode_flow_state(state)) == state
    assert decode_flow_state(encode_flow_state(FlowState())) == FlowState()
    assert encode_flow_state(FlowState()) == "{}"


def test_the_0_1_dict_reads_as_typed() -> None:
    old = {
        "free": {"a": ["bob", "carol"]}, "free_cc": {"d": ["vp"]}, "forbid_revoke": True, "resume": 1,
        "pending_cc": {"a": ["erin"]}, "queue": {},
        "active": {"a": {"k": "all", "c": [
            {"k": "seq", "c": [{"k": "all", "c": [{"k": "task", "id": "t1", "done": True}], "done": True}],
             "done": True},
            {"k": "seq", "c": [{"k": "any", "c": [{"k": "task", "id": "t2", "done": False}]},
                               {"k": "wait", "u": ["bob"], "m": "all", "t": "AND"}]}]}},
        "cc": [{"cc_id": "I-cc-1", "user_id": "dave", "from": "bob", "create_time": 7, "read_time": 9},
               {"cc_id": "I-cc-2", "user_id": "erin", "time": 8, "read": 0}],
    }
    state = decode_flow_state(json.dumps(old))
    assert state.chosen_approvers == {"a": ["bob", "carol"]} and state.chosen_ccs == {"d": ["vp"]}
    assert state.revert_forbidden and state.next_node_index == 1 and state.ccs_when_done == {"a": ["erin"]}
    assert state.cc_records == [CcRecord("I-cc-1", "dave", "bob", 7, 9), CcRecord("I-cc-2", "erin", "", 8, 0)]
    assert state.open_visits == {"a": Group("all", [
        Group("in_order", [Group("all", [TaskLeaf("t1", done=True)], done=True)], done=True),
        Group("in_order", [Group("any", [TaskLeaf("t2")]), unopened(["bob"], "all", "AND")]),
    ])}
    assert decode_flow_state('{"free": {}, "free_cc": {}}') == FlowState()
