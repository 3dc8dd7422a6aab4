"""The approval v4 endpoints that act as the signed-in user (user_access_token): the user is the token's.

They mirror tenant-token operations: pass = approve, refuse = reject, forward = transfer, rollback =
specified rollback, add_sign, recall = cancel, add_cc = cc, detail = get, initiated / tasks = the user's lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec

from shenpi.api.approval_v4.entries import link
from shenpi.api.approval_v4.paging import keyset_page, keyset_token, query_int
from shenpi.api.approval_v4.search import PROCESS_STATUS, TASK_STATUS
from shenpi.api.approval_v4.users import to_internal
from shenpi.api.jsontypes import ms
from shenpi.api.wire import Call, Route, require
from shenpi.app import SearchFilter
from shenpi.engine import commands
from shenpi.engine.directory import Directory
from shenpi.engine.errors import ParamInvalid

USER = ("user",)


class OnInstance(msgspec.Struct):
    """A body naming an instance of the signed-in user's (recall takes nothing more)."""

    instance_code: str = ""


class OnTask(OnInstance):
    """A body naming one of the signed-in user's tasks, with the user's comment."""

    task_id: str = ""
    comment: str = ""


S = TypeVar("S", bound=OnInstance)


def _body(call: Call, struct: type[S], *required: str) -> S:
    """The decoded body; every body here names the instance first, then the fields ``required`` lists."""
    b: S = call.body(struct)
    require(b, "instance_code", *required)
    return b


async def _run(operation: Callable[..., Awaitable[Any]], call: Call, cmd: Any, b: OnInstance) -> dict[str, Any]:
    """Run ``operation`` (a method of ``svc.instances``) on the instance the body names, by its code or the uuid it
    was created with; the answer is empty."""
    code = await call.svc.instances.code_of(call.tenant_key, b.instance_code)
    await operation(call.tenant_key, cmd, instance_code=code)
    return {}


class PassBody(OnTask):
    form: str = ""


def _decision(call: Call) -> tuple[PassBody, commands.TaskAction]:
    """The body and command of a pass or refuse by the signed-in user."""
    b = _body(call, PassBody, "task_id")
    return b, commands.TaskAction(task_id=b.task_id, user_id=call.token.user_id, comment=b.comment,
                                  form=b.form or None)


async def pass_(call: Call) -> dict[str, Any]:
    b, cmd = _decision(call)
    return await _run(call.svc.instances.approve, call, cmd, b)


async def refuse(call: Call) -> dict[str, Any]:
    b, cmd = _decision(call)
    return await _run(call.svc.instances.reject, call, cmd, b)


class ForwardBody(OnTask):
    transfer_user_id: str | int = ""


async def forward(call: Call) -> dict[str, Any]:
    b = _body(call, ForwardBody, "task_id", "transfer_user_id")
    to = to_internal(await call.directory(), str(b.transfer_user_id), call.user_id_type, field="transfer_user_id")
    cmd = commands.Transfer(task_id=b.task_id, user_id=call.token.user_id, transfer_user_id=to, comment=b.comment)
    return await _run(call.svc.instances.transfer, call, cmd, b)


class RollbackBody(OnTask):
    node_ids: list[str] = []


async def rollback(call: Call) -> dict[str, Any]:
    b = _body(call, RollbackBody, "task_id", "node_ids")
    cmd = commands.SpecifiedRollback(task_id=b.task_id, user_id=call.token.user_id, task_def_key_list=b.node_ids,
                                     reason=b.comment)
    return await _run(call.svc.instances.specified_rollback, call, cmd, b)


class UserAddSignBody(OnTask):
    add_sign_user_ids: list[str | int] = []
    add_sign_type: int = 0
    approval_method: int = 0


def _users(directory: Directory, call: Call, ids: list[str | int], field: str) -> list[str]:
    return [to_internal(directory, str(u), call.user_id_type, field=field) for u in ids]


async def add_sign(call: Call) -> dict[str, Any]:
    b = _body(call, UserAddSignBody, "task_id", "add_sign_user_ids", "add_sign_type")
    cmd = commands.AddSign(task_id=b.task_id, user_id=call.token.user_id,
                           add_sign_user_ids=_users(await call.directory(), call, b.add_sign_user_ids,
                                                    "add_sign_user_ids"),
                           add_sign_type=b.add_sign_type, approval_method=b.approval_method, comment=b.comment)
    return await _run(call.svc.instances.add_sign, call, cmd, b)


async def recall(call: Call) -> dict[str, Any]:
    b = _body(call, OnInstance)
    return await _run(call.svc.instances.recall, call, commands.Cancel(user_id=call.token.user_id), b)


class AddCcBody(OnInstance):
    cc_user_ids: list[str | int] = []
    comment: str = ""


