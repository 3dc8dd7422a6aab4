"""The codes the user-token approval methods answer for a wrong instance, task or user, driven through lark-oapi.

No public Feishu page documents these methods. Each code below is the one the tenant-token page documents for the
same condition, written here by hand:

- 1390003 no instance has the instance code (https://open.feishu.cn/document/server-docs/approval-v4/instance/get)
- 1390010 the instance has no pending task with the task id, and 1390009 (HTTP 403) the user is not the task's
  approver (https://open.feishu.cn/document/server-docs/approval-v4/task/approve)
- 1390004 a user id names nobody (https://open.feishu.cn/document/server-docs/approval-v4/task/transfer)
- 1395210 the instance was already withdrawn (https://open.feishu.cn/document/server-docs/approval-v4/instance/cancel)
"""

from __future__ import annotations

from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    AddCcInstanceRequest,
    AddCcInstanceRequestBody,
    AddSignTaskRequest,
    AddSignTaskRequestBody,
    DetailInstanceRequest,
    ForwardTaskRequest,
    ForwardTaskRequestBody,
    InitiatedInstanceRequest,
    PassTaskRequest,
    PassTaskRequestBody,
    RecallInstanceRequest,
    RecallInstanceRequestBody,
    RefuseTaskRequest,
    RefuseTaskRequestBody,
    RemindInstanceRequest,
    RemindInstanceRequestBody,
    RollbackTaskRequest,
    RollbackTaskRequestBody,
    SubscriptionInstanceRequest,
    SubscriptionInstanceRequestBody,
    UnsubscriptionInstanceRequest,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task

# method -> (request, body builder, extra body fields beyond instance_code and task_id). TWOSTEP's node "one" is
# bob's; rollback needs an approved node, so its instances are at node "two" (carol's task).
TASK_METHODS: dict[str, tuple[Any, Any, dict[str, Any]]] = {
    "pass_": (PassTaskRequest, PassTaskRequestBody, {}),
    "refuse": (RefuseTaskRequest, RefuseTaskRequestBody, {}),
    "forward": (ForwardTaskRequest, ForwardTaskRequestBody, {"transfer_user_id": "erin"}),
    "rollback": (RollbackTaskRequest, RollbackTaskRequestBody, {"node_ids": ["one"]}),
    "add_sign": (AddSignTaskRequest, AddSignTaskRequestBody, {"add_sign_user_ids": ["erin"], "add_sign_type": 3}),
}


def answer(resp: Any) -> tuple[int, int]:
    return resp.raw.status_code, resp.code


def task_call(uc: lark.Client, method: str, body: dict[str, Any], option: lark.RequestOption) -> tuple[int, int]:
    request, model, _ = TASK_METHODS[method]
    b = model.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    req = request.builder().request_body(b.build())
    if method in ("forward", "add_sign"):
        req = req.user_id_type("user_id")
    return answer(getattr(uc.approval.v4.task, method)(req.build(), option))


def at_work(client: lark.Client, method: str) -> tuple[str, str, str]:
    """(instance, the pending task, its approver) the method could act on."""
    inst = create_instance(client, "TWOSTEP")
    if method != "rollback":
        return inst, pending_task(client, inst, "bob"), "bob"
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    return inst, pending_task(client, inst, "carol"), "carol"


@pytest.mark.parametrize("method", sorted(TASK_METHODS))
def test_a_task_method_on_an_unknown_instance_is_1390003(client, as_user, method):
    uc, opt = as_user
    _, task, user = at_work(client, method)
    body = {"instance_code": "NO-SUCH-INSTANCE", "task_id": task, **TASK_METHODS[method][2]}
    assert task_call(uc, method, body, opt(user)) == (400, 1390003)


@pytest.mark.parametrize("method", sorted(TASK_METHODS))
def test_a_task_method_on_a_task_not_pending_in_the_instance_is_1390010(client, as_user, method):
    uc, opt = as_user
    inst, _, user = at_work(client, method)
    body = {"instance_code": inst, "task_id": "12345", **TASK_METHODS[method][2]}
    assert task_call(uc, method, body, opt(user)) == (400, 1390010)


@pytest.mark.parametrize("method", sorted(TASK_METHODS))
def test_a_task_method_by_a_user_not_its_approver_is_1390009_and_changes_nothing(client, as_user, method):
    uc, opt = as_user
    inst, task, user = at_work(client, method)
    body = {"instance_code": inst, "task_id": task, **TASK_METHODS[method][2]}
    assert task_call(uc, method, body, opt("dana")) == (403, 1390009)
    assert pending_task(client, inst, user) == task


