"""The operations beyond approve/reject (tenant token): transfer, resubmit, specified rollback, add-sign,
cancel, CC and preview."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.bodies import InstanceBody, TaskBody, TaskFormBody, on_instance, task_body
from shenpi.api.approval_v4.users import actor, any_internal, to_internal
from shenpi.api.wire import Call, Route, require
from shenpi.engine import commands
from shenpi.engine.errors import NoOperationPermission, ParamInvalid
from shenpi.engine.model import Aggregate
from shenpi.engine.preview import PreviewNode, PreviewRequest, preview, preview_instance


class TaskTransfer(TaskBody):
    transfer_user_id: str = ""


async def transfer(call: Call) -> dict[str, Any]:
    b, user_id = await task_body(call, TaskTransfer, "transfer_user_id")
    to = to_internal(await call.directory(), b.transfer_user_id, call.user_id_type, field="transfer_user_id")
    cmd = commands.Transfer(task_id=b.task_id, user_id=user_id, transfer_user_id=to, comment=b.comment)
    return await on_instance(call.svc.instances.transfer, call, cmd, b)


async def resubmit(call: Call) -> dict[str, Any]:
    b, user_id = await task_body(call, TaskFormBody, "form")
    cmd = commands.TaskAction(task_id=b.task_id, user_id=user_id, comment=b.comment, form=b.form)
    return await on_instance(call.svc.instances.resubmit, call, cmd, b)


class SpecifiedRollbackBody(msgspec.Struct):
    user_id: str = ""
    task_id: str | int = ""
    reason: str = ""
    extra: str = ""
    task_def_key_list: list[str] = []


async def specified_rollback(call: Call) -> dict[str, Any]:
    b: SpecifiedRollbackBody = call.body(SpecifiedRollbackBody)
    require(b, "user_id", "task_id", "task_def_key_list")
    cmd = commands.SpecifiedRollback(task_id=str(b.task_id),
                                     user_id=actor(await call.directory(), b.user_id, call.user_id_type),
                                     task_def_key_list=b.task_def_key_list, reason=b.reason, extra=b.extra)
    await call.svc.instances.specified_rollback(call.tenant_key, cmd)
    return {}


class AddSignBody(TaskBody):
    add_sign_user_ids: list[str] = []
    add_sign_type: int = 0
    approval_method: int = 0


async def add_sign(call: Call) -> dict[str, Any]:
    b: AddSignBody = call.body(AddSignBody)
    require(b, "user_id", "approval_code", "instance_code", "task_id", "add_sign_user_ids", "add_sign_type")
    directory = await call.directory()
    cmd = commands.AddSign(
        task_id=b.task_id, user_id=any_internal(directory, b.user_id, field="user_id", error=NoOperationPermission),
        add_sign_user_ids=[any_internal(directory, u, field="add_sign_user_ids") for u in b.add_sign_user_ids],
        add_sign_type=b.add_sign_type, approval_method=b.approval_method, comment=b.comment)
    return await on_instance(call.svc.instances.add_sign, call, cmd, b)


async def cancel(call: Call) -> dict[str, Any]:
    b: InstanceBody = call.body(InstanceBody)
    require(b, "approval_code", "instance_code", "user_id")
    cmd = commands.Cancel(user_id=actor(await call.directory(), b.user_id, call.user_id_type))
    code = await call.svc.instances.code_of(call.tenant_key, b.instance_code)
    await call.svc.instances.cancel(call.tenant_key, cmd, approval_code=b.approval_code, instance_code=code)
    return {}


class InstanceCc(InstanceBody):
    cc_user_ids: list[str] = []
    comment: str = ""


async def cc(call: Call) -> dict[str, Any]:
    b: InstanceCc = call.body(InstanceCc)
    require(b, "approval_code", "instance_code", "user_id", "cc_user_ids")
    directory = await call.directory()
    cmd = commands.Cc(user_id=to_internal(directory, b.user_id, call.user_id_type, field="user_id"),
                      cc_user_ids=[to_internal(directory, u, call.user_id_type, field="cc_user_ids")
                                   for u in b.cc_user_ids], comment=b.comment)
    return await on_instance(call.svc.instances.cc, call, cmd, b)


class PreviewBody(InstanceBody):
    """A new instance of ``approval_code`` as the user would submit it, or (with ``task_id``) the instance
    ``instance_code`` as one of its approvers sees it."""

    department_id: str = ""
    form: str = ""
    locale: str = ""
    task_id: str = ""


def render_preview(nodes: list[PreviewNode], d: Any, ext: Any, locale: str) -> dict[str, Any]:
    return {"preview_nodes": [{
        "user_id_list": [ext(u) for u in n.user_id_list], "end_cc_id_list": [ext(u) for u in n.end_cc_id_list],
        "node_id": n.node_id, "node_name": d.text(n.node_name, locale), "node_type": n.node_type, "comments": [],
        "custom_node_id": n.node_key, "is_empty_logic": n.is_empty_logic,
        "is_approver_type_free": n.is_approver_type_free, "has_cc_type_free": n.has_cc_type_free,
    } for n in nodes]}


async def preview_(call: Call) -> dict[str, Any]:
    b: PreviewBody = call.body(PreviewBody)
    require(b, "user_id")
    directory = await call.directory()
    user_id = to_internal(directory, b.user_id, call.user_id_type, field="user_id")

    def ext(u: str) -> str:
        return directory.external_id(u, call.user_id_type)

    if b.instance_code:  # case 2: an existing instance, seen by one of its approvers
        require(b, "task_id")
        view = await call.svc.instances.get(call.tenant_key, b.instance_code)
        task = next((t for t in view.tasks if t.id == b.task_id), None)
        if task is None:
            raise ParamInvalid(f"task {b.task_id} is not a task of this instance", field="task_id")
        if task.user_id != user_id:
            raise NoOperationPermission(f"user {b.user_id} is not the approver of task {b.task_id}", field="user_id")
        nodes = preview_instance(Aggregate(view.definition, view.instance, view.tasks), directory)
        return render_preview(nodes, view.definition, ext, b.locale)
    require(b, "approval_code")
    definition = await call.svc.definitions.get(call.tenant_key, b.approval_code)
    nodes = preview(definition, directory, PreviewRequest(user_id=user_id, department_id=b.department_id,
                                                          form=b.form or None))
    return render_preview(nodes, definition, ext, b.locale)


ROUTES = [
    Route("POST", "/open-apis/approval/v4/tasks/transfer", "approval.v4.task.transfer", transfer),
    Route("POST", "/open-apis/approval/v4/tasks/resubmit", "approval.v4.task.resubmit", resubmit),
    Route("POST", "/open-apis/approval/v4/instances/specified_rollback", "approval.v4.instance.specified_rollback",
          specified_rollback),
    Route("POST", "/open-apis/approval/v4/instances/add_sign", "approval.v4.instance.add_sign", add_sign,
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/instances/cancel", "approval.v4.instance.cancel", cancel),
    Route("POST", "/open-apis/approval/v4/instances/cc", "approval.v4.instance.cc", cc),
    Route("POST", "/open-apis/approval/v4/instances/preview", "approval.v4.instance.preview", preview_),
]
