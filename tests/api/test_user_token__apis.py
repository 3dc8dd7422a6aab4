"""The 15 user-token endpoints, as the signed-in user (enable_set_token + user_access_token)."""

from __future__ import annotations

import subprocess
import sys

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
    ListTaskRequest,
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
    SubscriptionTaskRequest,
    SubscriptionTaskRequestBody,
    UnsubscriptionInstanceRequest,
    UnsubscriptionTaskRequest,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task


@pytest.fixture(scope="module")
def as_user(server):
    """(client, option) for a user: the SDK sends the user's token we minted with the CLI."""
    client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(server.base_url)
              .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())
    tokens: dict[str, str] = {}

    def option(user_id: str) -> lark.RequestOption:
        if user_id not in tokens:
            tokens[user_id] = subprocess.run(
                [sys.executable, "-m", "shenpi", "token", "user", user_id, "--app", "cli_acme", "--db", server.db_url],
                capture_output=True, text=True, check=True).stdout.strip()
        return lark.RequestOption.builder().user_access_token(tokens[user_id]).build()

    return client, option


def statuses(client, inst):
    return {t.user_id: t.status for t in get_instance(client, inst).task_list}


def test_pass_and_refuse(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2")
    ok = uc.approval.v4.task.pass_(PassTaskRequest.builder().request_body(PassTaskRequestBody.builder()
                                   .instance_code(inst).task_id(pending_task(client, inst, "bob")).comment("ok")
                                   .build()).build(), opt("bob"))
    assert ok.code == 0, (ok.msg, ok.error)
    no = uc.approval.v4.task.refuse(RefuseTaskRequest.builder().request_body(RefuseTaskRequestBody.builder()
                                    .instance_code(inst).task_id(pending_task(client, inst, "carol")).comment("no")
                                    .build()).build(), opt("carol"))
    assert no.code == 0 and get_instance(client, inst).status == "REJECTED"
    other = create_instance(client, "AND2")
    wrong = uc.approval.v4.task.pass_(PassTaskRequest.builder().request_body(PassTaskRequestBody.builder()
                                      .instance_code(other).task_id(pending_task(client, other, "bob")).build())
                                      .build(), opt("carol"))
    assert wrong.code == 1390009


def test_forward_add_sign_and_rollback(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "TWOSTEP")
    fwd = uc.approval.v4.task.forward(ForwardTaskRequest.builder().user_id_type("user_id").request_body(
        ForwardTaskRequestBody.builder().instance_code(inst).task_id(pending_task(client, inst, "bob"))
        .transfer_user_id("erin").build()).build(), opt("bob"))
    assert fwd.code == 0, (fwd.msg, fwd.error)
    sign = uc.approval.v4.task.add_sign(AddSignTaskRequest.builder().user_id_type("user_id").request_body(
        AddSignTaskRequestBody.builder().instance_code(inst).task_id(pending_task(client, inst, "erin"))
        .add_sign_user_ids(["dana"]).add_sign_type(3).build()).build(), opt("erin"))
    assert sign.code == 0, (sign.msg, sign.error)
    assert approve(client, "TWOSTEP", inst, "erin", pending_task(client, inst, "erin")).code == 0
    assert approve(client, "TWOSTEP", inst, "dana", pending_task(client, inst, "dana")).code == 0
    back = uc.approval.v4.task.rollback(RollbackTaskRequest.builder().request_body(
        RollbackTaskRequestBody.builder().instance_code(inst).task_id(pending_task(client, inst, "carol"))
        .node_ids(["one"]).comment("again").build()).build(), opt("carol"))
    assert back.code == 0, (back.msg, back.error)
    assert get_instance(client, inst).timeline[-1].type == "ROLLBACK_SELECTED"


def test_recall_remind_add_cc_detail(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="dana")
    remind = uc.approval.v4.instance.remind(RemindInstanceRequest.builder().request_body(
        RemindInstanceRequestBody.builder().instance_code(inst).task_ids([int(pending_task(client, inst, "bob"))])
        .build()).build(), opt("dana"))
    assert remind.code == 0, (remind.msg, remind.error)
    add_cc = uc.approval.v4.instance.add_cc(AddCcInstanceRequest.builder().user_id_type("user_id").request_body(
        AddCcInstanceRequestBody.builder().instance_code(inst).cc_user_ids(["erin"]).build()).build(), opt("dana"))
    assert add_cc.code == 0, (add_cc.msg, add_cc.error)
    detail = uc.approval.v4.instance.detail(DetailInstanceRequest.builder().instance_code(inst).user_id_type("user_id")
                                            .build(), opt("dana"))
    assert detail.code == 0 and detail.data.instance_code == inst and detail.data.user_id == "dana"
    assert [n.node_id for n in detail.data.current_nodes]
    outsider = uc.approval.v4.instance.detail(DetailInstanceRequest.builder().instance_code(inst).build(), opt("alice"))
    assert outsider.code == 1390001
    recall = uc.approval.v4.instance.recall(RecallInstanceRequest.builder().request_body(
        RecallInstanceRequestBody.builder().instance_code(inst).build()).build(), opt("dana"))
    assert recall.code == 0 and get_instance(client, inst).status == "CANCELED"
    again = uc.approval.v4.instance.recall(RecallInstanceRequest.builder().request_body(
        RecallInstanceRequestBody.builder().instance_code(inst).build()).build(), opt("dana"))
    assert (again.code, again.msg) == (1395210, "Instance has been reverted")


def test_initiated_and_task_list(client, as_user):
    uc, opt = as_user
    inst = create_instance(client, "AND2", user_id="erin")
    started = uc.approval.v4.instance.initiated(InitiatedInstanceRequest.builder().page_size(100).build(), opt("erin"))
    assert started.code == 0 and inst in [i.instance_code for i in started.data.instances]
    todo = uc.approval.v4.task.list(ListTaskRequest.builder().topic(1).page_size(100).build(), opt("carol"))
    assert todo.code == 0 and inst in [t.instance_code for t in todo.data.tasks]


def test_subscriptions(client, as_user):
    # subscription_type is INVOLVED_APPROVAL or MANAGED_APPROVAL (the SDKs' declaration; no page documents these
    # user-token methods)
    uc, opt = as_user
    sub = uc.approval.v4.task.subscription(SubscriptionTaskRequest.builder().request_body(
        SubscriptionTaskRequestBody.builder().subscription_type("INVOLVED_APPROVAL").build()).build(), opt("bob"))
    assert sub.code == 0
    again = uc.approval.v4.task.subscription(SubscriptionTaskRequest.builder().request_body(
        SubscriptionTaskRequestBody.builder().subscription_type("INVOLVED_APPROVAL").build()).build(), opt("bob"))
    assert again.code == 1390007
    assert uc.approval.v4.task.unsubscription(
        UnsubscriptionTaskRequest.builder().subscription_type("INVOLVED_APPROVAL").build(), opt("bob")).code == 0
    isub = uc.approval.v4.instance.subscription(SubscriptionInstanceRequest.builder().request_body(
        SubscriptionInstanceRequestBody.builder().subscription_type("INVOLVED_APPROVAL").build()).build(), opt("bob"))
    assert isub.code == 0
    assert uc.approval.v4.instance.unsubscription(
        UnsubscriptionInstanceRequest.builder().subscription_type("INVOLVED_APPROVAL").build(), opt("bob")).code == 0


def test_tenant_token_is_refused_on_user_apis(client, server):
    import httpx

    inst = create_instance(client, "AND2")
    tenant = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                        json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    r = httpx.get(server.base_url + "/open-apis/approval/v4/instances/detail", params={"instance_code": inst},
                  headers={"Authorization": f"Bearer {tenant}"})
    assert (r.status_code, r.json()["code"]) == (400, 99991663)