def test_add_sign_of_a_user_naming_nobody_is_1390004(client, as_user):
    uc, opt = as_user
    inst, task, user = at_work(client, "add_sign")
    body = {"instance_code": inst, "task_id": task, "add_sign_user_ids": ["ghost"], "add_sign_type": 3}
    assert task_call(uc, "add_sign", body, opt(user)) == (400, 1390004)
    assert pending_task(client, inst, user) == task


def test_add_cc_of_an_unknown_instance_is_1390003_and_of_a_user_naming_nobody_1390004(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="dana")

    def add_cc(code: str, users: list[str]) -> tuple[int, int]:
        return answer(uc.approval.v4.instance.add_cc(AddCcInstanceRequest.builder().user_id_type("user_id")
                                                     .request_body(AddCcInstanceRequestBody.builder()
                                                                   .instance_code(code).cc_user_ids(users).build())
                                                     .build(), opt("dana")))

    assert add_cc("NO-SUCH-INSTANCE", ["erin"]) == (400, 1390003)
    assert add_cc(inst, ["ghost"]) == (400, 1390004)
    assert add_cc(inst, ["erin"]) == (200, 0)


def test_remind_of_an_unknown_instance_is_1390003_and_of_a_task_not_pending_1390010(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="dana")

    def remind(code: str, task: int) -> tuple[int, int]:
        return answer(uc.approval.v4.instance.remind(RemindInstanceRequest.builder().request_body(
            RemindInstanceRequestBody.builder().instance_code(code).task_ids([task]).build()).build(), opt("dana")))

    task = int(pending_task(client, inst, "bob"))
    assert remind("NO-SUCH-INSTANCE", task) == (400, 1390003)
    assert remind(inst, 12345) == (400, 1390010)
    assert remind(inst, task) == (200, 0)


def test_recall_of_an_unknown_instance_is_1390003_and_twice_1395210(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="dana")

    def recall(code: str) -> tuple[int, int]:
        return answer(uc.approval.v4.instance.recall(RecallInstanceRequest.builder().request_body(
            RecallInstanceRequestBody.builder().instance_code(code).build()).build(), opt("dana")))

    assert recall("NO-SUCH-INSTANCE") == (400, 1390003)
    assert recall(inst) == (200, 0)
    assert recall(inst) == (400, 1395210)
    assert get_instance(client, inst).status == "CANCELED"


def test_detail_of_an_unknown_instance_is_1390003(as_user):
    uc, opt = as_user
    resp = uc.approval.v4.instance.detail(DetailInstanceRequest.builder().instance_code("NO-SUCH-INSTANCE").build(),
                                          opt("dana"))
    assert answer(resp) == (400, 1390003)


def test_initiated_with_a_locale_outside_its_enum_is_1390001(as_user):
    """locale is zh-CN, en-US or ja-JP (node-sdk: approval.v4.instance.initiated params.locale); 1390001 is approval
    v4's code for an invalid parameter (https://open.feishu.cn/document/server-docs/approval-v4/approval/create)."""
    uc, opt = as_user
    ok = uc.approval.v4.instance.initiated(InitiatedInstanceRequest.builder().locale("en-US").build(), opt("dana"))
    bad = uc.approval.v4.instance.initiated(InitiatedInstanceRequest.builder().locale("xx-XX").build(), opt("dana"))
    assert (answer(ok), answer(bad)) == ((200, 0), (400, 1390001))


def test_instance_subscription_taken_twice_is_1390007(as_user):
    """A subscription the user already holds is 1390007, the code the approval subscribe page gives for a repeat
    (https://open.feishu.cn/document/server-docs/approval-v4/approval/subscribe)."""
    uc, opt = as_user

    def subscribe() -> tuple[int, int]:
        return answer(uc.approval.v4.instance.subscription(SubscriptionInstanceRequest.builder().request_body(
            SubscriptionInstanceRequestBody.builder().subscription_type("MANAGED_APPROVAL").build()).build(),
            opt("alice")))

    uc.approval.v4.instance.unsubscription(UnsubscriptionInstanceRequest.builder().build(), opt("alice"))  # a clean start
    assert subscribe() == (200, 0)
    assert subscribe() == (400, 1390007)
    off = uc.approval.v4.instance.unsubscription(UnsubscriptionInstanceRequest.builder()
                                                 .subscription_type("MANAGED_APPROVAL").build(), opt("alice"))
    assert answer(off) == (200, 0)
