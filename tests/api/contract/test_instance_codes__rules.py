"""The codes the tenant-token instance and search methods answer for a user who may not act or names nobody,
driven through lark-oapi. Where a method's own page lists the code, the test says so; otherwise the code is the one
a sibling page documents for the same condition, named in the test:

- 1390004 a user id names nobody (https://open.feishu.cn/document/server-docs/approval-v4/instance/get)
- 1390009 (HTTP 403) the user may not act on the task or instance
  (https://open.feishu.cn/document/server-docs/approval-v4/task/approve)
- 1395210 the instance was already withdrawn (https://open.feishu.cn/document/server-docs/approval-v4/instance/cancel)
- 1390001 a parameter is missing (https://open.feishu.cn/document/server-docs/approval-v4/approval/create)
"""

from __future__ import annotations

from typing import Any

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    GetInstanceRequest,
    InstanceSearch,
    PreviewInstanceRequest,
    PreviewInstanceRequestBody,
    QueryInstanceRequest,
    QueryTaskRequest,
    SearchCcInstanceRequest,
    SearchTaskRequest,
    TaskSearch,
)

from tests.api.helpers import create_instance, get_instance, pending_task
from tests.api.helpers_ops import add_sign, cancel, transfer


def answer(resp: Any) -> tuple[int, int]:
    return resp.raw.status_code, resp.code


def test_instance_add_sign_by_someone_not_the_approver_is_1390009_and_of_nobody_1390004(client):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    assert answer(add_sign(client, "AND2", inst, "dana", task, ["erin"], 3)) == (403, 1390009)
    assert answer(add_sign(client, "AND2", inst, "bob", task, ["ghost"], 3)) == (400, 1390004)
    assert pending_task(client, inst, "bob") == task
    assert answer(add_sign(client, "AND2", inst, "bob", task, ["erin"], 3)) == (200, 0)


def test_instance_add_sign_without_its_users_is_1390001(client, server):
    """add_sign_user_ids is required (the SDK's declaration): sent raw, so the builder cannot fill it in."""
    inst = create_instance(client, "AND2")
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    r = httpx.post(server.base_url + "/open-apis/approval/v4/instances/add_sign", headers={
        "Authorization": f"Bearer {token}"}, json={"approval_code": "AND2", "instance_code": inst, "user_id": "bob",
                                                   "task_id": pending_task(client, inst, "bob"), "add_sign_type": 3})
    assert (r.status_code, r.json()["code"]) == (400, 1390001)
    assert "add_sign_user_ids" in [v["field"] for v in r.json()["error"]["field_violations"]]


def test_cancel_by_someone_not_the_submitter_is_1390009_and_a_second_cancel_1395210(client):
    inst = create_instance(client, "AND2", user_id="dana")
    assert answer(cancel(client, "AND2", inst, "bob")) == (403, 1390009)
    assert get_instance(client, inst).status == "PENDING"
    assert answer(cancel(client, "AND2", inst, "dana")) == (200, 0)
    assert answer(cancel(client, "AND2", inst, "dana")) == (400, 1395210)


def test_transfer_to_a_user_naming_nobody_is_1390004(client):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    assert answer(transfer(client, "AND2", inst, "bob", task, "ghost")) == (400, 1390004)
    assert pending_task(client, inst, "bob") == task


def test_preview_without_user_id_is_1390001_and_of_a_user_naming_nobody_1390004(client):
    """user_id is required on the preview page; a user_id naming nobody is 1390004."""
    def preview(user: str | None) -> tuple[int, int]:
        b = PreviewInstanceRequestBody.builder().approval_code("LEAVE").form("[]")
        if user is not None:
            b = b.user_id(user)
        return answer(client.approval.v4.instance.preview(PreviewInstanceRequest.builder().user_id_type("user_id")
                                                          .request_body(b.build()).build()))

    assert preview(None) == (400, 1390001)
    assert preview("ghost") == (400, 1390004)
    assert preview("alice") == (200, 0)


@pytest.mark.parametrize("method", ["instance.query", "instance.search_cc", "task.search"])
def test_a_search_for_a_user_naming_nobody_is_1390004(client: lark.Client, method: str):
    def search(user: str) -> tuple[int, int]:
        if method == "task.search":
            return answer(client.approval.v4.task.search(SearchTaskRequest.builder().user_id_type("user_id")
                                                         .request_body(TaskSearch.builder().user_id(user).build())
                                                         .build()))
        request = QueryInstanceRequest if method == "instance.query" else SearchCcInstanceRequest
        call = getattr(client.approval.v4.instance, method.split(".")[1])
        return answer(call(request.builder().user_id_type("user_id")
                           .request_body(InstanceSearch.builder().user_id(user).build()).build()))

    assert search("ghost") == (400, 1390004)
    assert search("alice") == (200, 0)


def test_task_query_for_a_user_naming_nobody_is_1390004(client: lark.Client):
    def query(user: str) -> tuple[int, int]:
        return answer(client.approval.v4.task.query(QueryTaskRequest.builder().user_id_type("user_id").user_id(user)
                                                    .topic("1").build()))

    assert query("ghost") == (400, 1390004)
    assert query("alice") == (200, 0)


def test_get_for_a_user_who_takes_no_part_in_the_instance_is_1390009(client: lark.Client):
    """user_id names the user asking; one who is neither the submitter nor named by a task or the timeline (an
    approver, a CC) may not see the instance: 1390009 at HTTP 403, the code the get page lists
    (https://open.feishu.cn/document/server-docs/approval-v4/instance/get)."""
    inst = create_instance(client, "AND2", user_id="dana")

    def get(user: str) -> tuple[int, int]:
        return answer(client.approval.v4.instance.get(GetInstanceRequest.builder().instance_id(inst).user_id(user)
                                                      .user_id_type("user_id").build()))

    assert [get("dana"), get("bob"), get("carol")] == [(200, 0)] * 3  # the submitter, the two approvers
    assert get("erin") == (403, 1390009)
