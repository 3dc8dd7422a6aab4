"""Task actions: approve and reject, as the approver named in the body."""

from __future__ import annotations

from typing import Any

from shenpi.api.approval_v4.bodies import TaskFormBody, on_instance, task_body
from shenpi.api.wire import Call, Route
from shenpi.engine.commands import TaskAction


async def _decision(call: Call) -> tuple[TaskFormBody, TaskAction]:
    b, user_id = await task_body(call, TaskFormBody)
    return b, TaskAction(task_id=b.task_id, user_id=user_id, comment=b.comment, form=b.form or None)


async def approve(call: Call) -> dict[str, Any]:
    b, cmd = await _decision(call)
    return await on_instance(call.svc.instances.approve, call, cmd, b)


async def reject(call: Call) -> dict[str, Any]:
    b, cmd = await _decision(call)
    return await on_instance(call.svc.instances.reject, call, cmd, b)


ROUTES = [
    Route("POST", "/open-apis/approval/v4/tasks/approve", "approval.v4.task.approve", approve),
    Route("POST", "/open-apis/approval/v4/tasks/reject", "approval.v4.task.reject", reject),
]
