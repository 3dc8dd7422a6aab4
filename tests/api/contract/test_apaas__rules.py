"""The request rules of the aPaaS v1 approval pages, driven through lark-oapi.

Every page here documents one error, ``2320001 param is invalid`` at HTTP 400, so each refusal is checked for
that code; each limit is checked at its boundary with real users, so a request refused for another reason (an
unknown user) cannot pass for the rule. Pages: https://open.feishu.cn/document/apaas-v1/flow/user-task/<name>.
"""

from __future__ import annotations

from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.apaas.v1 import (
    AddAssigneeApprovalTaskRequest,
    AddAssigneeApprovalTaskRequestBody,
    AgreeApprovalTaskRequest,
    AgreeApprovalTaskRequestBody,
    CancelApprovalInstanceRequest,
    CancelApprovalInstanceRequestBody,
    CcUserTaskRequest,
    CcUserTaskRequestBody,
    ChatGroupUserTaskRequest,
    ChatGroupUserTaskRequestBody,
    ExpeditingUserTaskRequest,
    ExpeditingUserTaskRequestBody,
    QueryUserTaskRequest,
    QueryUserTaskRequestBody,
    RollbackPointsUserTaskRequest,
    RollbackPointsUserTaskRequestBody,
    RollbackUserTaskRequest,
    RollbackUserTaskRequestBody,
    TransferApprovalTaskRequest,
    TransferApprovalTaskRequestBody,
)

from tests.api.helpers import create_instance, get_instance, kunlun, pending_task


def assert_2320001(resp: Any) -> None:
    assert (resp.code, resp.msg, resp.raw.status_code) == (2320001, "param is invalid", 400), (resp.code, resp.error)


def assert_ok(resp: Any) -> None:
    assert resp.code == 0, (resp.code, resp.msg, resp.error)


def build(builder: Any, **fields: Any) -> Any:
    """A request body with exactly the fields given (lark-oapi leaves out what is not set)."""
    for name, value in fields.items():
        builder = getattr(builder, name)(value)
    return builder.build()


def agree(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.approval_task.agree(AgreeApprovalTaskRequest.builder().approval_task_id(task_id)
        .request_body(build(AgreeApprovalTaskRequestBody.builder(), **body)).build())


def test_agree_needs_user_id(client):
    """agree: user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/agree"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(agree(client, task, opinion="ok"))
    assert_ok(agree(client, task, user_id=kunlun("bob")))


def transfer(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.approval_task.transfer(TransferApprovalTaskRequest.builder().approval_task_id(task_id)
        .request_body(build(TransferApprovalTaskRequestBody.builder(), **body)).build())


def test_transfer_lists_take_at_most_20_ids(client):
    """transfer: from_user_ids and to_user_ids take 0 to 20 ids each.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/transfer"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(transfer(client, task, user_id=kunlun("bob"), from_user_ids=[kunlun("bob")] * 21,
                            to_user_ids=[kunlun("erin")]))
    assert_2320001(transfer(client, task, user_id=kunlun("bob"), to_user_ids=[kunlun("erin")] * 21))
    assert_ok(transfer(client, task, user_id=kunlun("bob"), from_user_ids=[kunlun("bob")] * 20,
                       to_user_ids=[kunlun("erin")]))


def test_transfer_needs_user_id(client):
    """transfer: user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/transfer"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(transfer(client, task, to_user_ids=[kunlun("erin")]))


def add_assignee(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.approval_task.add_assignee(AddAssigneeApprovalTaskRequest.builder()
        .approval_task_id(task_id).request_body(build(AddAssigneeApprovalTaskRequestBody.builder(), **body)).build())


def test_add_assignee_approvers_take_at_most_20_ids(client):
    """add_assignee: approvers takes 0 to 20 ids; user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/add_assignee"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(add_assignee(client, task, user_id=kunlun("bob"), approvers=[kunlun("dana")] * 21,
                                add_assignee_type="currentAndAddAssign"))
    assert_2320001(add_assignee(client, task, approvers=[kunlun("dana")], add_assignee_type="currentAndAddAssign"))
    assert_ok(add_assignee(client, task, user_id=kunlun("bob"), approvers=[kunlun("dana")],
                           add_assignee_type="afterAndAddAssign"))


