"""Approval instances: create and get."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.users import to_internal
from shenpi.api.jsontypes import ms
from shenpi.api.wire import Call, Route
from shenpi.app import InstanceView
from shenpi.engine.commands import CreateInstance
from shenpi.engine.directory import Directory
from shenpi.engine.errors import NoOperationPermission, ParamInvalid, UserNotFound
from shenpi.engine.open_api_definition import default_text

_enc = msgspec.json.Encoder()


class NodeUsers(msgspec.Struct):
    key: str
    value: list[str] = []


class CreateBody(msgspec.Struct, omit_defaults=True):
    approval_code: str = ""
    user_id: str = ""
    open_id: str = ""
    department_id: str = ""
    form: str = ""
    node_approver_user_id_list: list[NodeUsers] = []
    node_approver_open_id_list: list[NodeUsers] = []
    node_cc_user_id_list: list[NodeUsers] = []
    node_cc_open_id_list: list[NodeUsers] = []
    uuid: str = ""
    title: str = ""
    allow_resubmit: bool = False
    allow_submit_again: bool = False
    cancel_bot_notification: int | str = 0
    forbid_revoke: bool = False
    title_display_method: int = 0
    i18n_resources: list[dict[str, Any]] | None = None


def _node_users(directory: Directory, by_user: list[NodeUsers], by_open: list[NodeUsers],
                field: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in by_user:
        out.setdefault(entry.key, []).extend(
            to_internal(directory, u, "user_id", field=f"{field.replace('*', 'user')}") for u in entry.value)
    for entry in by_open:
        out.setdefault(entry.key, []).extend(
            to_internal(directory, u, "open_id", field=f"{field.replace('*', 'open')}") for u in entry.value)
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


async def create(call: Call) -> dict[str, Any]:
    b: CreateBody = call.body(CreateBody)
    if not b.approval_code:
        raise ParamInvalid("approval_code is required", field="approval_code")
    if not b.form:
        raise ParamInvalid("form is required", field="form")
    if b.uuid and len(b.uuid) > 64:
        raise ParamInvalid("uuid must be 1-64 characters", field="uuid")
    directory = await call.directory()
    if b.user_id:
        user = directory.resolve(b.user_id, "user_id")
    elif b.open_id:
        user = directory.resolve(b.open_id, "open_id")
    else:
        raise ParamInvalid("one of user_id or open_id is required", field="user_id")
    if user is None:
        raise UserNotFound(f"submitter {b.user_id or b.open_id} not found", field="user_id" if b.user_id else "open_id")
    # The page makes title an @i18n@ key that i18n_resources gives a text; a plain title is still taken as written
    # (clients written against earlier shenpi send one), and a key is shown as its default locale's text.
    title = default_text(b.i18n_resources, b.title, "title") if b.title.startswith("@i18n@") else b.title
    cmd = CreateInstance(
        user_id=user.user_id,
        form=b.form,
        department_id=b.department_id,
        uuid=b.uuid,
        title=title,
        free_approvers=_node_users(directory, b.node_approver_user_id_list, b.node_approver_open_id_list,
                                   "node_approver_*_id_list"),
        free_ccs=_node_users(directory, b.node_cc_user_id_list, b.node_cc_open_id_list, "node_cc_*_id_list"),
        forbid_revoke=b.forbid_revoke,
    )
    inst = await call.svc.instances.create(call.tenant_key, b.approval_code, cmd)
    return {"instance_code": inst.code, "instance_link": f"{call.base_url}/instances/{inst.code}"}


def render_instance(view: InstanceView, directory: Directory, id_type: str, locale: str) -> dict[str, Any]:
    d, inst = view.definition, view.instance

    def ext(uid: str) -> str:
        return directory.external_id(uid, id_type)

    def oid(uid: str) -> str:
        return directory.external_id(uid, "open_id") if uid else ""

    nodes = {n.key: n for n in d.nodes}
    task_list = []
    for t in view.tasks:
        node = nodes.get(t.node_key)
        entry = {
            "id": t.id,
            "user_id": ext(t.user_id) if t.user_id else "",
            "open_id": oid(t.user_id),
            "status": t.status,
            "node_id": node.node_id if node else "",
            "node_name": d.text(node.name, locale) if node else t.node_key,
            "custom_node_id": t.node_key,
            "type": t.type,
            "start_time": ms(t.start_time),
            "end_time": ms(t.end_time),
        }
        task_list.append(entry)
    timeline = []
    for e in view.timeline:
        item: dict[str, Any] = {"type": e.type, "create_time": ms(e.create_time)}
        if e.user_id:
            item["user_id"], item["open_id"] = ext(e.user_id), oid(e.user_id)
        if e.task_id:
            item["task_id"] = e.task_id
        if e.comment:
            item["comment"] = e.comment
        if e.node_key:
            item["node_key"] = e.node_key
        if e.user_id_list:
            item["user_id_list"] = [ext(u) for u in e.user_id_list]
            item["open_id_list"] = [oid(u) for u in e.user_id_list]
        if e.cc_user_ids:
            item["cc_user_list"] = [{"user_id": ext(u), "open_id": oid(u), "cc_id": f"{inst.code}-{u}"}
                                    for u in e.cc_user_ids]
        ext_obj: dict[str, Any] = {}
        if e.user_id_list:
            ext_obj["user_id_list"] = [ext(u) for u in e.user_id_list]
            ext_obj["open_id_list"] = [oid(u) for u in e.user_id_list]
        if "user_id" in e.ext:
            ext_obj["user_id"] = ext(e.ext["user_id"])
            ext_obj["open_id"] = oid(e.ext["user_id"])
        item["ext"] = _enc.encode(ext_obj).decode() if ext_obj else "{}"
        timeline.append(item)
    form = []
    for value in inst.form:
        w = d.widget(value.get("id", ""))
        shown = dict(value)
        if w is not None and w.name:
            shown["name"] = d.text(w.name, locale)
        form.append(shown)
    return {
        "approval_name": d.text(d.name, locale),
        "approval_code": inst.approval_code,
        "instance_code": inst.code,
        "start_time": ms(inst.start_time),
        "end_time": ms(inst.end_time),
        "user_id": ext(inst.user_id),
        "open_id": oid(inst.user_id),
        "serial_number": inst.serial_number,
        "department_id": inst.department_id,
        "status": inst.status,
        "uuid": inst.uuid,
        "form": _enc.encode(form).decode(),
        "task_list": task_list,
        "comment_list": [],
        "timeline": timeline,
        "reverted": inst.reverted,
    }


def _participants(view: InstanceView) -> set[str]:
    """Who may see an instance: its submitter, and whoever its tasks and timeline name (approvers, CCs, people
    added or transferred to)."""
    users = {view.instance.user_id, *(t.user_id for t in view.tasks)}
    for e in view.timeline:
        users.update((e.user_id, *e.user_id_list, *e.cc_user_ids))
    return users - {""}


async def get(call: Call) -> dict[str, Any]:
    view = await call.svc.instances.get(call.tenant_key, call.path["instance_id"])
    directory = await call.directory()
    user_id = call.query.get("user_id", "")  # optional; clients send an empty one for "none"
    if user_id:
        user = directory.resolve(user_id, call.user_id_type)
        if user is None:
            raise UserNotFound(f"user_id {user_id} not found", field="user_id")
        if user.user_id not in _participants(view):
            raise NoOperationPermission(f"user {user_id} takes no part in instance {view.instance.code}",
                                        field="user_id")
    data = render_instance(view, directory, call.user_id_type, call.query.get("locale", ""))
    # Attachment and image widgets show their files as signed URLs (valid 12 hours), as Feishu's do.
    form = await call.svc.files.present_form(call.tenant_key, msgspec.json.decode(data["form"]), call.base_url)
    data["form"] = _enc.encode(form).decode()
    return data


ROUTES = [
    Route("POST", "/open-apis/approval/v4/instances", "approval.v4.instance.create", create, user_id_type=False),
    Route("GET", "/open-apis/approval/v4/instances/:instance_id", "approval.v4.instance.get", get),
]
