"""Instance comments, as their reference pages document the request: user_id is a required query parameter of
create, delete and list (optional for remove), the comment list's page_size is at most 1000, and each @mention
carries user_id, name and offset.

Pages (under https://open.feishu.cn/document/server-docs/approval-v4/instance-comment/): create, delete, list,
remove
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from lark_oapi.api.approval.v4 import (
    CommentAtInfo,
    CommentRequest,
    CreateInstanceCommentRequest,
    DeleteInstanceCommentRequest,
    ListInstanceCommentRequest,
    RemoveInstanceCommentRequest,
)

from tests.api.helpers import create_instance, get_instance

PARAM_INVALID = 1390001


def add(client: Any, inst: str, user: str | None = "alice", at: list[CommentAtInfo] | None = None) -> Any:
    body = CommentRequest.builder().content(json.dumps({"text": "@Bob look"}))
    if at is not None:
        body = body.at_info_list(at)
    req = CreateInstanceCommentRequest.builder().instance_id(inst).user_id_type("user_id")
    if user is not None:
        req = req.user_id(user)
    return client.approval.v4.instance_comment.create(req.request_body(body.build()).build())


def listing(client: Any, inst: str, user: str | None = "alice", page_size: int | None = None) -> Any:
    req = ListInstanceCommentRequest.builder().instance_id(inst).user_id_type("user_id")
    if user is not None:
        req = req.user_id(user)
    if page_size is not None:
        req = req.page_size(page_size)
    return client.approval.v4.instance_comment.list(req.build())


def test_create_needs_the_commenter(client):
    inst = create_instance(client)
    assert add(client, inst, user=None).code == PARAM_INVALID
    assert add(client, inst).code == 0


def test_delete_needs_the_user(client):
    inst = create_instance(client)
    cid = add(client, inst).data.comment_id
    req = DeleteInstanceCommentRequest.builder().instance_id(inst).comment_id(cid).user_id_type("user_id")
    assert client.approval.v4.instance_comment.delete(req.build()).code == PARAM_INVALID
    assert client.approval.v4.instance_comment.delete(req.user_id("alice").build()).code == 0


def test_list_needs_the_user(client):
    inst = create_instance(client)
    assert listing(client, inst, user=None).code == PARAM_INVALID
    assert listing(client, inst).code == 0


@pytest.mark.parametrize(("size", "code"), [(1, 0), (1000, 0), (1001, PARAM_INVALID)])
def test_list_page_size_is_at_most_1000(client, size, code):
    assert listing(client, create_instance(client), page_size=size).code == code


def test_remove_takes_user_id_as_optional(client):
    """The remove page makes user_id optional: left out, every comment goes all the same.
    Page: https://open.feishu.cn/document/server-docs/approval-v4/instance-comment/remove"""
    inst = create_instance(client)
    add(client, inst)
    req = RemoveInstanceCommentRequest.builder().instance_id(inst).build()
    resp = client.approval.v4.instance_comment.remove(req)
    assert (resp.code, resp.data.instance_id) == (0, inst), (resp.msg, resp.error)
    assert listing(client, inst).data.comments in (None, [])


def test_remove_with_a_user_id_type_outside_the_enum_is_1390001(client):
    """The remove page lists 1390001 for an invalid parameter; user_id_type is open_id, union_id or user_id."""
    inst = create_instance(client)
    add(client, inst)
    req = RemoveInstanceCommentRequest.builder().instance_id(inst).user_id_type("email").user_id("alice").build()
    assert client.approval.v4.instance_comment.remove(req).code == PARAM_INVALID
    assert len(listing(client, inst).data.comments) == 1


@pytest.mark.parametrize("missing", ["user_id", "name", "offset"])
def test_a_mention_without_user_id_name_or_offset_is_1390001(client, missing):
    inst = create_instance(client)
    b = CommentAtInfo.builder()
    for name, value in {"user_id": "bob", "name": "Bob", "offset": "0"}.items():
        if name != missing:
            b = getattr(b, name)(value)
    assert add(client, inst, at=[b.build()]).code == PARAM_INVALID
    assert add(client, inst, at=[CommentAtInfo.builder().user_id("bob").name("Bob").offset("0").build()]).code == 0


