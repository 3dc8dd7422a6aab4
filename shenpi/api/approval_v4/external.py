"""External (三方) approvals: definitions, instances and their tasks, stored and listed as sent (domain.md §6.6).

An external instance's ``update_mode`` is ``REPLACE`` (the default: the new body replaces the stored one) or
``UPDATE`` (only a newer ``update_time`` overwrites, and its tasks merge into the stored ones by ``task_id``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.paging import next_token, page
from shenpi.api.wire import Call, Route
from shenpi.engine.errors import ApprovalNotFound, ParamInvalid

_INSTANCE_STATUSES = ("PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED", "HIDDEN", "TERMINATED")
_TASK_STATUSES = ("PENDING", "APPROVED", "REJECTED", "TRANSFERRED", "DONE")


def _req(body: dict[str, Any], key: str, where: str = "") -> str:
    v = body.get(key)
    if not isinstance(v, str) or not v:
        raise ParamInvalid(f"{where}{key} is required", field=f"{where}{key}")
    return v


async def create_approval(call: Call) -> dict[str, Any]:
    body = call.json_object()
    code = _req(body, "approval_code")
    _req(body, "approval_name")
    _req(body, "group_code")
    if not isinstance(body.get("external"), dict):
        raise ParamInvalid("external is required", field="external")
    async with call.svc.store.transaction() as tx:
        await tx.put_external_approval(call.tenant_key, code, body, call.svc.clock.now_ms())
    return {"approval_code": code}


async def get_approval(call: Call) -> dict[str, Any]:
    async with call.svc.store.transaction() as tx:
        body = await tx.get_external_approval(call.tenant_key, call.path["approval_code"])
    if body is None:
        raise ApprovalNotFound(f"external approval {call.path['approval_code']} not found", field="approval_code")
    return body


def _check_instance(body: dict[str, Any]) -> None:
    for key in ("approval_code", "instance_id", "status"):
        _req(body, key)
    if body["status"] not in _INSTANCE_STATUSES:
        raise ParamInvalid(f"status must be one of {', '.join(_INSTANCE_STATUSES)}", field="status")
    for key in ("start_time", "end_time", "update_time"):
        if key in body and not isinstance(body[key], int | str):
            raise ParamInvalid(f"{key} must be a millisecond timestamp", field=key)
    if not isinstance(body.get("links"), dict):
        raise ParamInvalid("links is required", field="links")
    for i, t in enumerate(body.get("task_list") or []):
        if not isinstance(t, dict):
            raise ParamInvalid(f"task_list[{i}] must be an object", field=f"task_list[{i}]")
        _req(t, "task_id", f"task_list[{i}].")
        if t.get("status") not in _TASK_STATUSES:
            raise ParamInvalid(f"task_list[{i}].status must be one of {', '.join(_TASK_STATUSES)}",
                               field=f"task_list[{i}].status")
    if body.get("update_mode", "REPLACE") not in ("REPLACE", "UPDATE"):
        raise ParamInvalid("update_mode must be REPLACE or UPDATE", field="update_mode")


def _time(v: Any) -> int:
    try:
        return int(v or 0)
    except (TypeError, ValueError):
        return 0


async def create_instance(call: Call) -> dict[str, Any]:
    body = call.json_object()
    _check_instance(body)
    code, instance_id = body["approval_code"], body["instance_id"]
    async with call.svc.store.transaction() as tx:
        if await tx.get_external_approval(call.tenant_key, code) is None:
            raise ApprovalNotFound(f"external approval {code} not found", field="approval_code")
        stored = await tx.get_external_instance(call.tenant_key, code, instance_id)
        if stored is not None and body.get("update_mode") == "UPDATE":
            if _time(body.get("update_time")) < _time(stored.get("update_time")):
                return {"data": stored}  # an older update never overwrites a newer one
            tasks = {t["task_id"]: t for t in stored.get("task_list") or []}
            tasks.update({t["task_id"]: t for t in body.get("task_list") or []})
            body = {**stored, **body, "task_list": list(tasks.values())}
        await tx.put_external_instance(call.tenant_key, code, instance_id, body["status"], body,
                                       _time(body.get("update_time")) or call.svc.clock.now_ms())
    return {"data": body}


class CheckBody(msgspec.Struct):
    instances: list[dict[str, Any]] = []


async def check_instances(call: Call) -> dict[str, Any]:
    b: CheckBody = call.body(CheckBody)
    diff = []
    async with call.svc.store.transaction() as tx:
        for i, given in enumerate(b.instances):
            instance_id = given.get("instance_id")
            if not isinstance(instance_id, str) or not instance_id:
                raise ParamInvalid(f"instances[{i}].instance_id is required", field=f"instances[{i}].instance_id")
            page_ = await tx.list_external_instances(call.tenant_key, instance_ids=[instance_id], limit=1)
            stored = page_.items[0] if page_.items else None
            if stored is None or _time(stored.get("update_time")) != _time(given.get("update_time")):
                diff.append({"instance_id": instance_id, "update_time": _time(stored.get("update_time")) if stored else 0,
                             "tasks": [{"task_id": t.get("task_id"), "update_time": _time(t.get("update_time"))}
                                       for t in (stored or {}).get("task_list") or []]})
                continue
            stored_tasks = {t.get("task_id"): _time(t.get("update_time")) for t in stored.get("task_list") or []}
            given_tasks = {t.get("task_id"): _time(t.get("update_time")) for t in given.get("tasks") or []}
            if stored_tasks != given_tasks:
                diff.append({"instance_id": instance_id, "update_time": _time(stored.get("update_time")),
                             "tasks": [{"task_id": k, "update_time": v} for k, v in stored_tasks.items()]})
    return {"diff_instances": diff}


class TaskListBody(msgspec.Struct):
    approval_codes: list[str] = []
    instance_ids: list[str] = []
    user_ids: list[str] = []
    status: str = ""


async def list_tasks(call: Call) -> dict[str, Any]:
    b: TaskListBody = call.body(TaskListBody)
    offset, size = page(call.query, default=50, low=1, high=500)
    if b.status and b.status not in _TASK_STATUSES:
        raise ParamInvalid(f"status must be one of {', '.join(_TASK_STATUSES)}", field="status")
    async with call.svc.store.transaction() as tx:
        found = await tx.list_external_instances(call.tenant_key, approval_codes=b.approval_codes,
                                                 instance_ids=b.instance_ids, offset=offset, limit=size)
    data = []
    for inst in found.items:
        tasks = [t for t in inst.get("task_list") or []
                 if (not b.user_ids or t.get("user_id") in b.user_ids or t.get("open_id") in b.user_ids)
                 and (not b.status or t.get("status") == b.status)]
        if (b.user_ids or b.status) and not tasks:
            continue
        data.append({"instance_id": inst["instance_id"], "approval_id": "", "approval_code": inst["approval_code"],
                     "status": inst["status"], "update_time": _time(inst.get("update_time")),
                     "tasks": [{"id": t.get("task_id"), "status": t.get("status"),
                                "update_time": _time(t.get("update_time"))} for t in tasks]})
    return {"data": data, **next_token(offset, size, found.has_more)}


ROUTES = [
    Route("POST", "/open-apis/approval/v4/external_approvals", "approval.v4.external_approval.create", create_approval),
    Route("GET", "/open-apis/approval/v4/external_approvals/:approval_code", "approval.v4.external_approval.get",
          get_approval),
    Route("POST", "/open-apis/approval/v4/external_instances", "approval.v4.external_instance.create", create_instance,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/external_instances/check", "approval.v4.external_instance.check",
          check_instances, user_id_type=False),
    Route("GET", "/open-apis/approval/v4/external_tasks", "approval.v4.external_task.list", list_tasks,
          user_id_type=False),
]
