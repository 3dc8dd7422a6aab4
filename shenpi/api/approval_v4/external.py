"""External (三方) approvals: definitions, instances and their tasks, stored and listed as sent.

An external instance's ``update_mode`` is ``REPLACE`` (the default: the new body replaces the stored one) or
``UPDATE`` (only a newer ``update_time`` overwrites, and its tasks merge into the stored ones by ``task_id``).
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.paging import keyset_page, keyset_token
from shenpi.api.jsontypes import ms
from shenpi.api.wire import Call, Route
from shenpi.app.external import ms as stored_ms
from shenpi.engine.definitions import check_viewers
from shenpi.engine.errors import ParamInvalid
from shenpi.engine.open_api_definition import check_default_texts

_INSTANCE_STATUSES = ("PENDING", "APPROVED", "REJECTED", "CANCELED", "DELETED", "HIDDEN", "TERMINATED")
_TASK_STATUSES = ("PENDING", "APPROVED", "REJECTED", "TRANSFERRED", "DONE")
# The page limits an external instance's form to 2048 characters without saying what counts: shenpi counts the
# form as its caller sent it, written as compact JSON (docs/compatibility.md).
_FORM_MAX_CHARS = 2048


def _req(body: dict[str, Any], key: str, where: str = "") -> str:
    v = body.get(key)
    if not isinstance(v, str) or not v:
        raise ParamInvalid(f"{where}{key} is required", field=f"{where}{key}")
    return v


async def create_approval(call: Call) -> dict[str, Any]:
    body = call.json_object()
    code = _req(body, "approval_code")
    _req(body, "approval_name")  # group_code is optional: an update without it keeps the approval's group
    external = body.get("external")
    if not isinstance(external, dict):
        raise ParamInvalid("external is required", field="external")
    if external.get("support_pc") is not True and external.get("support_mobile") is not True:  # both default false
        raise ParamInvalid("external.support_pc and external.support_mobile may not both be false",
                           field="external.support_pc")
    check_viewers(body.get("viewers"))
    # Every display text is an i18n key (the schema's pattern); the default locale gives each one its text.
    named = {"approval_name": body.get("approval_name"), "group_name": body.get("group_name"),
             "description": body.get("description"), "external.biz_name": external.get("biz_name")}
    check_default_texts(body.get("i18n_resources"),
                        [(key, field) for field, key in named.items() if isinstance(key, str) and key])
    await call.svc.external.put_approval(call.tenant_key, code, body)
    return {"approval_code": code}


# The fields the get page documents, as a shape: a dict is an object (its documented keys), a one-item list an
# array of that shape, None a scalar. The definition is stored as the create body came, with whatever else a client
# sent (Feishu ignores what it does not know), so the answer keeps only these.
_EXTERNAL_FIELDS = ("biz_name", "biz_type", "create_link_mobile", "create_link_pc", "support_pc", "support_mobile",
                    "support_batch_read", "enable_mark_readed", "enable_quick_operate", "action_callback_url",
                    "action_callback_token", "action_callback_key", "allow_batch_operate",
                    "exclude_efficiency_statistics")
_DOCUMENTED: dict[str, Any] = {
    "approval_name": None, "approval_code": None, "group_code": None, "group_name": None, "description": None,
    "external": dict.fromkeys(_EXTERNAL_FIELDS), "managers": [None],
    "viewers": [dict.fromkeys(("viewer_type", "viewer_user_id", "viewer_department_id"))],
    "i18n_resources": [{"locale": None, "is_default": None, "texts": [{"key": None, "value": None}]}],
}


def _documented(value: Any, shape: Any) -> Any:
    if isinstance(shape, dict):
        return {k: _documented(v, shape[k]) for k, v in value.items() if k in shape} if isinstance(value, dict) else value
    if isinstance(shape, list):
        return [_documented(v, shape[0]) for v in value] if isinstance(value, list) else value
    return value


async def get_approval(call: Call) -> dict[str, Any]:
    # An approval created without a group is in none: its group_code (always answered) is empty.
    stored = await call.svc.external.get_approval(call.tenant_key, call.path["approval_code"])
    return dict(_documented({"group_code": "", **stored}, _DOCUMENTED))


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
    form = body.get("form")
    if form is not None and len(msgspec.json.encode(form).decode()) > _FORM_MAX_CHARS:
        raise ParamInvalid(f"form is longer than {_FORM_MAX_CHARS} characters", field="form")
    if body.get("update_mode", "REPLACE") not in ("REPLACE", "UPDATE"):
        raise ParamInvalid("update_mode must be REPLACE or UPDATE", field="update_mode")


async def create_instance(call: Call) -> dict[str, Any]:
    body = call.json_object()
    _check_instance(body)
    return {"data": _rendered(await call.svc.external.put_instance(call.tenant_key, body))}


_TIMES = ("start_time", "end_time", "update_time", "create_time")


def _with_times(record: dict[str, Any]) -> dict[str, Any]:
    return {k: ms(v) if k in _TIMES and isinstance(v, int | float) and not isinstance(v, bool) else v
            for k, v in record.items()}


def _rendered(stored: dict[str, Any]) -> dict[str, Any]:
    """An external instance as stored (as its caller sent it), its times as strings whatever the caller sent."""
    out = _with_times(stored)
    for key in ("task_list", "cc_list"):
        if isinstance(out.get(key), list):
            out[key] = [_with_times(t) if isinstance(t, dict) else t for t in out[key]]
    return out


class CheckBody(msgspec.Struct):
    instances: list[dict[str, Any]] = []


async def check_instances(call: Call) -> dict[str, Any]:
    b: CheckBody = call.body(CheckBody)
    diff = await call.svc.external.check_instances(call.tenant_key, b.instances)
    return {"diff_instances": [{**d, "update_time": ms(d["update_time"]),
                                "tasks": [{**t, "update_time": ms(t["update_time"])} for t in d["tasks"]]}
                               for d in diff]}


class TaskListBody(msgspec.Struct):
    approval_codes: list[str] = []
    instance_ids: list[str] = []
    user_ids: list[str] = []
    status: str = ""


async def list_tasks(call: Call) -> dict[str, Any]:
    b: TaskListBody = call.body(TaskListBody)
    ask = keyset_page(call.query, kind="external.tasks", default=50, low=1, high=500)
    if b.status and b.status not in _TASK_STATUSES:
        raise ParamInvalid(f"status must be one of {', '.join(_TASK_STATUSES)}", field="status")
    # The page's request examples: a user filter comes with approval_codes and status, a status with approval_codes.
    if (b.user_ids or b.status) and not b.approval_codes:
        raise ParamInvalid("approval_codes is required with user_ids or status", field="approval_codes")
    if b.user_ids and not b.status:
        raise ParamInvalid("status is required with user_ids", field="status")
    found = await call.svc.external.instances(call.tenant_key, approval_codes=b.approval_codes,
                                              instance_ids=b.instance_ids, after=ask.after, limit=ask.size)
    data = []
    for inst in found.items:
        tasks = [t for t in inst.get("task_list") or []
                 if (not b.user_ids or t.get("user_id") in b.user_ids or t.get("open_id") in b.user_ids)
                 and (not b.status or t.get("status") == b.status)]
        if (b.user_ids or b.status) and not tasks:
            continue
        data.append({"instance_id": inst["instance_id"], "approval_id": "", "approval_code": inst["approval_code"],
                     "status": inst["status"], "update_time": ms(stored_ms(inst.get("update_time"))),
                     "tasks": [{"id": t.get("task_id"), "status": t.get("status"),
                                "update_time": ms(stored_ms(t.get("update_time")))} for t in tasks]})
    return {"data": data, **keyset_token("external.tasks", found.has_more, found.next)}


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
