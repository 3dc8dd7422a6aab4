"""aPaaS ``user_task(s)``: a user's task lists and the helpers around one task (CC, expedite, roll back, chat).

Users are aPaaS (kunlun) ids; every caller error is ``2320001``. A "flow api id" is the approval code.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgspec

from shenpi.api.apaas_v1.users import ApaasParamInvalid, apaas_error, apaas_user
from shenpi.api.wire import Call, Route
from shenpi.app import InstanceView, SearchFilter
from shenpi.engine import commands
from shenpi.engine.model import INSTANCE_ENDED, PENDING, Task

_WORKFLOW_STATUS = {"PENDING": "in_process", "APPROVED": "agreed", "REJECTED": "rejected", "CANCELED": "canceled",
                    "DELETED": "deleted"}


async def _task_view(call: Call) -> tuple[Task, InstanceView]:
    return await call.svc.instances.get_with_task(call.tenant_key, call.path["task_id"])


def _ms(value: str, field: str) -> int:
    if not value:
        return 0
    if not _digits(value):
        raise ApaasParamInvalid(f"{field} must be a millisecond timestamp string", field=field)
    return int(value)


def _digits(value: str, most: int = 18) -> bool:
    """ASCII digits (str.isdigit takes other scripts' too) few enough for a 64-bit integer or a database offset."""
    return value.isascii() and value.isdigit() and len(value) <= most


_ARCHIVED_TASKS = ("APPROVED", "REJECTED", "TRANSFERRED", "DONE")


class QueryBody(msgspec.Struct):
    type: str = ""
    source: str = ""
    limit: str = ""
    offset: str = ""
    start_time: str = ""
    end_time: str = ""
    api_ids: list[str] = []
    kunlun_user_id: str = ""


async def query(call: Call) -> dict[str, Any]:
    b: QueryBody = call.body(QueryBody)
    user_id = await apaas_user(call, b.kunlun_user_id, "kunlun_user_id")
    if b.type and b.type not in ("pending", "archived"):
        raise ApaasParamInvalid("type must be pending or archived", field="type")
    if b.source and b.source not in ("fromMe", "assignMe", "CCMe"):
        raise ApaasParamInvalid("source must be fromMe, assignMe or CCMe", field="source")
    limit = int(b.limit) if _digits(b.limit) else 0 if b.limit else 20
    if not 1 <= limit <= 50:
        raise ApaasParamInvalid("limit must be between 1 and 50", field="limit")
    offset = int(b.offset) if _digits(b.offset, 9) else 0
    if len(b.api_ids) > 100:
        raise ApaasParamInvalid("api_ids takes at most 100 ids", field="api_ids")
    start, end = _ms(b.start_time, "start_time"), _ms(b.end_time, "end_time")
    directory = await call.directory()
    # type is optional (the page names no default): left out, pending and archived work are both listed.
    pending, archived = b.type in ("pending", ""), b.type in ("archived", "")
    # One list over every approval named (one named twice lists its work once), paged in the store: the rows
    # before the page are skipped by their sort keys, so a deep page reads what a first page reads.
    f = SearchFilter(user_id, approval_codes=tuple(dict.fromkeys(b.api_ids)), time_from=start, time_to=end)
    search = call.svc.search
    shown: list[tuple[str, int, Any]]  # (task id, start time, instance)
    if b.source == "fromMe":
        f = replace(f, statuses=() if pending and archived else ("PENDING",) if pending else tuple(sorted(INSTANCE_ENDED)))
        found = await search.instances(call.tenant_key, f, reverted=None, limit=limit, offset=offset)
        shown = [("", i.start_time, i) for i in found.page.items]
    elif b.source == "CCMe":
        f = replace(f, read_status="" if pending and archived else "UNREAD" if pending else "READ")
        found = await search.ccs(call.tenant_key, f, limit=limit, offset=offset)
        shown = [("", c.create_time, i) for c, i in found.page.items]
    else:
        f = replace(f, statuses=(("PENDING",) if pending else ()) + (_ARCHIVED_TASKS if archived else ()))
        found = await search.tasks(call.tenant_key, f, limit=limit, offset=offset)
        shown = [(t.id, t.start_time, i) for t, i in found.page.items]
    defs = found.definitions
    tasks = []
    for task_id, started, inst in shown:
        d = defs[inst.approval_code]
        starter = directory.user(inst.user_id)
        label = [{"language_code": "2052", "text": d.text(d.name, "zh-CN")}, {"language_code": "1033",
                  "text": d.text(d.name, "en-US")}] if d else []
        tasks.append({"task_id": task_id, "task_start_time": str(started),
                      "workflow_instance": {"id": inst.code, "label": label,
                                            "status": _WORKFLOW_STATUS.get(inst.status, "in_process")},
                      "initiator": {"user_id": starter.apaas_user_id if starter else "", "name": starter.name
                                    if starter else ""},
                      "summarys": []})
    return {"count": str(found.page.total), "tasks": tasks}


class OperatorBody(msgspec.Struct):
    operator_user_id: str = ""
    cc_user_ids: list[str] = []
    expediting_user_ids: list[str] = []
    opinion: str = ""
    to_task_id: str = ""
    invite_user_ids: list[str] = []
    chat_id: str = ""
    chat_name: str = ""


async def cc(call: Call) -> dict[str, Any]:
    b: OperatorBody = call.body(OperatorBody)
    operator = await apaas_user(call, b.operator_user_id, "operator_user_id")
    if not 1 <= len(b.cc_user_ids) <= 10:
        raise ApaasParamInvalid("cc_user_ids takes 1 to 10 users", field="cc_user_ids")
    users = [await apaas_user(call, u, "cc_user_ids") for u in b.cc_user_ids]
    task, view = await _task_view(call)
    await call.svc.instances.cc(call.tenant_key, commands.Cc(user_id=operator, cc_user_ids=users),
                                instance_code=view.instance.code)
    return {}


async def expediting(call: Call) -> dict[str, Any]:
    """催办: checked as Feishu checks it; each user named gets a reminder (in the inbox's bell, and by mail)."""
    b: OperatorBody = call.body(OperatorBody)
    operator = await apaas_user(call, b.operator_user_id, "operator_user_id")
    if not 1 <= len(b.expediting_user_ids) <= 20:
        raise ApaasParamInvalid("expediting_user_ids takes 1 to 20 users", field="expediting_user_ids")
    users = [await apaas_user(call, u, "expediting_user_ids") for u in b.expediting_user_ids]
    task, view = await _task_view(call)
    if task.status != PENDING or view.instance.status != PENDING:
        raise ApaasParamInvalid("only a pending task can be expedited", field="task_id")
    pending = {t.user_id for t in view.tasks if t.status == PENDING}
    if any(u not in pending for u in users):
        raise ApaasParamInvalid("expediting_user_ids must be assignees of pending tasks", field="expediting_user_ids")
    await call.svc.notifications.remind(call.tenant_key, operator, view.instance.code, users, b.opinion)
    return {}


def _points(task: Task, view: InstanceView) -> list[dict[str, Any]]:
    """Earlier approved tasks the flow can go back to (and the start), newest first."""
    order = [n.key for n in view.definition.nodes]
    here = order.index(task.node_key) if task.node_key in order else len(order)
    seen: set[str] = set()
    points = []
    for t in sorted(view.tasks, key=lambda t: -t.end_time):
        if (t.status == "APPROVED" and t.user_id and t.node_key in order and order.index(t.node_key) < here
                and t.node_key not in seen):
            seen.add(t.node_key)
            node = view.definition.node(t.node_key)
            name = view.definition.text(node.name, "zh-CN") if node else t.node_key
            points.append({"id": t.id, "activity_label": [{"language_code": "2052", "text": name}], "is_start": False})
    points.append({"id": "START", "activity_label": [{"language_code": "2052", "text": "发起"}], "is_start": True})
    return points


async def rollback_points(call: Call) -> dict[str, Any]:
    b: OperatorBody = call.body(OperatorBody)
    operator = await apaas_user(call, b.operator_user_id, "operator_user_id")
    task, view = await _task_view(call)
    if task.user_id != operator or task.status != PENDING:
        raise ApaasParamInvalid("the operator must be the assignee of this pending task", field="operator_user_id")
    return {"tasks": _points(task, view)}


async def rollback(call: Call) -> dict[str, Any]:
    b: OperatorBody = call.body(OperatorBody)
    operator = await apaas_user(call, b.operator_user_id, "operator_user_id")
    if not b.to_task_id or not b.opinion:
        raise ApaasParamInvalid("to_task_id and opinion are required", field="to_task_id" if not b.to_task_id
                                else "opinion")
    task, view = await _task_view(call)
    target = "START" if b.to_task_id == "START" else next(
        (t.node_key for t in view.tasks if t.id == b.to_task_id), "")
    if not target:
        raise ApaasParamInvalid(f"to_task_id {b.to_task_id} is not a task of this instance", field="to_task_id")
    cmd = commands.SpecifiedRollback(task_id=task.id, user_id=operator, task_def_key_list=[target], reason=b.opinion)
    await call.svc.instances.specified_rollback(call.tenant_key, cmd)
    return {}


async def chat_group(call: Call) -> dict[str, Any]:
    """A group chat about the task. shenpi has no chat; it answers with a stable chat id for the task, or the
    ``chat_id`` given, so integrations that only pass the id along keep working."""
    b: OperatorBody = call.body(OperatorBody)
    await apaas_user(call, b.operator_user_id, "operator_user_id")
    for u in b.invite_user_ids:
        await apaas_user(call, u, "invite_user_ids")
    task, _ = await _task_view(call)
    return {"chat_id": b.chat_id or f"oc_{task.id}"}


def _route(path: str, name: str, handler: Any) -> Route:
    return Route("POST", path, name, handler, errors=apaas_error, user_id_type=False)


ROUTES = [
    _route("/open-apis/apaas/v1/user_task/query", "apaas.v1.user_task.query", query),
    _route("/open-apis/apaas/v1/user_tasks/:task_id/cc", "apaas.v1.user_task.cc", cc),
    _route("/open-apis/apaas/v1/user_tasks/:task_id/expediting", "apaas.v1.user_task.expediting", expediting),
    _route("/open-apis/apaas/v1/user_tasks/:task_id/rollback", "apaas.v1.user_task.rollback", rollback),
    _route("/open-apis/apaas/v1/user_tasks/:task_id/rollback_points", "apaas.v1.user_task.rollback_points",
           rollback_points),
    _route("/open-apis/apaas/v1/user_tasks/:task_id/chat_group", "apaas.v1.user_task.chat_group", chat_group),
]
