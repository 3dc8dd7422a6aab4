"""The rest of aPaaS v1: agree, transfer, add_assignee, instance cancel and the user_task endpoints."""

from __future__ import annotations

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


def agree(client, task_id, user, opinion="ok"):
    return client.apaas.v1.approval_task.agree(AgreeApprovalTaskRequest.builder().approval_task_id(task_id)
        .request_body(AgreeApprovalTaskRequestBody.builder().user_id(kunlun(user)).opinion(opinion).build()).build())


def test_agree_moves_the_flow(client):
    inst = create_instance(client, "TWOSTEP")
    assert agree(client, pending_task(client, inst, "bob"), "bob").code == 0
    assert agree(client, pending_task(client, inst, "carol"), "carol").code == 0
    assert get_instance(client, inst).status == "APPROVED"
    assert agree(client, "123", "bob").code == 2320001


def test_transfer_and_add_assignee(client):
    inst = create_instance(client, "TWOSTEP")
    moved = client.apaas.v1.approval_task.transfer(TransferApprovalTaskRequest.builder()
        .approval_task_id(pending_task(client, inst, "bob")).request_body(TransferApprovalTaskRequestBody.builder()
        .user_id(kunlun("bob")).from_user_ids([kunlun("bob")]).to_user_ids([kunlun("erin")]).opinion("away").build()).build())
    assert moved.code == 0, (moved.msg, moved.error)
    added = client.apaas.v1.approval_task.add_assignee(AddAssigneeApprovalTaskRequest.builder()
        .approval_task_id(pending_task(client, inst, "erin")).request_body(AddAssigneeApprovalTaskRequestBody.builder()
        .user_id(kunlun("erin")).approvers([kunlun("dana")]).add_assignee_type("currentAndAddAssign").build()).build())
    assert added.code == 0, (added.msg, added.error)
    assert sorted(t.user_id for t in get_instance(client, inst).task_list if t.status == "PENDING") == ["dana", "erin"]
    bad = client.apaas.v1.approval_task.add_assignee(AddAssigneeApprovalTaskRequest.builder()
        .approval_task_id(pending_task(client, inst, "erin")).request_body(AddAssigneeApprovalTaskRequestBody.builder()
        .user_id(kunlun("erin")).approvers([kunlun("dana")]).add_assignee_type("sideways").build()).build())
    assert bad.code == 2320001


def test_cancel_instance(client):
    inst = create_instance(client, "AND2")
    def cancel(user, opinion="withdrawn"):
        return client.apaas.v1.approval_instance.cancel(CancelApprovalInstanceRequest.builder()
            .approval_instance_id(inst).request_body(CancelApprovalInstanceRequestBody.builder().user_id(kunlun(user))
            .opinion(opinion).build()).build())
    assert cancel("bob").code == 2320001
    assert cancel("alice").code == 0
    assert get_instance(client, inst).status == "CANCELED"


def test_user_task_query(client):
    inst = create_instance(client, "AND2")
    resp = client.apaas.v1.user_task.query(QueryUserTaskRequest.builder().request_body(QueryUserTaskRequestBody
        .builder().type("pending").source("assignMe").limit("50").kunlun_user_id(kunlun("carol")).build()).build())
    assert resp.code == 0, (resp.msg, resp.error)
    assert pending_task(client, inst, "carol") in [t.task_id for t in resp.data.tasks]
    mine = client.apaas.v1.user_task.query(QueryUserTaskRequest.builder().request_body(QueryUserTaskRequestBody
        .builder().type("pending").source("fromMe").limit("50").kunlun_user_id(kunlun("alice")).build()).build())
    assert inst in [t.workflow_instance.id for t in mine.data.tasks]
    bad = client.apaas.v1.user_task.query(QueryUserTaskRequest.builder().request_body(QueryUserTaskRequestBody
        .builder().type("sometimes").kunlun_user_id(kunlun("carol")).build()).build())
    assert bad.code == 2320001


def test_user_task_cc_expediting_chat_group(client):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    cc = client.apaas.v1.user_task.cc(CcUserTaskRequest.builder().task_id(task).request_body(
        CcUserTaskRequestBody.builder().operator_user_id(kunlun("alice")).cc_user_ids([kunlun("erin")]).build()).build())
    assert cc.code == 0, (cc.msg, cc.error)
    assert get_instance(client, inst).timeline[-1].type == "CC"
    nudge = client.apaas.v1.user_task.expediting(ExpeditingUserTaskRequest.builder().task_id(task).request_body(
        ExpeditingUserTaskRequestBody.builder().operator_user_id(kunlun("alice")).expediting_user_ids([kunlun("bob")])
        .opinion("please").build()).build())
    assert nudge.code == 0
    wrong = client.apaas.v1.user_task.expediting(ExpeditingUserTaskRequest.builder().task_id(task).request_body(
        ExpeditingUserTaskRequestBody.builder().operator_user_id(kunlun("alice")).expediting_user_ids([kunlun("dana")])
        .build()).build())
    assert wrong.code == 2320001
    chat = client.apaas.v1.user_task.chat_group(ChatGroupUserTaskRequest.builder().task_id(task).request_body(
        ChatGroupUserTaskRequestBody.builder().operator_user_id(kunlun("alice")).invite_user_ids([kunlun("bob")]).build())
        .build())
    assert chat.code == 0 and chat.data.chat_id


def test_user_task_rollback_points_and_rollback(client):
    inst = create_instance(client, "TWOSTEP")
    assert agree(client, pending_task(client, inst, "bob"), "bob").code == 0
    carol = pending_task(client, inst, "carol")
    points = client.apaas.v1.user_task.rollback_points(RollbackPointsUserTaskRequest.builder().task_id(carol)
        .request_body(RollbackPointsUserTaskRequestBody.builder().operator_user_id(kunlun("carol")).build()).build())
    assert points.code == 0, (points.msg, points.error)
    earlier = [p for p in points.data.tasks if not p.is_start]
    assert len(earlier) == 1 and points.data.tasks[-1].is_start
    back = client.apaas.v1.user_task.rollback(RollbackUserTaskRequest.builder().task_id(carol).request_body(
        RollbackUserTaskRequestBody.builder().operator_user_id(kunlun("carol")).to_task_id(earlier[0].id)
        .opinion("redo").build()).build())
    assert back.code == 0, (back.msg, back.error)
    assert [t.user_id for t in get_instance(client, inst).task_list if t.status == "PENDING"] == ["bob"]
