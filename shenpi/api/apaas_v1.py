"""The aPaaS v1 dialect: approval tasks addressed by id alone, users by their aPaaS (kunlun) id (seed 001).

One engine serves both dialects, so the task id here is the task id approval v4 shows. Everything a caller
can get wrong answers ``2320001 param is invalid`` (wire.dispatch maps domain errors for this dialect).
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.wire import ApaasParamInvalid, Call, Route
from shenpi.engine.commands import TaskAction


class OpinionBody(msgspec.Struct):
    user_id: str = ""
    opinion: str = ""


def _action(action: str) -> Any:
    async def handler(call: Call) -> dict[str, Any]:
        b: OpinionBody = call.body(OpinionBody)
        if not b.user_id:
            raise ApaasParamInvalid("user_id is required", field="user_id")
        if not b.user_id.isdigit():
            raise ApaasParamInvalid("user_id must be an aPaaS user id (a numeric string)", field="user_id")
        user = (await call.directory()).resolve(b.user_id, "apaas")
        if user is None:
            raise ApaasParamInvalid(f"no user has aPaaS id {b.user_id}", field="user_id")
        cmd = TaskAction(task_id=call.path["approval_task_id"], user_id=user.user_id, comment=b.opinion)
        await call.svc.act(call.tenant_key, action, cmd)
        return {}

    handler.__name__ = action
    return handler


ROUTES = [
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/agree", "apaas.v1.approval_task.agree",
          _action("approve"), dialect="apaas", user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/reject", "apaas.v1.approval_task.reject",
          _action("reject"), dialect="apaas", user_id_type=False),
]
