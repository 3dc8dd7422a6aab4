"""SDK wrappers for the operations beyond approve/reject."""

from __future__ import annotations

from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import (
    AddSignInstanceRequest,
    AddSignInstanceRequestBody,
    CancelInstanceRequest,
    CcInstanceRequest,
    InstanceCancel,
    InstanceCc,
    ResubmitTaskRequest,
    SpecifiedRollback,
    SpecifiedRollbackInstanceRequest,
    TaskResubmit,
    TaskTransfer,
    TransferTaskRequest,
)


def transfer(client: lark.Client, code: str, inst: str, user: str, task_id: str, to: str, comment: str = "") -> Any:
    body = (TaskTransfer.builder().approval_code(code).instance_code(inst).user_id(user).task_id(task_id)
            .transfer_user_id(to).comment(comment).build())
    return client.approval.v4.task.transfer(TransferTaskRequest.builder().user_id_type("user_id")
                                            .request_body(body).build())


def add_sign(client: lark.Client, code: str, inst: str, user: str, task_id: str, users: list[str], kind: int,
             method: int | None = None) -> Any:
    body = (AddSignInstanceRequestBody.builder().approval_code(code).instance_code(inst).user_id(user)
            .task_id(task_id).add_sign_user_ids(users).add_sign_type(kind))
    if method is not None:
        body = body.approval_method(method)
    return client.approval.v4.instance.add_sign(AddSignInstanceRequest.builder().request_body(body.build()).build())


def rollback(client: lark.Client, user: str, task_id: str, keys: list[str], reason: str = "") -> Any:
    body = SpecifiedRollback.builder().user_id(user).task_id(task_id).task_def_key_list(keys).reason(reason).build()
    return client.approval.v4.instance.specified_rollback(
        SpecifiedRollbackInstanceRequest.builder().user_id_type("user_id").request_body(body).build())


def resubmit(client: lark.Client, code: str, inst: str, user: str, task_id: str, form: str) -> Any:
    body = (TaskResubmit.builder().approval_code(code).instance_code(inst).user_id(user).task_id(task_id)
            .form(form).build())
    return client.approval.v4.task.resubmit(ResubmitTaskRequest.builder().user_id_type("user_id")
                                            .request_body(body).build())


def cancel(client: lark.Client, code: str, inst: str, user: str) -> Any:
    body = InstanceCancel.builder().approval_code(code).instance_code(inst).user_id(user).build()
    return client.approval.v4.instance.cancel(CancelInstanceRequest.builder().user_id_type("user_id")
                                              .request_body(body).build())


def cc(client: lark.Client, code: str, inst: str, user: str, to: list[str], comment: str = "") -> Any:
    body = InstanceCc.builder().approval_code(code).instance_code(inst).user_id(user).cc_user_ids(to).comment(comment)
    return client.approval.v4.instance.cc(CcInstanceRequest.builder().user_id_type("user_id")
                                          .request_body(body.build()).build())
