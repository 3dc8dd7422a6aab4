"""A comment's @-ed users are named in the request's ``user_id_type``, both ways.

https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/create and
https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance-comment/list
"""

from __future__ import annotations

import json

import lark_oapi as lark
from lark_oapi.api.approval.v4 import CommentRequest, CreateInstanceCommentRequest, ListInstanceCommentRequest

from tests.api.helpers import create_instance


def _comment(client: lark.Client, code: str, at_user: str, id_type: str):  # type: ignore[no-untyped-def]
    body = CommentRequest({"content": json.dumps({"text": "@Alice please look"}),
                           "at_info_list": [{"user_id": at_user, "name": "Alice", "offset": "0"}]})
    me = "ou_alice" if id_type == "open_id" else "alice"
    return client.approval.v4.instance_comment.create(CreateInstanceCommentRequest.builder().instance_id(code)
                                                      .user_id_type(id_type).user_id(me).request_body(body).build())


def _at_ids(client: lark.Client, code: str, id_type: str) -> list[str]:
    me = {"open_id": "ou_alice", "union_id": "on_alice"}.get(id_type, "alice")
    resp = client.approval.v4.instance_comment.list(ListInstanceCommentRequest.builder().instance_id(code)
                                                    .user_id_type(id_type).user_id(me).build())
    assert resp.code == 0, resp.msg
    return [a.user_id for c in resp.data.comments for a in c.at_info_list or []]


def test_at_info_list_ids_follow_user_id_type(client: lark.Client) -> None:
    code = create_instance(client, "AND2")
    made = _comment(client, code, "ou_alice", "open_id")
    assert made.code == 0, (made.msg, made.error)
    assert _at_ids(client, code, "user_id") == ["alice"]
    assert _at_ids(client, code, "open_id") == ["ou_alice"]
    assert _at_ids(client, code, "union_id") == ["on_alice"]


def test_an_at_user_nobody_has_is_1390001(client: lark.Client) -> None:
    code = create_instance(client, "AND2")
    resp = _comment(client, code, "ou_nobody", "open_id")
    assert resp.code == 1390001
    assert resp.error["field_violations"][0]["field"] == "at_info_list[0].user_id"