async def add_cc(call: Call) -> dict[str, Any]:
    b = _body(call, AddCcBody, "cc_user_ids")
    cmd = commands.Cc(user_id=call.token.user_id, comment=b.comment,
                      cc_user_ids=_users(await call.directory(), call, b.cc_user_ids, "cc_user_ids"))
    return await _run(call.svc.instances.cc, call, cmd, b)


class RemindBody(OnInstance):
    task_ids: list[str | int] = []
    comment: str = ""


async def remind(call: Call) -> dict[str, Any]:
    b = _body(call, RemindBody, "task_ids")
    await call.svc.instances.remind(call.tenant_key, call.token.user_id, b.instance_code,
                                    [str(t) for t in b.task_ids], b.comment)
    return {}


async def detail(call: Call) -> dict[str, Any]:
    code = call.query.get("instance_code", "")
    if not code:
        raise ParamInvalid("instance_code is required", field="instance_code")
    view = await call.svc.instances.get(call.tenant_key, code)
    directory = await call.directory()
    me = call.token.user_id
    involved = view.instance.user_id == me or any(t.user_id == me for t in view.tasks) or any(
        me in e.cc_user_ids for e in view.timeline)
    if not involved:
        raise ParamInvalid("the signed-in user has no part in this instance", field="instance_code")
    locale = call.query.get("locale", "")
    d, inst = view.definition, view.instance

    def ext(u: str) -> str:
        return directory.external_id(u, call.user_id_type) if u else ""

    nodes = {n.key: n for n in d.nodes}
    comments = await call.svc.comments.list(call.tenant_key, inst.code)
    current = [n for n in d.nodes if any(t.node_key == n.key and t.status == "PENDING" for t in view.tasks)]
    return {
        "definition_name": d.text(d.name, locale), "definition_code": d.code, "instance_code": inst.code,
        "start_time": ms(inst.start_time), "end_time": ms(inst.end_time), "user_id": ext(inst.user_id),
        "serial_number": inst.serial_number, "department_id": inst.department_id, "status": inst.status,
        "form": msgspec.json.encode(inst.form).decode(), "reverted": inst.reverted,
        "tasks": [{"id": t.id, "user_id": ext(t.user_id), "status": t.status,
                   "node_id": nodes[t.node_key].node_id if t.node_key in nodes else t.node_key,
                   "node_name": d.text(nodes[t.node_key].name, locale) if t.node_key in nodes else t.node_key,
                   "type": t.type, "start_time": ms(t.start_time), "end_time": ms(t.end_time)} for t in view.tasks],
        "comments": [{"id": str(c.id), "user_id": ext(c.user_id), "comment": c.content, "create_time": ms(c.create_time),
                      "files": []} for c in comments if not c.is_delete],
        "operation_records": [{"type": e.type, "create_time": ms(e.create_time), "user_id": ext(e.user_id),
                               "cc_user_ids": [ext(u) for u in e.cc_user_ids], "task_id": e.task_id,
                               "comment": e.comment, "node_id": nodes[e.node_key].node_id if e.node_key in nodes
                               else e.node_key, "files": []} for e in view.timeline],
        "current_nodes": [{"node_id": n.node_id, "node_name": d.text(n.name, locale), "type": n.node_type,
                           "approvers": [{"user_id": ext(t.user_id)} for t in view.tasks
                                         if t.node_key == n.key and t.status == "PENDING"]} for n in current],
    }


def _mine(call: Call, statuses: tuple[str, ...] = ()) -> SearchFilter:
    """The user token's own instances or tasks, narrowed by the query's definition code and start window."""
    return SearchFilter(call.token.user_id, call.query.get("definition_code", ""), statuses=statuses,
                        time_from=query_int(call.query, "start_timestamp"),
                        time_to=query_int(call.query, "end_timestamp"))


async def initiated(call: Call) -> dict[str, Any]:
    ask = keyset_page(call.query, kind="instances.initiated", default=20, low=1, high=100)
    directory = await call.directory()
    me = directory.user(call.token.user_id)
    found = await call.svc.search.instances(call.tenant_key, _mine(call), reverted=None, after=ask.after,
                                            limit=ask.size)
    defs = found.definitions
    items = []
    for inst in found.page.items:
        d = defs[inst.approval_code]
        items.append({"instance_status": PROCESS_STATUS.get(inst.status, "1"), "definition_code": inst.approval_code,
                      "initiator": directory.external_id(inst.user_id, call.user_id_type),
                      "initiator_name": me.name if me else "", "instance_code": inst.code,
                      "definition_group_id": "", "definition_group_name": "",
                      "definition_name": d.text(d.name, call.query.get("locale", "")) if d else "",
                      "summaries": [], "instance_external_id": "", "link": link(call, inst.code)["pc_link"]})
    return {"instances": items, "count": found.page.total,
            **keyset_token("instances.initiated", found.page.has_more, found.page.next)}


_TOPICS = {1: ("PENDING",), 2: ("APPROVED", "REJECTED", "TRANSFERRED")}


