"""SDK calls the shenpi.testing tests share, against the demo seed (alice asks, her manager bob approves)."""

from __future__ import annotations

import json
from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import (
    ApproveTaskRequest,
    CreateInstanceRequest,
    GetApprovalRequest,
    GetInstanceRequest,
    InstanceCreate,
    TaskApprove,
)

LEAVE_FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "family"},
                         {"id": "days", "type": "number", "value": 2}])


def create_leave(client: lark.Client, user_id: str = "alice", uuid: str | None = None) -> Any:
    body = InstanceCreate.builder().approval_code("DEMO-LEAVE").user_id(user_id).form(LEAVE_FORM)
    if uuid is not None:
        body = body.uuid(uuid)
    return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body.build()).build())


def submit_leave(client: lark.Client, user_id: str = "alice") -> str:
    resp = create_leave(client, user_id)
    assert resp.code == 0, (resp.code, resp.msg, resp.error)
    return str(resp.data.instance_code)


def get_instance(client: lark.Client, instance_code: str) -> Any:
    return client.approval.v4.instance.get(
        GetInstanceRequest.builder().instance_id(instance_code).user_id_type("user_id").build())


def get_approval(client: lark.Client, code: str = "DEMO-LEAVE") -> Any:
    return client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).build())


def pending_task(client: lark.Client, instance_code: str, user_id: str) -> str:
    data = get_instance(client, instance_code).data
    return next(str(t.id) for t in data.task_list if t.user_id == user_id and t.status == "PENDING")


def approve(client: lark.Client, instance_code: str, user_id: str, task_id: str,
            approval_code: str = "DEMO-LEAVE") -> Any:
    body = (TaskApprove.builder().approval_code(approval_code).instance_code(instance_code).user_id(user_id)
            .task_id(task_id).build())
    return client.approval.v4.task.approve(
        ApproveTaskRequest.builder().user_id_type("user_id").request_body(body).build())
