"""Request rules of the user-token approval methods, driven through lark-oapi.

No public Feishu reference page documents these methods; each rule is what the SDKs declare
(@larksuiteoapi/node-sdk types/index.d.ts and lark-oapi), named in the test's docstring. shenpi answers a
request outside the declaration with 1390001 (HTTP 400), approval v4's code for an invalid parameter.
"""

from __future__ import annotations

import httpx
import pytest
from lark_oapi.api.approval.v4 import (
    AddSignTaskRequest,
    AddSignTaskRequestBody,
    DetailInstanceRequest,
    ForwardTaskRequest,
    ForwardTaskRequestBody,
    InitiatedInstanceRequest,
    ListTaskRequest,
    PassTaskRequest,
    PassTaskRequestBody,
    RecallInstanceRequest,
    RecallInstanceRequestBody,
    RefuseTaskRequest,
    RefuseTaskRequestBody,
    RollbackTaskRequest,
    RollbackTaskRequestBody,
    SubscriptionInstanceRequest,
    SubscriptionInstanceRequestBody,
    SubscriptionTaskRequest,
    SubscriptionTaskRequestBody,
    UnsubscriptionInstanceRequest,
    UnsubscriptionTaskRequest,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task, reject

PARAM_INVALID = (400, 1390001)


def answer(resp) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return resp.raw.status_code, resp.code


def test_task_list_requires_topic(as_user):
    """topic is required (node-sdk: approval.v4.task.list params.topic, not optional)."""
    uc, opt = as_user
    assert answer(uc.approval.v4.task.list(ListTaskRequest.builder().topic(1).build(), opt("carol"))) == (200, 0)
    assert answer(uc.approval.v4.task.list(ListTaskRequest.builder().build(), opt("carol"))) == PARAM_INVALID


def test_task_subscription_type_is_an_enum(as_user):
    """subscription_type is INVOLVED_APPROVAL or MANAGED_APPROVAL (node-sdk: approval.v4.task.subscription)."""
    uc, opt = as_user
    sub = uc.approval.v4.task.subscription(SubscriptionTaskRequest.builder().request_body(
        SubscriptionTaskRequestBody.builder().subscription_type("mine").build()).build(), opt("carol"))
    assert answer(sub) == PARAM_INVALID


def test_task_unsubscription_type_is_an_enum(as_user):
    """subscription_type is INVOLVED_APPROVAL or MANAGED_APPROVAL (node-sdk: approval.v4.task.unsubscription)."""
    uc, opt = as_user
    unsub = uc.approval.v4.task.unsubscription(UnsubscriptionTaskRequest.builder().subscription_type("mine").build(),
                                               opt("carol"))
    assert answer(unsub) == PARAM_INVALID


def test_instance_unsubscription_type_is_an_enum(as_user):
    """subscription_type is INVOLVED_APPROVAL or MANAGED_APPROVAL (node-sdk: approval.v4.instance.unsubscription)."""
    uc, opt = as_user
    unsub = uc.approval.v4.instance.unsubscription(UnsubscriptionInstanceRequest.builder().subscription_type("mine")
                                                   .build(), opt("carol"))
    assert answer(unsub) == PARAM_INVALID


def test_instance_subscription_type_is_an_enum(as_user):
    """subscription_type is INVOLVED_APPROVAL or MANAGED_APPROVAL (node-sdk: approval.v4.instance.subscription)."""
    uc, opt = as_user
    sub = uc.approval.v4.instance.subscription(SubscriptionInstanceRequest.builder().request_body(
        SubscriptionInstanceRequestBody.builder().subscription_type("everything").build()).build(), opt("carol"))
    assert answer(sub) == PARAM_INVALID


def test_add_sign_type_is_1_2_or_3(client, as_user):
    """add_sign_type is 1 (before), 2 (after) or 3 (together): node-sdk declares a number, Feishu's lark-cli
    approval skill documents the three values."""
    uc, opt = as_user
    inst = create_instance(client, "AND2")
    body = (AddSignTaskRequestBody.builder().instance_code(inst).task_id(pending_task(client, inst, "bob"))
            .add_sign_user_ids(["erin"]).add_sign_type(4).build())
    resp = uc.approval.v4.task.add_sign(AddSignTaskRequest.builder().user_id_type("user_id").request_body(body)
                                        .build(), opt("bob"))
    assert answer(resp) == PARAM_INVALID


# (method path, body without the field the SDK declares required, that field); the instance and task ids are
# placeholders: the request is refused before anything is looked up.
REQUIRED = [
    ("tasks/pass", {"instance_code": "I"}, "task_id"),
    ("tasks/refuse", {"task_id": "T"}, "instance_code"),
    ("tasks/forward", {"instance_code": "I", "task_id": "T"}, "transfer_user_id"),
    ("tasks/rollback", {"instance_code": "I", "task_id": "T"}, "node_ids"),
    ("tasks/add_sign", {"instance_code": "I", "task_id": "T", "add_sign_user_ids": ["erin"]}, "add_sign_type"),
    ("instances/recall", {}, "instance_code"),
    ("instances/remind", {"instance_code": "I"}, "task_ids"),
    ("instances/add_cc", {"instance_code": "I"}, "cc_user_ids"),
    ("tasks/subscription", {}, "subscription_type"),
    ("instances/subscription", {}, "subscription_type"),
]


@pytest.mark.parametrize("path, body, field", REQUIRED, ids=[f"{p}-{f}" for p, _, f in REQUIRED])
def test_a_declared_required_field_left_out_is_1390001(server, as_user, path, body, field):
    """Each of these fields is required in the node-sdk declaration of its method (not optional there); the body
    is sent raw so the SDK's builder cannot fill it in."""
    _, opt = as_user
    token = opt("bob").user_access_token
    r = httpx.post(f"{server.base_url}/open-apis/approval/v4/{path}", json=body,
                   headers={"Authorization": f"Bearer {token}"})
    assert (r.status_code, r.json()["code"]) == PARAM_INVALID
    assert field in [v["field"] for v in r.json()["error"]["field_violations"]]


def test_detail_requires_instance_code(as_user):
    """instance_code is required (node-sdk: approval.v4.instance.detail params.instance_code)."""
    uc, opt = as_user
    resp = uc.approval.v4.instance.detail(DetailInstanceRequest.builder().build(), opt("bob"))
    assert answer(resp) == PARAM_INVALID


# What the signed-in user may act on. No page documents these methods; the rules are the SDKs' descriptions, and
# the codes are those the tenant pages answer for the same conditions (1390009: not the task's approver or the
# instance's submitter, from https://open.feishu.cn/document/server-docs/approval-v4/task/approve).


@pytest.mark.parametrize("action", ["pass_", "refuse"])
def test_pass_and_refuse_act_on_the_signed_in_users_own_task(client, as_user, action):
    """pass_ and refuse act on a task of the signed-in user; another user's task is 1390009 and stays pending."""
    uc, opt = as_user
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    request, body = {"pass_": (PassTaskRequest, PassTaskRequestBody),
                     "refuse": (RefuseTaskRequest, RefuseTaskRequestBody)}[action]
    req = request.builder().request_body(body.builder().instance_code(inst).task_id(task).build()).build()
    call = getattr(uc.approval.v4.task, action)
    assert answer(call(req, opt("carol"))) == (403, 1390009)
    assert pending_task(client, inst, "bob") == task
    assert answer(call(req, opt("bob"))) == (200, 0)


def test_forward_reads_transfer_user_id_in_the_user_id_type_asked(client, as_user):
    """transfer_user_id is of the user_id_type asked, open_id by default: a user_id sent without the type names
    nobody (1390004, as the tenant transfer page answers an unknown transferee)."""
    uc, opt = as_user
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")

    def forward(to: str, id_type: str | None) -> tuple[int, int]:
        req = ForwardTaskRequest.builder().request_body(ForwardTaskRequestBody.builder().instance_code(inst)
                                                        .task_id(task).transfer_user_id(to).build())
        if id_type:
            req = req.user_id_type(id_type)
        return answer(uc.approval.v4.task.forward(req.build(), opt("bob")))

    assert forward("erin", None) == (400, 1390004)
    erin = get_instance(client, create_instance(client, user_id="erin"), "open_id").open_id
    assert forward(erin, None) == (200, 0)
    assert pending_task(client, inst, "erin")


def test_add_sign_approval_method_is_1_or_2_for_types_1_and_2(client, as_user):
    """approval_method is 1 (any one) or 2 (all), given for add_sign_type 1 and 2; type 3 takes none."""
    uc, opt = as_user

    def sign(kind: int, method: int | None) -> tuple[int, int]:
        inst = create_instance(client, "AND2")
        b = (AddSignTaskRequestBody.builder().instance_code(inst).task_id(pending_task(client, inst, "bob"))
             .add_sign_user_ids(["erin"]).add_sign_type(kind))
        if method is not None:
            b = b.approval_method(method)
        return answer(uc.approval.v4.task.add_sign(AddSignTaskRequest.builder().user_id_type("user_id")
                                                   .request_body(b.build()).build(), opt("bob")))

    assert [sign(1, 1), sign(2, 2), sign(3, None)] == [(200, 0)] * 3
    assert [sign(1, None), sign(2, 3)] == [PARAM_INVALID] * 2


def test_rollback_node_ids_name_nodes_already_approved(client, as_user):
    """node_ids names the already approved nodes to go back to: the current or a later node is 1390001."""
    uc, opt = as_user
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    task = pending_task(client, inst, "carol")

    def back(nodes: list[str]) -> tuple[int, int]:
        return answer(uc.approval.v4.task.rollback(RollbackTaskRequest.builder().request_body(
            RollbackTaskRequestBody.builder().instance_code(inst).task_id(task).node_ids(nodes).build()).build(),
            opt("carol")))

    assert back(["two"]) == PARAM_INVALID
    assert back(["one"]) == (200, 0)
    assert pending_task(client, inst, "bob")


def test_recall_takes_only_an_instance_the_user_started(client, as_user):
    """Only an instance the signed-in user started can be recalled: its approver is refused with 1390009."""
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="dana")
    req = RecallInstanceRequest.builder().request_body(RecallInstanceRequestBody.builder().instance_code(inst)
                                                       .build()).build()
    assert answer(uc.approval.v4.instance.recall(req, opt("bob"))) == (403, 1390009)
    assert get_instance(client, inst).status == "PENDING"
    assert answer(uc.approval.v4.instance.recall(req, opt("dana"))) == (200, 0)


