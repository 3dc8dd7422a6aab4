"""Times and int64 ids go on the wire as JSON strings, as Feishu's reference pages and the typed SDKs have them.

https://open.feishu.cn/document/server-docs/approval-v4/instance/get types ``start_time``, ``end_time`` (``"0"``
while pending), task times and timeline ``create_time`` as strings;
https://open.feishu.cn/document/server-docs/approval-v4/approval/create types ``approval_id`` as a string;
https://open.feishu.cn/document/server-docs/approval-v4/approval-search/query types ``approval_id``, the
instance's times as strings. The Go SDK decodes these fields into ``*string`` and refuses a number.
"""

from __future__ import annotations

import json

import lark_oapi as lark
from lark_oapi.api.approval.v4 import GetInstanceRequest

from tests.api.helpers import create_instance


def _raw_get(client: lark.Client, code: str) -> dict:
    req = GetInstanceRequest.builder().instance_id(code).user_id_type("user_id").build()
    resp = client.approval.v4.instance.get(req)
    assert resp.code == 0, resp.msg
    return json.loads(resp.raw.content)["data"]


def test_instance_times_are_strings_and_end_time_is_0_while_pending(client):
    data = _raw_get(client, create_instance(client))
    assert isinstance(data["start_time"], str) and data["start_time"].isdigit() and int(data["start_time"]) > 0
    assert data["end_time"] == "0"
    for task in data["task_list"]:
        assert isinstance(task["start_time"], str) and task["end_time"] == "0"
    assert all(isinstance(e["create_time"], str) and e["create_time"].isdigit() for e in data["timeline"])


def test_search_answers_approval_id_and_times_as_strings(client):
    from lark_oapi.api.approval.v4 import InstanceSearch, QueryInstanceRequest

    code = create_instance(client)
    body = InstanceSearch.builder().approval_code("LEAVE").instance_code(code).build()
    resp = client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(body).build())
    assert resp.code == 0, resp.msg
    [entry] = json.loads(resp.raw.content)["data"]["instance_list"]
    assert isinstance(entry["approval"]["approval_id"], str) and entry["approval"]["approval_id"].isdigit()
    assert int(entry["approval"]["approval_id"]) > 2**53  # past what a JavaScript number holds exactly
    assert isinstance(entry["instance"]["start_time"], str) and entry["instance"]["end_time"] == "0"
