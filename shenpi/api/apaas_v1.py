"""The aPaaS v1 dialect: approval tasks addressed by id alone, users by their aPaaS (kunlun) id (seed 001).

One engine serves both dialects, so the task id here is the task id approval v4 shows. Everything a caller
can get wrong answers ``2320001 param is invalid`` (wire.dispatch maps domain errors for this dialect).
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.wire import ApaasParamInvalid, Call, Route
from shenpi.engine import commands
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


async def _apaas_user(call: Call, value: str, field: str) -> str:
    if not value:
        raise ApaasParamInvalid(f"{field} is required", field=field)
    if not value.isdigit():
        raise ApaasParamInvalid(f"{field} must be an aPaaS user id (a numeric string)", field=field)
    user = (await call.directory()).resolve(value, "apaas")
    if user is None:
        raise ApaasParamInvalid(f"no user has aPaaS id {value}", field=field)
    return user.user_id


class TransferBody(msgspec.Struct):
    user_id: str = ""
    from_user_ids: list[str] = []
    to_user_ids: list[str] = []
    opinion: str = ""


async def transfer(call: Call) -> dict[str, Any]:
    b: TransferBody = call.body(TransferBody)
    operator = await _apaas_user(call, b.user_id, "user_id")
    if len(b.to_user_ids) != 1:
        raise ApaasParamInvalid("to_user_ids must name exactly one user to hand the task to", field="to_user_ids")
    if len(b.from_user_ids) > 20:
        raise ApaasParamInvalid("from_user_ids takes at most 20 users", field="from_user_ids")
    if b.from_user_ids and operator not in [await _apaas_user(call, u, "from_user_ids") for u in b.from_user_ids]:
        raise ApaasParamInvalid("from_user_ids must include the task's current assignee", field="from_user_ids")
    to = await _apaas_user(call, b.to_user_ids[0], "to_user_ids")
    cmd = commands.Transfer(task_id=call.path["approval_task_id"], user_id=operator, transfer_user_id=to,
                            comment=b.opinion)
    await call.svc.act(call.tenant_key, "transfer", cmd)
    return {}


class AddAssigneeBody(msgspec.Struct):
    user_id: str = ""
    approvers: list[str | int] = []
    add_assignee_type: str = ""
    opinion: str = ""


_ASSIGNEE_TYPES = {"currentAndAddAssign": 3, "afterAndAddAssign": 2}


async def add_assignee(call: Call) -> dict[str, Any]:
    b: AddAssigneeBody = call.body(AddAssigneeBody)
    operator = await _apaas_user(call, b.user_id, "user_id")
    if not b.approvers or len(b.approvers) > 20:
        raise ApaasParamInvalid("approvers takes 1 to 20 users", field="approvers")
    kind = _ASSIGNEE_TYPES.get(b.add_assignee_type)
    if kind is None:
        raise ApaasParamInvalid("add_assignee_type must be currentAndAddAssign or afterAndAddAssign",
                                field="add_assignee_type")
    added = [await _apaas_user(call, str(u), "approvers") for u in b.approvers]
    cmd = commands.AddSign(task_id=call.path["approval_task_id"], user_id=operator, add_sign_user_ids=added,
                           add_sign_type=kind, approval_method=2 if kind == 2 else 0, comment=b.opinion)
    await call.svc.act(call.tenant_key, "add_sign", cmd)
    return {}


class CancelBody(msgspec.Struct):
    user_id: str = ""
    opinion: str = ""


async def cancel_instance(call: Call) -> dict[str, Any]:
    b: CancelBody = call.body(CancelBody)
    operator = await _apaas_user(call, b.user_id, "user_id")
    if not b.opinion:
        raise ApaasParamInvalid("opinion is required", field="opinion")
    await call.svc.act(call.tenant_key, "cancel", commands.Cancel(user_id=operator, comment=b.opinion),
                       instance_code=call.path["approval_instance_id"])
    return {}


ROUTES = [
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/agree", "apaas.v1.approval_task.agree",
          _action("approve"), dialect="apaas", user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/reject", "apaas.v1.approval_task.reject",
          _action("reject"), dialect="apaas", user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/transfer", "apaas.v1.approval_task.transfer",
          transfer, dialect="apaas", user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/add_assignee",
          "apaas.v1.approval_task.add_assignee", add_assignee, dialect="apaas", user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_instances/:approval_instance_id/cancel",
          "apaas.v1.approval_instance.cancel", cancel_instance, dialect="apaas", user_id_type=False),
]
