"""Canaries: answers the response check must refuse. If one of them passed, the check would be blind to it.

Each starts from an answer of ``approval.v4.instance.get`` shaped as Feishu's page documents it
(https://open.feishu.cn/document/server-docs/approval-v4/instance/get), which both oracles accept, and breaks it one
way: a number where the SDK declares a string, a field nobody declares, a required field left out. One tsc run
checks them all, as the session's check does.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.oracles import check, contract, sdk_types
from tests.oracles.capture import Answer

GOOD: dict[str, Any] = {"code": 0, "msg": "success", "data": {
    "approval_name": "Leave", "approval_code": "LEAVE", "instance_code": "81D31358-93AF-92D6-7425-01A5D67C4E71",
    "start_time": "1564590532967", "end_time": "0", "user_id": "alice", "open_id": "ou_1", "serial_number": "202512020001",
    "department_id": "", "status": "PENDING", "uuid": "", "form": "[]", "reverted": False,
    "task_list": [{"id": "1234", "user_id": "bob", "open_id": "ou_2", "status": "PENDING", "node_id": "n1",
                   "node_name": "Boss", "custom_node_id": "boss", "type": "AND", "start_time": "1564590532967",
                   "end_time": "0"}],
    "comment_list": [],
    "timeline": [{"type": "START", "create_time": "1564590532967", "user_id": "alice", "open_id": "ou_1", "ext": "{}"}],
}}


def _broken(change: str) -> dict[str, Any]:
    body = copy.deepcopy(GOOD)
    data = body["data"]
    if change == "number for a string":
        data["task_list"][0]["start_time"] = 1564590532967
    elif change == "unknown field":
        data["timeline"][0]["approver_mood"] = "happy"
    elif change == "missing required field":
        del data["instance_code"]
    return body


CHANGES = ["number for a string", "unknown field", "missing required field"]
EXPECTED_TSC = {"number for a string": "TS2322", "unknown field": "TS2353", "missing required field": "TS2741"}


def test_the_node_sdk_types_refuse_each_canary_and_accept_the_good_answer() -> None:
    if not sdk_types.tsc_available():
        pytest.fail("node and tests/node's typescript are needed (cd tests/node && npm ci)")
    bodies = [("approval.v4.instance.get", GOOD)] + [("approval.v4.instance.get", _broken(c)) for c in CHANGES]
    errors = sdk_types.check(bodies)
    by_body: dict[int, list[str]] = {}
    for e in errors:
        by_body.setdefault(e.index, []).append(e.code)
    assert 0 not in by_body, errors  # the good answer passes
    for i, change in enumerate(CHANGES, start=1):
        assert by_body.get(i) == [EXPECTED_TSC[change]], (change, errors)


# A response schema in the contract's format (every object closed, the always-returned fields required), for
# the part of the answer the canaries touch.
SCHEMA: dict[str, Any] = {
    "type": "object", "additionalProperties": False,
    "required": ["approval_code", "instance_code", "start_time", "end_time", "task_list", "timeline"],
    "properties": {
        **{k: {"type": "string"} for k in ("approval_name", "approval_code", "instance_code", "start_time",
                                            "end_time", "user_id", "open_id", "serial_number", "department_id",
                                            "status", "uuid", "form")},
        "reverted": {"type": "boolean"}, "comment_list": {"type": "array"},
        "task_list": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
            k: {"type": "string"} for k in ("id", "user_id", "open_id", "status", "node_id", "node_name",
                                            "custom_node_id", "type", "start_time", "end_time")}}},
        "timeline": {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
            k: {"type": "string"} for k in ("type", "create_time", "user_id", "open_id", "ext")}}},
    },
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_contract_check_refuses_each_canary(change: str) -> None:
    assert contract.mismatches(SCHEMA, GOOD["data"]) == []
    found = contract.mismatches(SCHEMA, _broken(change)["data"])
    assert len(found) == 1, found


def test_the_session_check_reports_a_canary_by_endpoint() -> None:
    """The whole path the session's check takes: raw answers in, the endpoint named in the report."""
    answers = [Answer("http://x", "approval.v4.instance.get", 200, json.dumps(b).encode())
               for b in (GOOD, _broken("number for a string"))]
    if not sdk_types.tsc_available():
        pytest.fail("node and tests/node's typescript are needed (cd tests/node && npm ci)")
    report = check.check(answers)
    assert report.checked == 2
    [found] = report.problems[("node-sdk", "approval.v4.instance.get")]
    assert found.startswith("TS2322") and '"start_time": 1564590532967' in found
