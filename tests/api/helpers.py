"""Small wrappers over lark-oapi calls so each test reads as the scenario it checks."""

from __future__ import annotations

import json
from typing import Any

import lark_oapi as lark
from lark_oapi.api.apaas.v1 import RejectApprovalTaskRequest, RejectApprovalTaskRequestBody
from lark_oapi.api.approval.v4 import (
    ApproveTaskRequest,
    CreateInstanceRequest,
    GetInstanceRequest,
    GetInstanceResponseBody,
    InstanceCreate,
    RejectTaskRequest,
    TaskApprove,
)

from shenpi.ids import derived_apaas_user_id

DEFAULT_FORM = [{"id": "reason", "type": "textarea", "value": "family"}, {"id": "days", "type": "number", "value": 2}]


def create_instance(client: lark.Client, approval_code: str = "LEAVE", user_id: str = "alice",
                    form: list[dict[str, Any]] | str | None = None, **extra: Any) -> str:
    body = InstanceCreate.builder().approval_code(approval_code).user_id(user_id)
    body = body.form(form if isinstance(form, str) else json.dumps(DEFAULT_FORM if form is None else form))
    for k, v in extra.items():
        body = getattr(body, k)(v)
    resp = client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body.build()).build())
    assert resp.code == 0, (resp.code, resp.msg, resp.error)
    return str(resp.data.instance_code)


def get_instance(client: lark.Client, instance_id: str, user_id_type: str = "user_id") -> GetInstanceResponseBody:
    req = GetInstanceRequest.builder().instance_id(instance_id).user_id_type(user_id_type).build()
    resp = client.approval.v4.instance.get(req)
    assert resp.code == 0, (resp.code, resp.msg, resp.error)
    return resp.data


def pending_task(client: lark.Client, instance_code: str, user_id: str) -> str:
    data = get_instance(client, instance_code)
    for t in data.task_list:
        if t.user_id == user_id and t.status == "PENDING":
            return str(t.id)
    seen = [(t.user_id, t.status) for t in data.task_list]
    raise AssertionError(f"{user_id} has no pending task in {instance_code}: {seen}")


def task_body(approval_code: str, instance_code: str, user_id: str, task_id: str, comment: str | None = None,
              form: str | None = None) -> TaskApprove:
    b = TaskApprove.builder().approval_code(approval_code).instance_code(instance_code).user_id(user_id).task_id(task_id)
    if comment is not None:
        b = b.comment(comment)
    if form is not None:
        b = b.form(form)
    return b.build()


def reject(client: lark.Client, approval_code: str, instance_code: str, user_id: str, task_id: str,
           comment: str | None = None, form: str | None = None, user_id_type: str | None = "user_id") -> Any:
    req = RejectTaskRequest.builder()
    if user_id_type:
        req = req.user_id_type(user_id_type)
    body = task_body(approval_code, instance_code, user_id, task_id, comment, form)
    return client.approval.v4.task.reject(req.request_body(body).build())


def approve(client: lark.Client, approval_code: str, instance_code: str, user_id: str, task_id: str,
            comment: str | None = None, form: str | None = None, user_id_type: str | None = "user_id") -> Any:
    req = ApproveTaskRequest.builder()
    if user_id_type:
        req = req.user_id_type(user_id_type)
    body = task_body(approval_code, instance_code, user_id, task_id, comment, form)
    return client.approval.v4.task.approve(req.request_body(body).build())


def apaas_reject(client: lark.Client, task_id: str, user_id: str, opinion: str | None = None) -> Any:
    body = RejectApprovalTaskRequestBody.builder().user_id(user_id)
    if opinion is not None:
        body = body.opinion(opinion)
    req = RejectApprovalTaskRequest.builder().approval_task_id(task_id).request_body(body.build()).build()
    return client.apaas.v1.approval_task.reject(req)


def timeline_types(client: lark.Client, instance_code: str) -> list[str]:
    return [e.type for e in get_instance(client, instance_code).timeline]


def fresh_minute(margin_s: float = 15) -> None:
    """Wait, if need be, so the next calls fall within one fixed rate-limit window (windows start on the minute)."""
    import time

    left = 60 - time.time() % 60
    if left < margin_s:
        time.sleep(left + 0.05)


def kunlun(user: str) -> str:
    """The aPaaS (kunlun) user id of a user of the suite's seed: alice's is given there, the others' derived."""
    return "1783981209205788" if user == "alice" else derived_apaas_user_id("acme", user)
