"""Codes for a definition the console stopped or deleted, or one another app created, driven through lark-oapi.

A definition's status comes from the seed (``"status": "INACTIVE"`` or ``"DELETED"``: Feishu's console stops and
deletes definitions, the API does not), and the app that created a definition through the API is recorded with it.
The codes are written from the pages:

- approval create (https://open.feishu.cn/document/server-docs/approval-v4/approval/create): 1390015 "approval is
  not active" (HTTP 400), 1390009 "no operation permission" (HTTP 403)
- approval get (https://open.feishu.cn/document/server-docs/approval-v4/approval/get): 1390016 "approval is
  deleted" (HTTP 400)
- instance create (https://open.feishu.cn/document/server-docs/approval-v4/instance/create): 1390015
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from lark_oapi.api.approval.v4 import CreateInstanceRequest, GetApprovalRequest, InstanceCreate

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.contract.test_approvals__rules import create
from tests.conftest import start_server
from tests.seeds import definition, test_seed

NODES = [{"id": "mgr", "name": "@i18n@mgr", "node_type": "AND", "approver": [{"type": "Personal", "user_id": "bob"}]}]


def answer(resp: Any) -> tuple[int, int, str]:
    return resp.raw.status_code, resp.code, resp.msg


@pytest.fixture(scope="module")
def console_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server whose seed has a stopped and a deleted definition beside the suite's."""
    seed = test_seed()
    seed["tenants"][0]["approvals"] += [definition("STOPPED", NODES, status="INACTIVE"),
                                        definition("GONE", NODES, status="DELETED")]
    srv = start_server(tmp_path_factory.mktemp("definition-states"), "definition-states", backend, seed=seed)
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def get(client: Any, code: str) -> Any:
    return client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).build())


def start(client: Any, code: str) -> Any:
    body = InstanceCreate.builder().approval_code(code).user_id("alice").form(json.dumps(
        [{"id": "reason", "type": "textarea", "value": "x"}])).build()
    return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body).build())


def test_a_client_cannot_set_a_definitions_status(client, server):
    """status is no field of the create page's body (sent raw: the SDK has no such field): a client's is ignored,
    and the definition is active."""
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    body = {**definition("", NODES, status="DELETED", creator_app_id="cli_acme_full"),
            "approval_name": "@i18n@leave-ok", "i18n_resources": [{"locale": "zh-CN", "is_default": True, "texts": [
                {"key": k, "value": "x"} for k in ("@i18n@leave-ok", "@i18n@mgr", "@i18n@reason", "@i18n@days",
                                                     "@i18n@amount", "@i18n@kind", "@i18n@tags", "@i18n@start",
                                                     "@i18n@period", "@i18n@note")]}]}
    del body["approval_code"]
    r = httpx.post(server.base_url + "/open-apis/approval/v4/approvals", params={"user_id_type": "user_id"},
                   json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.json()["code"] == 0, r.json()
    code = r.json()["data"]["approval_code"]
    assert get(client, code).data.status == "ACTIVE"
    assert create(client, approval_code=code).code == 0  # cli_acme created it, whatever the body claimed


def test_only_the_app_that_created_a_definition_may_update_it(client, client_for):
    """An app updating a definition another app created through the API: 1390009 at HTTP 403; its creator may."""
    made = create(client)
    assert made.code == 0, made.msg
    code = made.data.approval_code
    other = client_for("cli_only_definition")
    assert answer(create(other, approval_code=code)) == (403, 1390009, "no operation permission")
    assert create(client, approval_code=code).code == 0
    own = create(other)
    assert own.code == 0 and create(other, approval_code=own.data.approval_code).code == 0


# The tests on this module's own server come last: lark-oapi caches app tokens by app id across servers, and the
# fixture forgets them when it starts and when the module ends, so the shared server's tests run before it.
def test_get_of_a_deleted_definition_is_1390016_and_a_stopped_one_reads_inactive(console_server):
    client = console_server.client("cli_acme")
    assert answer(get(client, "GONE")) == (400, 1390016, "approval is deleted")
    stopped = get(client, "STOPPED")
    assert (stopped.code, stopped.data.status) == (0, "INACTIVE")


def test_an_instance_of_a_definition_not_active_is_1390015(console_server):
    client = console_server.client("cli_acme")
    assert answer(start(client, "STOPPED")) == (400, 1390015, "approval is not active")
    assert answer(start(client, "GONE")) == (400, 1390015, "approval is not active")
    assert start(client, "LEAVE").code == 0


def test_updating_a_definition_not_active_is_1390015_and_leaves_it_stopped(console_server):
    client = console_server.client("cli_acme")
    assert answer(create(client, approval_code="STOPPED")) == (400, 1390015, "approval is not active")
    assert get(client, "STOPPED").data.status == "INACTIVE"
