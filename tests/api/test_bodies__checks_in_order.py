"""The operations that share a body and its checks still answer each their own: a body with several faults gets
1390001 naming the field that operation checks first, and number fields sent as other strings name themselves."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from tests.api.helpers import create_instance, pending_task

V4 = "/open-apis/approval/v4"


@pytest.fixture(scope="module")
def post(server):
    """POST a raw JSON body with a tenant token (or the given bearer token); (code, the field named)."""
    tenant = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                        json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]

    def call(path: str, body: dict, token: str = "", **params: str) -> tuple[int, str, str]:
        r = httpx.post(server.base_url + path, json=body, params={"user_id_type": "user_id", **params},
                       headers={"Authorization": f"Bearer {token or tenant}"})
        error = r.json().get("error", {})
        violation = (error.get("field_violations") or [{}])[0]
        return r.json()["code"], violation.get("field", ""), error.get("message", "")

    return call


@pytest.fixture(scope="module")
def bob_token(server) -> str:
    return subprocess.run([sys.executable, "-m", "shenpi", "token", "user", "bob", "--app", "cli_acme",
                           "--db", server.db_url], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(("path", "body", "field"), [
    ("tasks/approve", {}, "approval_code"),
    ("tasks/transfer", {"approval_code": "LEAVE", "instance_code": "I"}, "user_id"),
    ("tasks/transfer", {"approval_code": "LEAVE", "instance_code": "I", "user_id": "bob", "task_id": "1"},
     "transfer_user_id"),
    ("tasks/resubmit", {"approval_code": "LEAVE", "instance_code": "I", "user_id": "bob", "task_id": "1"}, "form"),
    # add_sign checks the user first, then the approval and instance
    ("instances/add_sign", {"task_id": "1"}, "user_id"),
    ("instances/add_sign", {"user_id": "bob", "task_id": "1"}, "approval_code"),
    ("instances/cancel", {"approval_code": "LEAVE"}, "instance_code"),
    ("instances/cc", {"approval_code": "LEAVE", "instance_code": "I", "user_id": "bob"}, "cc_user_ids"),
    ("instances/preview", {}, "user_id"),
])
def test_tenant_operations_name_their_first_missing_field(post, path, body, field):
    assert post(f"{V4}/{path}", body)[:2] == (1390001, field)


def test_an_unknown_acting_user_is_1390009_before_an_unknown_transferee(post, client):
    code = create_instance(client)
    task = pending_task(client, code, "bob")
    body = {"approval_code": "LEAVE", "instance_code": code, "task_id": task, "transfer_user_id": "nobody"}
    assert post(f"{V4}/tasks/transfer", {**body, "user_id": "nobody"})[:2] == (1390009, "user_id")
    assert post(f"{V4}/tasks/transfer", {**body, "user_id": "bob"})[:2] == (1390004, "transfer_user_id")


@pytest.mark.parametrize(("path", "body", "field"), [
    ("tasks/pass", {}, "instance_code"),
    ("tasks/forward", {"instance_code": "I", "task_id": "1"}, "transfer_user_id"),
    ("tasks/rollback", {"instance_code": "I"}, "task_id"),
    ("tasks/add_sign", {"instance_code": "I", "task_id": "1", "add_sign_user_ids": ["carol"]}, "add_sign_type"),
    ("instances/recall", {}, "instance_code"),
    ("instances/add_cc", {"instance_code": "I"}, "cc_user_ids"),
    ("instances/remind", {"instance_code": "I"}, "task_ids"),
])
def test_user_operations_name_their_first_missing_field(post, bob_token, path, body, field):
    assert post(f"{V4}/{path}", body, bob_token)[:2] == (1390001, field)


def test_a_user_operation_checks_the_transferee_before_the_instance(post, bob_token):
    body = {"instance_code": "NO-SUCH", "task_id": "1", "transfer_user_id": "nobody"}
    assert post(f"{V4}/tasks/forward", body, bob_token)[:2] == (1390004, "transfer_user_id")
    assert post(f"{V4}/tasks/forward", {**body, "transfer_user_id": "carol"}, bob_token)[:2] == (
        1390003, "instance_id")


@pytest.mark.parametrize(("path", "body", "field", "message"), [
    ("instances/query", {"approval_code": "LEAVE", "instance_start_time_from": "soon"}, "instance_start_time_from",
     "instance_start_time_from must be a string of digits"),  # the contract's pattern, as the page's timestamps
    ("tasks/search", {"user_id": "bob", "task_start_time_to": "later"}, "task_start_time_to",
     "task_start_time_to must be a string of digits"),  # the contract's pattern: a timestamp in a string
    ("instances/search_cc", {"user_id": "bob", "cc_create_time_from": "1", "cc_create_time_to": "x"},
     "cc_create_time_to", "cc_create_time_to must be a string of digits"),
    ("instances/search_cc", {"user_id": "bob", "read_status": "SOME"}, "read_status",
     "read_status must be one of READ, UNREAD, ALL"),
    # the status is checked before the window, the window before the user
    ("instances/query", {"user_id": "nobody", "instance_status": "NEW", "instance_start_time_from": "x"},
     "instance_status", "instance_status must be one of PENDING, RECALL, REJECT, DELETED, APPROVED, ALL"),
    ("instances/query", {"user_id": "nobody", "instance_start_time_from": "1"}, "instance_start_time_from",
     "instance_start_time_from and instance_start_time_to go together"),
])
def test_search_fields_name_themselves(post, path, body, field, message):
    assert post(f"{V4}/{path}", body, page_size="10") == (1390001, field, message)


def test_a_comment_id_that_is_no_number_names_itself(post, client):
    code = create_instance(client)
    body = {"content": '{"text": "hi"}', "comment_id": "seven"}
    assert post(f"{V4}/instances/{code}/comments", body, user_id="bob") == (
        1390001, "comment_id", "comment_id must be a number")
