"""aPaaS transfer to several users, and add_assignee without a type, as the pages allow.

- https://open.feishu.cn/document/apaas-v1/flow/user-task/transfer (``to_user_ids``: 0 to 20 users)
- https://open.feishu.cn/document/apaas-v1/flow/user-task/add_assignee (``add_assignee_type`` optional)

What several transferees mean is shenpi's choice (docs/compatibility.md): each gets the task, the first to act
decides, and the others' tasks close.
"""

from __future__ import annotations

import lark_oapi as lark
from lark_oapi.api.apaas.v1 import (
    AddAssigneeApprovalTaskRequest,
    AddAssigneeApprovalTaskRequestBody,
    TransferApprovalTaskRequest,
    TransferApprovalTaskRequestBody,
)

from shenpi.ids import derived_apaas_user_id
from tests.api.helpers import approve, create_instance, get_instance, pending_task


def k(user: str) -> str:
    return "1783981209205788" if user == "alice" else derived_apaas_user_id("acme", user)


def _transfer(client: lark.Client, task_id: str, user: str, to: list[str]):  # type: ignore[no-untyped-def]
    body = TransferApprovalTaskRequestBody.builder().user_id(k(user)).to_user_ids([k(u) for u in to]).opinion("away")
    return client.apaas.v1.approval_task.transfer(TransferApprovalTaskRequest.builder().approval_task_id(task_id)
                                                  .request_body(body.build()).build())


def _statuses(client: lark.Client, inst: str, node: str) -> dict[str, str]:
    return {t.user_id: t.status for t in get_instance(client, inst).task_list if t.custom_node_id == node}


def test_a_task_transferred_to_several_is_decided_by_the_first_of_them(client: lark.Client) -> None:
    inst = create_instance(client, "TWOSTEP")
    moved = _transfer(client, pending_task(client, inst, "bob"), "bob", ["erin", "dana"])
    assert moved.code == 0, (moved.msg, moved.error)
    assert _statuses(client, inst, "one") == {"bob": "TRANSFERRED", "erin": "PENDING", "dana": "PENDING"}
    timeline = [e for e in get_instance(client, inst).timeline if e.type == "TRANSFER"]
    assert timeline[0].user_id_list == ["erin", "dana"]
    assert approve(client, "TWOSTEP", inst, "dana", pending_task(client, inst, "dana")).code == 0
    assert _statuses(client, inst, "one") == {"bob": "TRANSFERRED", "erin": "DONE", "dana": "APPROVED"}
    assert _statuses(client, inst, "two") == {"carol": "PENDING"}


def test_transfer_takes_one_to_twenty_users(client: lark.Client) -> None:
    inst = create_instance(client, "TWOSTEP")
    task = pending_task(client, inst, "bob")
    assert _transfer(client, task, "bob", []).code == 2320001
    many = _transfer(client, task, "bob", ["erin"] * 21)
    assert many.code == 2320001 and many.error["field_violations"][0]["field"] == "to_user_ids"


def test_add_assignee_without_a_type_adds_alongside(client: lark.Client) -> None:
    inst = create_instance(client, "TWOSTEP")
    body = AddAssigneeApprovalTaskRequestBody.builder().user_id(k("bob")).approvers([k("dana")]).opinion("help")
    added = client.apaas.v1.approval_task.add_assignee(AddAssigneeApprovalTaskRequest.builder()
        .approval_task_id(pending_task(client, inst, "bob")).request_body(body.build()).build())
    assert added.code == 0, (added.msg, added.error)
    assert _statuses(client, inst, "one") == {"bob": "PENDING", "dana": "PENDING"}
    assert [e.type for e in get_instance(client, inst).timeline][-1] == "ADD_APPROVER"