def test_add_assignee_approvers_are_optional(client):
    """add_assignee: approvers is optional (0 to 20 ids): with none, nothing is added and the call succeeds for the
    task's assignee; another user, or a task that is not pending, still answers 2320001.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/add_assignee"""
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    before = len(get_instance(client, inst).task_list)
    assert_ok(add_assignee(client, task, user_id=kunlun("bob")))
    assert_ok(add_assignee(client, task, user_id=kunlun("bob"), approvers=[]))
    assert len(get_instance(client, inst).task_list) == before
    assert_2320001(add_assignee(client, task, user_id=kunlun("carol")))
    assert_2320001(add_assignee(client, "no-such-task", user_id=kunlun("bob")))
    assert_ok(agree(client, task, user_id=kunlun("bob")))
    assert_2320001(add_assignee(client, task, user_id=kunlun("bob")))


def cancel(client: lark.Client, instance: str, **body: Any) -> Any:
    return client.apaas.v1.approval_instance.cancel(CancelApprovalInstanceRequest.builder()
        .approval_instance_id(instance).request_body(build(CancelApprovalInstanceRequestBody.builder(), **body))
        .build())


def test_cancel_needs_user_id_and_opinion(client):
    """approval_instance cancel: user_id and opinion are both required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/cancel"""
    inst = create_instance(client, "AND2")
    assert_2320001(cancel(client, inst, user_id=kunlun("alice")))
    assert_2320001(cancel(client, inst, opinion="withdrawn"))
    assert get_instance(client, inst).status == "PENDING"
    assert_ok(cancel(client, inst, user_id=kunlun("alice"), opinion="withdrawn"))


