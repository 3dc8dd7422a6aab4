"""Tenants are isolated: an app of tenant 'other' tries, endpoint by endpoint, to see or change what tenant
'acme' owns, and gets Feishu's not-found answers; acme's instance is untouched afterwards."""

from __future__ import annotations

import json

import httpx
import pytest

from shenpi.ids import derived_apaas_user_id
from tests.api.helpers import create_instance, get_instance, pending_task


@pytest.fixture(scope="module")
def target(client):
    """An acme instance with a pending task, and a tenant token of the other tenant's app."""
    inst = create_instance(client, "AND2")
    return inst, pending_task(client, inst, "bob")


@pytest.fixture(scope="module")
def intruder(server):
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_other", "app_secret": "other"}).json()["tenant_access_token"]

    def call(method: str, path: str, body: dict | None = None, **params: str) -> dict:
        r = httpx.request(method, server.base_url + path, json=body, params=params,
                          headers={"Authorization": f"Bearer {token}"})
        return {"status": r.status_code, **r.json()}

    return call


BOB_APAAS = derived_apaas_user_id("acme", "bob")


def attempts(inst: str, task: str) -> list[tuple[str, str, dict, dict, set[int]]]:
    uid = {"user_id_type": "user_id"}
    v4 = "/open-apis/approval/v4"
    return [
        ("GET", f"{v4}/approvals/AND2", {}, {}, {1390002}),
        ("POST", f"{v4}/approvals/AND2/subscribe", {}, {}, {1390002}),
        ("GET", f"{v4}/instances/{inst}", {}, {}, {1390003}),
        ("GET", f"{v4}/instances", {}, {"approval_code": "AND2", "start_time": "0", "end_time": "1000"}, {1390002}),
        ("POST", f"{v4}/tasks/reject", {"approval_code": "AND2", "instance_code": inst, "user_id": "bob",
                                        "task_id": task}, uid, {1390002, 1390009}),
        ("POST", f"{v4}/tasks/approve", {"approval_code": "AND2", "instance_code": inst, "user_id": "bob",
                                         "task_id": task}, uid, {1390002, 1390009}),
        ("POST", f"{v4}/tasks/transfer", {"approval_code": "AND2", "instance_code": inst, "user_id": "bob",
                                          "task_id": task, "transfer_user_id": "sam"}, uid, {1390002, 1390009}),
        ("POST", f"{v4}/instances/cancel", {"approval_code": "AND2", "instance_code": inst, "user_id": "sam"}, uid,
         {1390002, 1390003, 1390009}),
        ("POST", f"{v4}/instances/cc", {"approval_code": "AND2", "instance_code": inst, "user_id": "sam",
                                        "cc_user_ids": ["sue"]}, uid, {1390002, 1390003}),
        ("POST", f"{v4}/instances/add_sign", {"approval_code": "AND2", "instance_code": inst, "user_id": "sam",
                                              "task_id": task, "add_sign_user_ids": ["sue"], "add_sign_type": 3}, {},
         {1390002, 1390009}),
        ("POST", f"{v4}/instances/specified_rollback", {"user_id": "sam", "task_id": task,
                                                        "task_def_key_list": ["START"]}, uid, {1390010}),
        ("POST", f"{v4}/instances/preview", {"instance_code": inst, "user_id": "sam", "task_id": task}, uid, {1390003}),
        ("POST", f"{v4}/instances/{inst}/comments", {"content": json.dumps({"text": "hi"})},
         {"user_id_type": "user_id", "user_id": "sam"}, {1390003}),
        ("GET", f"{v4}/instances/{inst}/comments", {}, {"user_id_type": "user_id", "user_id": "sam"}, {1390003}),
        ("POST", f"{v4}/instances/{inst}/comments/remove", {}, {"user_id_type": "user_id", "user_id": "sam"}, {1390003}),
        ("POST", "/open-apis/apaas/v1/approval_tasks/" + task + "/reject", {"user_id": BOB_APAAS}, {}, {2320001}),
        ("POST", "/open-apis/apaas/v1/approval_tasks/" + task + "/agree", {"user_id": BOB_APAAS}, {}, {2320001}),
        ("POST", "/open-apis/apaas/v1/approval_instances/" + inst + "/cancel",
         {"user_id": BOB_APAAS, "opinion": "x"}, {}, {2320001}),
        ("POST", "/open-apis/apaas/v1/user_tasks/" + task + "/rollback_points", {"operator_user_id": BOB_APAAS}, {},
         {2320001}),
        ("GET", "/open-apis/approval/v4/external_approvals/EXT-1", {}, {}, {1390002}),
    ]


def test_every_endpoint_refuses_another_tenants_resources(client, intruder, target):
    inst, task = target
    before = get_instance(client, inst)
    failures = []
    for method, path, body, params, codes in attempts(inst, task):
        got = intruder(method, path, body or None, **params)
        if got["code"] not in codes:
            failures.append((method, path, got["code"], got["msg"]))
    assert failures == []
    after = get_instance(client, inst)
    assert [(t.id, t.status) for t in after.task_list] == [(t.id, t.status) for t in before.task_list]
    assert len(after.timeline) == len(before.timeline)


def test_searches_do_not_leak_across_tenants(intruder, target):
    inst, _ = target
    v4 = "/open-apis/approval/v4"
    # Another tenant's instance is, to the searches, an instance code that names nothing: 1390003, as for a code
    # no tenant has (the search pages' code for an unknown instance_code).
    for path in ("instances/query", "tasks/search", "instances/search_cc"):
        found = intruder("POST", f"{v4}/{path}", {"instance_code": inst}, page_size="50")
        nowhere = intruder("POST", f"{v4}/{path}", {"instance_code": "NO-SUCH-INSTANCE"}, page_size="50")
        assert found["code"] == nowhere["code"] == 1390003
        assert "data" not in found or not found["data"]
    u = intruder("GET", f"{v4}/tasks/query", user_id="bob", topic="1", user_id_type="user_id")
    assert u["code"] == 1390004  # bob is not a user of this tenant
    k = intruder("POST", "/open-apis/apaas/v1/user_task/query", {"type": "pending", "kunlun_user_id": BOB_APAAS})
    assert k["code"] == 2320001
