"""Task actions: approve and reject, as the approver named in the body."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.users import actor
from shenpi.api.wire import Call, Route, require
from shenpi.engine.commands import TaskAction


class TaskApprove(msgspec.Struct):
    """The body of approve and reject, field for field as the reference page gives it."""

    approval_code: str = ""
    instance_code: str = ""
    user_id: str = ""
    task_id: str = ""
    comment: str = ""
    form: str = ""


async def _decision(call: Call) -> tuple[TaskApprove, TaskAction]:
    b: TaskApprove = call.body(TaskApprove)
    require(b, "approval_code", "instance_code", "user_id", "task_id")
    user_id = actor(await call.directory(), b.user_id, call.user_id_type)
    return b, TaskAction(task_id=b.task_id, user_id=user_id, comment=b.comment, form=b.form or None)


async def approve(call: Call) -> dict[str, Any]:
    b, cmd = await _decision(call)
    await call.svc.instances.approve(call.tenant_key, cmd, approval_code=b.approval_code,
                                     instance_code=b.instance_code)
    return {}


async def reject(call: Call) -> dict[str, Any]:
    b, cmd = await _decision(call)
    await call.svc.instances.reject(call.tenant_key, cmd, approval_code=b.approval_code,
                                    instance_code=b.instance_code)
    return {}


ROUTES = [
    Route("POST", "/open-apis/approval/v4/tasks/approve", "approval.v4.task.approve", approve),
    Route("POST", "/open-apis/approval/v4/tasks/reject", "approval.v4.task.reject", reject),
]