async def list_tasks(call: Call) -> dict[str, Any]:
    try:
        topic = int(call.query.get("topic", "1"))
    except ValueError:
        raise ParamInvalid("topic must be 1 (to do) or 2 (done)", field="topic") from None
    if topic not in _TOPICS:
        raise ParamInvalid("topic must be 1 (to do) or 2 (done)", field="topic")
    kind = f"tasks.user.{topic}"
    ask = keyset_page(call.query, kind=kind, default=20, low=1, high=100)
    directory = await call.directory()
    found = await call.svc.search.tasks(call.tenant_key, _mine(call, _TOPICS[topic]), after=ask.after,
                                        limit=ask.size)
    defs = found.definitions
    items = []
    for t, inst in found.page.items:
        d = defs[inst.approval_code]
        starter = directory.user(inst.user_id)
        name = d.text(d.name, call.query.get("locale", "")) if d else ""
        items.append({"topic": str(topic), "user_id": directory.external_id(t.user_id, call.user_id_type),
                      "title": inst.title or name, "status": TASK_STATUS.get(t.status, "2"),
                      "instance_status": PROCESS_STATUS.get(inst.status, "1"),
                      "definition_code": inst.approval_code,
                      "initiator": directory.external_id(inst.user_id, call.user_id_type),
                      "initiator_name": starter.name if starter else "", "task_id": t.id,
                      "instance_code": inst.code, "definition_group_id": "", "definition_group_name": "",
                      "definition_name": name, "summaries": [], "instance_external_id": "", "task_external_id": "",
                      "support_api_operate": True, "link": link(call, inst.code)["pc_link"]})
    return {"tasks": items, "count": found.page.total, **keyset_token(kind, found.page.has_more, found.page.next)}


class SubscriptionBody(msgspec.Struct):
    subscription_type: str = ""


def _subscription_type(value: str) -> str:
    if not value:
        raise ParamInvalid("subscription_type is required", field="subscription_type")
    return value


def _subscribe(kind: str) -> Any:
    """The signed-in user's subscription to ``kind`` (task or instance) notifications."""

    async def handler(call: Call) -> dict[str, Any]:
        stype = _subscription_type(call.body(SubscriptionBody).subscription_type)
        await call.svc.subscriptions.subscribe_user(call.tenant_key, call.token.user_id, kind, stype)
        return {}

    return handler


SUBSCRIPTION_TYPES = ("INVOLVED_APPROVAL", "MANAGED_APPROVAL")


def _unsubscribe(kind: str) -> Any:
    async def handler(call: Call) -> dict[str, Any]:
        # subscription_type is optional here (the SDK's declaration): left out, every type the user is subscribed
        # to goes.
        stype = call.query.get("subscription_type", "")
        await call.svc.subscriptions.unsubscribe_user(call.tenant_key, call.token.user_id, kind,
                                                      (stype,) if stype else SUBSCRIPTION_TYPES)
        return {}

    return handler


ROUTES = [
    Route("POST", "/open-apis/approval/v4/tasks/pass", "approval.v4.task.pass_", pass_, tokens=USER,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/tasks/refuse", "approval.v4.task.refuse", refuse, tokens=USER,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/tasks/forward", "approval.v4.task.forward", forward, tokens=USER),
    Route("POST", "/open-apis/approval/v4/tasks/rollback", "approval.v4.task.rollback", rollback, tokens=USER,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/tasks/add_sign", "approval.v4.task.add_sign", add_sign, tokens=USER),
    Route("GET", "/open-apis/approval/v4/tasks", "approval.v4.task.list", list_tasks, tokens=USER),
    Route("POST", "/open-apis/approval/v4/tasks/subscription", "approval.v4.task.subscription",
          _subscribe("task"), tokens=USER, user_id_type=False),
    Route("DELETE", "/open-apis/approval/v4/tasks/subscription", "approval.v4.task.unsubscription",
          _unsubscribe("task"), tokens=USER, user_id_type=False),
    Route("POST", "/open-apis/approval/v4/instances/recall", "approval.v4.instance.recall", recall, tokens=USER,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/instances/remind", "approval.v4.instance.remind", remind, tokens=USER,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/instances/add_cc", "approval.v4.instance.add_cc", add_cc, tokens=USER),
    Route("GET", "/open-apis/approval/v4/instances/detail", "approval.v4.instance.detail", detail, tokens=USER),
    Route("GET", "/open-apis/approval/v4/instances/initiated", "approval.v4.instance.initiated", initiated,
          tokens=USER),
    Route("POST", "/open-apis/approval/v4/instances/subscription", "approval.v4.instance.subscription",
          _subscribe("instance"), tokens=USER, user_id_type=False),
    Route("DELETE", "/open-apis/approval/v4/instances/subscription", "approval.v4.instance.unsubscription",
          _unsubscribe("instance"), tokens=USER, user_id_type=False),
]