def cc(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.user_task.cc(CcUserTaskRequest.builder().task_id(task_id)
        .request_body(build(CcUserTaskRequestBody.builder(), **body)).build())


def test_cc_user_ids_take_1_to_10(client):
    """user_task cc: cc_user_ids is required with 1 to 10 ids; operator_user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/cc"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(cc(client, task, operator_user_id=kunlun("alice")))
    assert_2320001(cc(client, task, operator_user_id=kunlun("alice"), cc_user_ids=[]))
    assert_2320001(cc(client, task, operator_user_id=kunlun("alice"), cc_user_ids=[kunlun("erin")] * 11))
    assert_2320001(cc(client, task, cc_user_ids=[kunlun("erin")]))
    assert_ok(cc(client, task, operator_user_id=kunlun("alice"), cc_user_ids=[kunlun("erin")] * 10))


def chat_group(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.user_task.chat_group(ChatGroupUserTaskRequest.builder().task_id(task_id)
        .request_body(build(ChatGroupUserTaskRequestBody.builder(), **body)).build())


def test_chat_group_invite_user_ids_take_1_to_20(client):
    """user_task chat_group: operator_user_id is required; invite_user_ids, when sent, takes 1 to 20 ids.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/chat_group"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(chat_group(client, task, invite_user_ids=[kunlun("bob")]))
    assert_2320001(chat_group(client, task, operator_user_id=kunlun("alice"), invite_user_ids=[]))
    assert_2320001(chat_group(client, task, operator_user_id=kunlun("alice"), invite_user_ids=[kunlun("bob")] * 21))
    assert_ok(chat_group(client, task, operator_user_id=kunlun("alice"), invite_user_ids=[kunlun("bob")] * 20))
    assert_ok(chat_group(client, task, operator_user_id=kunlun("alice")))


def expediting(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.user_task.expediting(ExpeditingUserTaskRequest.builder().task_id(task_id)
        .request_body(build(ExpeditingUserTaskRequestBody.builder(), **body)).build())


def test_expediting_user_ids_take_1_to_20(client):
    """user_task expediting: operator_user_id and expediting_user_ids (1 to 20 ids) are required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/expediting"""
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_2320001(expediting(client, task, operator_user_id=kunlun("alice")))
    assert_2320001(expediting(client, task, operator_user_id=kunlun("alice"), expediting_user_ids=[kunlun("bob")] * 21))
    assert_2320001(expediting(client, task, expediting_user_ids=[kunlun("bob")]))
    assert_ok(expediting(client, task, operator_user_id=kunlun("alice"), expediting_user_ids=[kunlun("bob")] * 20))


def rollback(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.user_task.rollback(RollbackUserTaskRequest.builder().task_id(task_id)
        .request_body(build(RollbackUserTaskRequestBody.builder(), **body)).build())


def rollback_points(client: lark.Client, task_id: str, **body: Any) -> Any:
    return client.apaas.v1.user_task.rollback_points(RollbackPointsUserTaskRequest.builder().task_id(task_id)
        .request_body(build(RollbackPointsUserTaskRequestBody.builder(), **body)).build())


def test_rollback_and_its_points_need_their_fields(client):
    """user_task rollback: operator_user_id, to_task_id and opinion are required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/rollback
    rollback_points: operator_user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/rollback_points"""
    inst = create_instance(client, "TWOSTEP")
    assert_ok(agree(client, pending_task(client, inst, "bob"), user_id=kunlun("bob")))
    carol = pending_task(client, inst, "carol")
    assert_2320001(rollback_points(client, carol))
    points = rollback_points(client, carol, operator_user_id=kunlun("carol"))
    assert_ok(points)
    target = next(p.id for p in points.data.tasks if not p.is_start)
    assert_2320001(rollback(client, carol, to_task_id=target, opinion="redo"))
    assert_2320001(rollback(client, carol, operator_user_id=kunlun("carol"), opinion="redo"))
    assert_2320001(rollback(client, carol, operator_user_id=kunlun("carol"), to_task_id=target))
    assert pending_task(client, inst, "carol") == carol
    assert_ok(rollback(client, carol, operator_user_id=kunlun("carol"), to_task_id=target, opinion="redo"))


def query(client: lark.Client, **body: Any) -> Any:
    body.setdefault("type", "pending")
    return client.apaas.v1.user_task.query(QueryUserTaskRequest.builder()
        .request_body(build(QueryUserTaskRequestBody.builder(), **body)).build())


@pytest.mark.parametrize("field, value", [
    ("source", "toMe"), ("limit", "0"), ("limit", "51"), ("limit", "ten"), ("offset", "first"),
    ("start_time", "yesterday"), ("end_time", "2024-01-01"), ("api_ids", []), ("api_ids", ["LEAVE"] * 101)])
def test_query_refuses_values_outside_the_page(client, field, value):
    """user_task query: source is fromMe/assignMe/CCMe, limit a number string from 1 to 50, offset and the
    times number strings (milliseconds), api_ids 1 to 100 ids.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""
    assert_2320001(query(client, kunlun_user_id=kunlun("bob"), **{field: value}))


def test_query_accepts_the_page_boundaries(client):
    """user_task query: limit 1 and 50, 100 api_ids, number-string offset and times are accepted.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""
    create_instance(client, "AND2")
    for body in ({"limit": "1"}, {"limit": "50", "offset": "0"}, {"api_ids": ["AND2"] * 100},
                 {"start_time": "0", "end_time": "4102444800000", "source": "CCMe"}):
        assert_ok(query(client, kunlun_user_id=kunlun("bob"), **body))


def test_query_type_is_optional(client):
    """user_task query: type is optional (the page names no default); left out, the user's pending and archived
    tasks are both listed.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""
    done = pending_task(client, create_instance(client, "AND2"), "carol")
    assert_ok(agree(client, done, user_id=kunlun("carol")))
    waiting = pending_task(client, create_instance(client, "AND2"), "carol")
    everything = client.apaas.v1.user_task.query(QueryUserTaskRequest.builder().request_body(
        QueryUserTaskRequestBody.builder().source("assignMe").limit("50").kunlun_user_id(kunlun("carol")).build())
        .build())
    assert_ok(everything)
    assert {done, waiting} <= {t.task_id for t in everything.data.tasks}
    pending = query(client, source="assignMe", limit="50", kunlun_user_id=kunlun("carol"))
    assert waiting in {t.task_id for t in pending.data.tasks} and done not in {t.task_id for t in pending.data.tasks}


def test_query_needs_kunlun_user_id(client):
    """user_task query: kunlun_user_id is required.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""
    assert_2320001(query(client, source="assignMe"))


def test_query_and_rollback_points_take_the_read_scope(client, client_for):
    """user_task query and rollback_points: the permission row is app_engine:approval:read.
    Pages: https://open.feishu.cn/document/apaas-v1/flow/user-task/query and
    https://open.feishu.cn/document/apaas-v1/flow/user-task/rollback_points"""
    reader = client_for("cli_acme_apaas_ro")
    assert_ok(query(reader, kunlun_user_id=kunlun("bob")))
    task = pending_task(client, create_instance(client, "AND2"), "bob")
    assert_ok(rollback_points(reader, task, operator_user_id=kunlun("bob")))
    assert reader.apaas.v1.approval_task.agree(AgreeApprovalTaskRequest.builder().approval_task_id(task).request_body(
        AgreeApprovalTaskRequestBody.builder().user_id(kunlun("bob")).build()).build()).code == 99991672


def test_query_refuses_an_app_with_only_the_write_scope(client_for):
    """user_task query: an app holding only app_engine:approval:write lacks the page's scope, 99991672.
    Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""
    assert query(client_for("cli_acme_apaas"), kunlun_user_id=kunlun("bob")).code == 99991672
