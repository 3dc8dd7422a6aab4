"""Task actions: approve and reject (seed 000; sdk_endpoints.md §34, §40)."""

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


_REQUIRED = ("approval_code", "instance_code", "user_id", "task_id")


def _action(action: str) -> Any:
    async def handler(call: Call) -> dict[str, Any]:
        b: TaskApprove = call.body(TaskApprove)
        require(b, *_REQUIRED)
        user_id = actor(await call.directory(), b.user_id, call.user_id_type)
        cmd = TaskAction(task_id=b.task_id, user_id=user_id, comment=b.comment, form=b.form or None)
        await call.svc.act(call.tenant_key, action, cmd, approval_code=b.approval_code,
                           instance_code=b.instance_code)
        return {}

    handler.__name__ = action
    return handler


ROUTES = [
    Route("POST", "/open-apis/approval/v4/tasks/approve", "approval.v4.task.approve", _action("approve")),
    Route("POST", "/open-apis/approval/v4/tasks/reject", "approval.v4.task.reject", _action("reject")),
]
