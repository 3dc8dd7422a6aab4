"""Instance comments: create, reply, edit, list, delete, remove."""

from __future__ import annotations

import json

from lark_oapi.api.approval.v4 import (
    CommentRequest,
    CreateInstanceCommentRequest,
    DeleteInstanceCommentRequest,
    ListInstanceCommentRequest,
    RemoveInstanceCommentRequest,
)

from tests.api.helpers import create_instance


def add(client, code, text, parent=None, user="alice", comment_id=None):
    b = CommentRequest.builder().content(json.dumps({"text": text}))
    if parent:
        b = b.parent_comment_id(parent)
    if comment_id:
        b = b.comment_id(comment_id)
    return client.approval.v4.instance_comment.create(
        CreateInstanceCommentRequest.builder().instance_id(code).user_id_type("user_id").user_id(user)
        .request_body(b.build()).build())


def listing(client, code):
    resp = client.approval.v4.instance_comment.list(
        ListInstanceCommentRequest.builder().instance_id(code).user_id_type("user_id").user_id("alice").build())
    assert resp.code == 0, resp.msg
    return resp.data.comments


def test_comment_lifecycle(client):
    code = create_instance(client)
    first = add(client, code, "hello")
    assert first.code == 0, first.msg
    cid = first.data.comment_id
    assert add(client, code, "a reply", parent=cid, user="bob").code == 0
    assert add(client, code, "hello, edited", comment_id=cid).code == 0
    [top] = listing(client, code)
    assert json.loads(top.content)["text"] == "hello, edited"
    assert top.commentator == "alice" and len(top.replies) == 1

    deleted = client.approval.v4.instance_comment.delete(
        DeleteInstanceCommentRequest.builder().instance_id(code).comment_id(cid).user_id_type("user_id")
        .user_id("alice").build())
    assert deleted.code == 0
    assert listing(client, code)[0].is_delete == 1

    removed = client.approval.v4.instance_comment.remove(
        RemoveInstanceCommentRequest.builder().instance_id(code).user_id_type("user_id").user_id("alice").build())
    assert removed.code == 0 and removed.data.instance_id == code
    assert listing(client, code) == []


def test_comment_errors(client):
    code = create_instance(client)
    assert add(client, "nope", "x").code == 1390003
    assert add(client, code, "x", user="ghost").code == 1390004
    bad = client.approval.v4.instance_comment.create(
        CreateInstanceCommentRequest.builder().instance_id(code).user_id_type("user_id").user_id("alice")
        .request_body(CommentRequest.builder().content("not json").build()).build())
    assert bad.code == 1390001


def test_pages_hold_top_level_comments_each_with_its_replies(client):
    """Pages count top-level comments only; every comment on a page carries its own replies, oldest first, and
    the pages followed by page_token hold each top-level comment once, in order."""
    code = create_instance(client)
    tops = []
    for n in range(7):
        tops.append(add(client, code, f"top {n}").data.comment_id)
        if n % 2:  # replies to earlier comments too, so a page's replies are not the rows beside it
            assert add(client, code, f"re {n} on 0", parent=tops[0], user="bob").code == 0
            assert add(client, code, f"re {n} on {n}", parent=tops[n], user="bob").code == 0
    seen, token, pages = [], "", 0
    while True:
        b = (ListInstanceCommentRequest.builder().instance_id(code).user_id_type("user_id").user_id("alice")
             .page_size(3))
        resp = client.approval.v4.instance_comment.list((b.page_token(token) if token else b).build())
        assert resp.code == 0, resp.msg
        pages += 1
        for c in resp.data.comments:
            n = int(json.loads(c.content)["text"].split()[1])
            want = [f"re {m} on 0" for m in range(1, 7, 2)] if n == 0 else [f"re {n} on {n}"] if n % 2 else []
            assert [json.loads(r.content)["text"] for r in c.replies or []] == want
            seen.append(c.id)
        data = json.loads(resp.raw.content)["data"]  # the SDK's type names only the comments
        if not data["has_more"]:
            break
        token = data["page_token"]
    assert seen == tops and pages == 3
