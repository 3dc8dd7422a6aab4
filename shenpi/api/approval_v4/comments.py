"""Instance comments: create (and edit), list, delete, remove all; the commentator is ``?user_id``."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.bodies import whole_number
from shenpi.api.approval_v4.paging import next_token, page
from shenpi.api.approval_v4.users import to_internal
from shenpi.api.wire import Call, Route
from shenpi.engine.errors import ParamInvalid
from shenpi.store.records import Comment


class AtInfo(msgspec.Struct):
    user_id: str | int = ""
    name: str = ""
    offset: int | str = 0


class CommentRequest(msgspec.Struct):
    content: str = ""
    at_info_list: list[AtInfo] = []
    parent_comment_id: int | str = 0
    comment_id: int | str = 0
    disable_bot: bool = False
    extra: str = ""


async def _instance_code(call: Call) -> str:
    return await call.svc.instances.code_of(call.tenant_key, call.path["instance_id"])


async def _actor(call: Call) -> str:
    raw = call.query.get("user_id", "")
    if not raw:
        raise ParamInvalid("user_id is required", field="user_id")
    return to_internal(await call.directory(), raw, call.user_id_type, field="user_id")


async def create(call: Call) -> dict[str, Any]:
    b: CommentRequest = call.body(CommentRequest)
    code = await _instance_code(call)
    user_id = await _actor(call)
    if not b.content:
        raise ParamInvalid("content is required", field="content")
    try:
        content = msgspec.json.decode(b.content)
    except msgspec.DecodeError:
        raise ParamInvalid('content must be a JSON string like {"text": "..."}', field="content") from None
    if not isinstance(content, dict):
        raise ParamInvalid('content must be a JSON object like {"text": "..."}', field="content")
    directory = await call.directory()  # @-ed users are named in ?user_id_type, stored as tenant user ids
    at = [{"user_id": to_internal(directory, str(a.user_id), call.user_id_type, field=f"at_info_list[{i}].user_id",
                                  error=ParamInvalid), "name": a.name, "offset": str(a.offset)}
          for i, a in enumerate(b.at_info_list)]
    edit_id, parent = whole_number(b.comment_id, "comment_id"), whole_number(b.parent_comment_id, "parent_comment_id")
    if edit_id:
        await call.svc.comments.edit(call.tenant_key, code, user_id, edit_id, b.content, at_info_list=at,
                                     parent_comment_id=parent, extra=b.extra)
        return {"comment_id": str(edit_id)}
    new_id = await call.svc.comments.create(call.tenant_key, code, user_id, b.content, at_info_list=at,
                                            parent_comment_id=parent, extra=b.extra)
    return {"comment_id": str(new_id)}


def _render(c: Comment, call: Call, directory: Any) -> dict[str, Any]:
    return {"id": str(c.id), "content": c.content if not c.is_delete else "", "create_time": str(c.create_time),
            "update_time": str(c.update_time), "is_delete": c.is_delete,
            "at_info_list": [{**a, "user_id": directory.external_id(str(a.get("user_id", "")), call.user_id_type)}
                             for a in c.at_info_list],
            "commentator": directory.external_id(c.user_id, call.user_id_type), "extra": c.extra}


async def list_(call: Call) -> dict[str, Any]:
    code = await _instance_code(call)
    await _actor(call)
    offset, size = page(call.query, default=100, low=1, high=1000)
    directory = await call.directory()
    top, answers, more = await call.svc.comments.page(call.tenant_key, code, offset, size)
    replies: dict[int, list[dict[str, Any]]] = {}
    for c in answers:
        replies.setdefault(c.parent_comment_id, []).append(_render(c, call, directory))
    shown = [{**_render(c, call, directory), "replies": replies.get(c.id, [])} for c in top]
    return {"comments": shown, **next_token(offset, size, more)}


async def delete(call: Call) -> dict[str, Any]:
    code = await _instance_code(call)
    user_id = await _actor(call)
    comment_id = whole_number(call.path["comment_id"], "comment_id")
    await call.svc.comments.delete(call.tenant_key, code, user_id, comment_id)
    return {"comment_id": str(comment_id)}


async def remove(call: Call) -> dict[str, Any]:
    code = await _instance_code(call)
    if call.query.get("user_id"):  # optional here (the remove page), but a user_id given must name someone
        await _actor(call)
    await call.svc.comments.remove_all(call.tenant_key, code)
    return {"instance_id": code, "external_id": ""}


ROUTES = [
    Route("POST", "/open-apis/approval/v4/instances/:instance_id/comments", "approval.v4.instance_comment.create",
          create),
    Route("GET", "/open-apis/approval/v4/instances/:instance_id/comments", "approval.v4.instance_comment.list", list_),
    Route("DELETE", "/open-apis/approval/v4/instances/:instance_id/comments/:comment_id",
          "approval.v4.instance_comment.delete", delete),
    Route("POST", "/open-apis/approval/v4/instances/:instance_id/comments/remove",
          "approval.v4.instance_comment.remove", remove),
]
