"""Request rules of the user-token approval methods, driven through lark-oapi.

No public Feishu reference page documents these methods; each rule is what the SDKs declare
(@larksuiteoapi/node-sdk types/index.d.ts and lark-oapi), named in the test's docstring. shenpi answers a
request outside the declaration with 1390001 (HTTP 400), approval v4's code for an invalid parameter.
"""

from __future__ import annotations

import subprocess
import sys

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    AddSignTaskRequest,
    AddSignTaskRequestBody,
    ListTaskRequest,
    SubscriptionInstanceRequest,
    SubscriptionInstanceRequestBody,
    SubscriptionTaskRequest,
    SubscriptionTaskRequestBody,
    UnsubscriptionTaskRequest,
)

from tests.api.helpers import create_instance, pending_task

PARAM_INVALID = (400, 1390001)


def answer(resp) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return resp.raw.status_code, resp.code


@pytest.fixture(scope="module")
def as_user(server):  # type: ignore[no-untyped-def]
    """(client, option for a user id): the SDK sends a user token minted with the CLI."""
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
