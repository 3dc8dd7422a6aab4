"""aPaaS v1 approval tasks and instances: tasks addressed by id alone, users by their aPaaS (kunlun) id.

One engine serves both dialects, so the task id here is the task id approval v4 shows. Everything a caller
can get wrong answers ``2320001 param is invalid`` (the routes carry the aPaaS error mapping).
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.apaas_v1.users import ApaasParamInvalid, apaas_error, apaas_user
from shenpi.api.wire import Call, Route
from shenpi.engine import commands


class OpinionBody(msgspec.Struct):
    """The operator (an aPaaS user id) and an opinion: the fields every task and instance operation here takes."""

    user_id: str = ""
    opinion: str = ""


async def _decision(call: Call) -> commands.TaskAction:
    b: OpinionBody = call.body(OpinionBody)
    return commands.TaskAction(task_id=call.path["approval_task_id"],
                               user_id=await apaas_user(call, b.user_id, "user_id"), comment=b.opinion)


async def agree(call: Call) -> dict[str, Any]:
    await call.svc.instances.approve(call.tenant_key, await _decision(call))
    return {}


async def reject(call: Call) -> dict[str, Any]:
    await call.svc.instances.reject(call.tenant_key, await _decision(call))
    return {}


class TransferBody(OpinionBody):
    from_user_ids: list[str] = []
    to_user_ids: list[str] = []


async def transfer(call: Call) -> dict[str, Any]:
    b: TransferBody = call.body(TransferBody)
    operator = await apaas_user(call, b.user_id, "user_id")
    if not b.to_user_ids or len(b.to_user_ids) > 20:
        raise ApaasParamInvalid("to_user_ids takes 1 to 20 users to hand the task to", field="to_user_ids")
    if len(b.from_user_ids) > 20:
        raise ApaasParamInvalid("from_user_ids takes at most 20 users", field="from_user_ids")
    if b.from_user_ids and operator not in [await apaas_user(call, u, "from_user_ids") for u in b.from_user_ids]:
        raise ApaasParamInvalid("from_user_ids must include the task's current assignee", field="from_user_ids")
    to = [await apaas_user(call, u, "to_user_ids") for u in b.to_user_ids]
    # Several new assignees: each gets the task, and the first to act decides (docs/compatibility.md).
    cmd = commands.Transfer(task_id=call.path["approval_task_id"], user_id=operator, transfer_user_id=to[0],
                            comment=b.opinion, also_to=to[1:])
    await call.svc.instances.transfer(call.tenant_key, cmd)
    return {}


class AddAssigneeBody(OpinionBody):
    approvers: list[str | int] = []
    add_assignee_type: str = ""


_ASSIGNEE_TYPES = {"currentAndAddAssign": 3, "afterAndAddAssign": 2}


async def add_assignee(call: Call) -> dict[str, Any]:
    b: AddAssigneeBody = call.body(AddAssigneeBody)
    operator = await apaas_user(call, b.user_id, "user_id")
    if len(b.approvers) > 20:
        raise ApaasParamInvalid("approvers takes at most 20 users", field="approvers")
    kind = _ASSIGNEE_TYPES.get(b.add_assignee_type or "currentAndAddAssign")  # optional: alongside by default
    if kind is None:
        raise ApaasParamInvalid("add_assignee_type must be currentAndAddAssign or afterAndAddAssign",
                                field="add_assignee_type")
    if not b.approvers:  # optional, 0 to 20 (the page): adding nobody changes nothing, once the operator may act
        await call.svc.instances.check_may_act(call.tenant_key, call.path["approval_task_id"], operator)
        return {}
    added = [await apaas_user(call, str(u), "approvers") for u in b.approvers]
    cmd = commands.AddSign(task_id=call.path["approval_task_id"], user_id=operator, add_sign_user_ids=added,
                           add_sign_type=kind, approval_method=2 if kind == 2 else 0, comment=b.opinion)
    await call.svc.instances.add_sign(call.tenant_key, cmd)
    return {}


async def cancel_instance(call: Call) -> dict[str, Any]:
    b: OpinionBody = call.body(OpinionBody)
    operator = await apaas_user(call, b.user_id, "user_id")
    if not b.opinion:
        raise ApaasParamInvalid("opinion is required", field="opinion")
    await call.svc.instances.cancel(call.tenant_key, commands.Cancel(user_id=operator, comment=b.opinion),
                                    instance_code=call.path["approval_instance_id"])
    return {}


ROUTES = [
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/agree", "apaas.v1.approval_task.agree",
          agree, errors=apaas_error, user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/reject", "apaas.v1.approval_task.reject",
          reject, errors=apaas_error, user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/transfer", "apaas.v1.approval_task.transfer",
          transfer, errors=apaas_error, user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_tasks/:approval_task_id/add_assignee",
          "apaas.v1.approval_task.add_assignee", add_assignee, errors=apaas_error, user_id_type=False),
    Route("POST", "/open-apis/apaas/v1/approval_instances/:approval_instance_id/cancel",
          "apaas.v1.approval_instance.cancel", cancel_instance, errors=apaas_error, user_id_type=False),
]