def test_mention_ids_follow_the_user_id_type_of_each_call(client):
    inst = create_instance(client)
    assert add(client, inst, at=[CommentAtInfo.builder().user_id("bob").name("Bob").offset("0").build()]).code == 0
    bob_open_id = get_instance(client, create_instance(client, user_id="bob"), "open_id").open_id
    req = (ListInstanceCommentRequest.builder().instance_id(inst).user_id_type("open_id")
           .user_id(get_instance(client, inst, "open_id").open_id).build())
    [comment] = client.approval.v4.instance_comment.list(req).data.comments
    assert comment.at_info_list[0].user_id == bob_open_id


def test_content_is_a_json_string_with_text_and_files(client):
    """content is a JSON string carrying text and files; it is answered back as sent. Something that is no JSON
    object is 1390001."""
    inst = create_instance(client)
    content = json.dumps({"text": "see the quote", "files": [{"url": "https://files.example/q.pdf",
                                                               "fileSize": 1024, "title": "q.pdf", "type": "attachment"}]})
    req = (CreateInstanceCommentRequest.builder().instance_id(inst).user_id_type("user_id").user_id("alice")
           .request_body(CommentRequest.builder().content(content).build()).build())
    assert client.approval.v4.instance_comment.create(req).code == 0
    [comment] = listing(client, inst).data.comments
    assert json.loads(comment.content) == json.loads(content)
    bad = (CreateInstanceCommentRequest.builder().instance_id(inst).user_id_type("user_id").user_id("alice")
           .request_body(CommentRequest.builder().content("see the quote").build()).build())
    assert client.approval.v4.instance_comment.create(bad).code == PARAM_INVALID


def test_instance_id_may_be_the_code_or_the_custom_id(client):
    """instance_id is the instance code or the custom id the instance was created with (its uuid)."""
    custom = f"custom-{uuid.uuid4().hex[:12]}"
    inst = create_instance(client, uuid=custom)
    assert add(client, custom).code == 0
    assert add(client, inst).code == 0
    assert len(listing(client, inst).data.comments) == 2


def test_list_answers_times_as_strings_and_is_delete_as_0_or_1(client):
    """The list page types create_time and update_time as strings of milliseconds and is_delete as 0 or 1."""
    inst = create_instance(client)
    add(client, inst)
    made = add(client, inst)
    req = (DeleteInstanceCommentRequest.builder().instance_id(inst).comment_id(made.data.comment_id)
           .user_id_type("user_id").user_id("alice").build())
    assert client.approval.v4.instance_comment.delete(req).code == 0
    raw = json.loads(listing(client, inst).raw.content)["data"]["comments"]
    assert sorted(c["is_delete"] for c in raw) == [0, 1]
    for c in raw:
        assert isinstance(c["create_time"], str) and c["create_time"].isdigit()
        assert isinstance(c["update_time"], str) and c["update_time"].isdigit()


@pytest.mark.parametrize("method", ["list", "delete", "remove"])
def test_an_unknown_instance_is_1390003_and_a_user_naming_nobody_1390004(client, method):
    """The comment pages list only 1390001; for an instance nobody has and a user_id naming nobody shenpi answers
    the codes the instance get page documents for the same conditions, 1390003 and 1390004 (HTTP 400).
    Pages: https://open.feishu.cn/document/server-docs/approval-v4/instance-comment/list (delete, remove) and
    https://open.feishu.cn/document/server-docs/approval-v4/instance/get"""
    inst = create_instance(client)
    cid = add(client, inst).data.comment_id

    def call(instance_id: str, user: str) -> Any:
        if method == "list":
            return listing(client, instance_id, user=user)
        if method == "delete":
            return client.approval.v4.instance_comment.delete(DeleteInstanceCommentRequest.builder().instance_id(
                instance_id).comment_id(cid).user_id_type("user_id").user_id(user).build())
        return client.approval.v4.instance_comment.remove(RemoveInstanceCommentRequest.builder().instance_id(
            instance_id).user_id_type("user_id").user_id(user).build())

    unknown, nobody = call("no-such-instance", "alice"), call(inst, "ghost")
    assert (unknown.code, unknown.raw.status_code) == (1390003, 400), unknown.msg
    assert (nobody.code, nobody.raw.status_code) == (1390004, 400), nobody.msg