def test_initiated_answers_instance_status_as_a_code(client, as_user):
    """instance_status is a code: 1 running, 2 approved, 3 rejected, 4 recalled (0 no process state, 5
    terminated)."""
    uc, opt = as_user
    running, approved, rejected, recalled = (create_instance(client, "AND2", user_id="erin") for _ in range(4))
    for user in ("bob", "carol"):
        assert approve(client, "AND2", approved, user, pending_task(client, approved, user)).code == 0
    assert reject(client, "AND2", rejected, "bob", pending_task(client, rejected, "bob")).code == 0
    assert answer(uc.approval.v4.instance.recall(RecallInstanceRequest.builder().request_body(
        RecallInstanceRequestBody.builder().instance_code(recalled).build()).build(), opt("erin"))) == (200, 0)
    listed = uc.approval.v4.instance.initiated(InitiatedInstanceRequest.builder().page_size(100).build(), opt("erin"))
    assert listed.code == 0, listed.msg
    status = {i.instance_code: i.instance_status for i in listed.data.instances}
    assert [status[c] for c in (running, approved, rejected, recalled)] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("kind", ["task", "instance"])
def test_unsubscription_without_a_type_ends_every_type(as_user, kind):
    """subscription_type is optional on unsubscription (node-sdk: approval.v4.task.unsubscription and
    approval.v4.instance.unsubscription declare it `subscription_type?`): left out, the user's subscriptions of every
    type end, and with none left a second call answers 1390007 (already off), the code the approval unsubscribe page
    gives. Page: https://open.feishu.cn/document/server-docs/approval-v4/approval/unsubscribe"""
    uc, opt = as_user
    user = "dana" if kind == "task" else "erin"
    api = getattr(uc.approval.v4, kind)
    sub_req, body, unsub_req = ((SubscriptionTaskRequest, SubscriptionTaskRequestBody, UnsubscriptionTaskRequest)
                                if kind == "task" else
                                (SubscriptionInstanceRequest, SubscriptionInstanceRequestBody,
                                 UnsubscriptionInstanceRequest))
    for stype in ("INVOLVED_APPROVAL", "MANAGED_APPROVAL"):
        sub = api.subscription(sub_req.builder().request_body(body.builder().subscription_type(stype).build())
                               .build(), opt(user))
        assert sub.code == 0, sub.msg
    off = api.unsubscription(unsub_req.builder().build(), opt(user))
    assert answer(off) == (200, 0), off.msg
    for stype in ("INVOLVED_APPROVAL", "MANAGED_APPROVAL"):  # each can be taken again: both ended
        again = api.subscription(sub_req.builder().request_body(body.builder().subscription_type(stype).build())
                                 .build(), opt(user))
        assert again.code == 0, (stype, again.msg)
    assert answer(api.unsubscription(unsub_req.builder().build(), opt(user))) == (200, 0)
    assert answer(api.unsubscription(unsub_req.builder().build(), opt(user))) == (400, 1390007)
