"""Every error a v4 task reject can answer, code for code, with HTTP 400 and Feishu's exact msg (1390001 bad
parameter, 1390002 unknown approval, 1390003 unknown instance, 1390010 no such pending task, 1390018 handwritten
signature required); a user who is not the task's approver gets 1390009 with HTTP 403 and nothing changes."""

from __future__ import annotations

import json

import pytest
from lark_oapi.api.approval.v4 import RejectTaskRequest, TaskApprove

from tests.api.helpers import create_instance, get_instance, pending_task, reject


def assert_error(resp, code: int, msg: str, status: int = 400) -> None:
    assert (resp.code, resp.msg, resp.raw.status_code) == (code, msg, status), resp.error
    assert resp.get_log_id()
    assert resp.raw.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.fixture
def pending(client):
    code = create_instance(client)
    return code, pending_task(client, code, "bob")


@pytest.mark.parametrize("missing", ["approval_code", "instance_code", "user_id", "task_id"])
def test_missing_required_field_is_1390001_naming_it(client, pending, missing):
    code, task_id = pending
    fields = {"approval_code": "LEAVE", "instance_code": code, "user_id": "bob", "task_id": task_id}
    fields.pop(missing)
    body = TaskApprove.builder()
    for k, v in fields.items():
        body = getattr(body, k)(v)
    resp = client.approval.v4.task.reject(
        RejectTaskRequest.builder().user_id_type("user_id").request_body(body.build()).build())
    assert_error(resp, 1390001, "param is invalid")
    assert resp.error["field_violations"][0]["field"] == missing


def test_unknown_approval_code_is_1390002(client, pending):
    code, task_id = pending
    assert_error(reject(client, "NO-SUCH", code, "bob", task_id), 1390002, "approval code not found")


def test_unknown_instance_code_is_1390003(client, pending):
    _, task_id = pending
    assert_error(reject(client, "LEAVE", "NO-SUCH-INSTANCE", "bob", task_id), 1390003, "instance code not found")


def test_instance_of_another_approval_is_1390003(client, pending):
    code, task_id = pending
    assert_error(reject(client, "AND2", code, "bob", task_id), 1390003, "instance code not found")


def test_unknown_task_is_1390010(client, pending):
    code, _ = pending
    assert_error(reject(client, "LEAVE", code, "bob", "12345"), 1390010, "task not found")


def test_task_of_another_instance_is_1390010(client, pending):
    code, _ = pending
    other = create_instance(client)
    other_task = pending_task(client, other, "bob")
    assert_error(reject(client, "LEAVE", code, "bob", other_task), 1390010, "task not found")


def test_rejecting_twice_is_1390010(client, pending):
    code, task_id = pending
    assert reject(client, "LEAVE", code, "bob", task_id).code == 0
    assert_error(reject(client, "LEAVE", code, "bob", task_id), 1390010, "task not found")


def test_task_of_an_ended_instance_is_1390010(client):
    code = create_instance(client, "AND2")
    bob, carol = pending_task(client, code, "bob"), pending_task(client, code, "carol")
    assert reject(client, "AND2", code, "bob", bob).code == 0
    assert_error(reject(client, "AND2", code, "carol", carol), 1390010, "task not found")


def test_node_requiring_handwritten_signature_is_1390018(client):
    code = create_instance(client, "SIGNED")
    task_id = pending_task(client, code, "bob")
    assert_error(reject(client, "SIGNED", code, "bob", task_id), 1390018, "not support handwritten signature")
    assert get_instance(client, code).status == "PENDING"


def test_non_approver_is_1390009_and_nothing_changes(client, pending):
    code, task_id = pending
    before = get_instance(client, code)
    resp = reject(client, "LEAVE", code, "carol", task_id, comment="sneaky")
    assert_error(resp, 1390009, "no operation permission", status=403)
    after = get_instance(client, code)
    assert after.status == "PENDING"
    assert [(t.id, t.status) for t in after.task_list] == [(t.id, t.status) for t in before.task_list]
    assert len(after.timeline) == len(before.timeline)


def test_unknown_user_is_not_the_approver(client, pending):
    code, task_id = pending
    assert_error(reject(client, "LEAVE", code, "nobody", task_id), 1390009, "no operation permission", status=403)


def test_user_id_of_the_wrong_type_names_the_id_type(client, pending):
    code, task_id = pending
    resp = reject(client, "LEAVE", code, "bob", task_id, user_id_type="open_id")  # 'bob' is a user_id
    assert_error(resp, 1390009, "no operation permission", status=403)
    assert "open_id" in resp.error["message"]


def test_unknown_user_id_type_is_1390001(client, pending):
    code, task_id = pending
    assert_error(reject(client, "LEAVE", code, "bob", task_id, user_id_type="email"), 1390001, "param is invalid")


@pytest.mark.parametrize("form, field_hint", [
    ("not json", "form"),
    ('{"id": "days"}', "form"),
    ('[{"id": "nope", "type": "input", "value": "x"}]', "nope"),
    ('[{"id": "days", "type": "number", "value": "three"}]', "days"),
    ('[{"id": "days", "type": "input", "value": 3}]', "days"),
    ('[{"id": "days", "type": "number"}]', "days"),
    ('[{"id": "kind", "type": "radioV2", "value": "holiday"}]', "kind"),
    ('[{"id": "tags", "type": "checkboxV2", "value": "a"}]', "tags"),
    ('[{"id": "start", "type": "date", "value": "yesterday"}]', "start"),
    ('[{"type": "input", "value": "x"}]', "id"),
])
def test_invalid_form_is_1390001_and_nothing_changes(client, pending, form, field_hint):
    code, task_id = pending
    resp = reject(client, "LEAVE", code, "bob", task_id, form=form)
    assert_error(resp, 1390001, "param is invalid")
    assert field_hint in resp.error["message"]
    assert get_instance(client, code).status == "PENDING"


def test_valid_form_is_accepted_and_merged(client, pending):
    code, task_id = pending
    form = json.dumps([{"id": "days", "type": "number", "value": 3.5}, {"id": "note", "type": "input", "value": "x"},
                       {"id": "amount", "type": "amount", "value": 12.5, "currency": "CNY"},
                       {"id": "kind", "type": "radioV2", "value": "sick"},
                       {"id": "tags", "type": "checkboxV2", "value": ["a", "b"]},
                       {"id": "start", "type": "date", "value": "2026-11-23T09:00:00+08:00"},
                       {"id": "period", "type": "dateInterval", "value": {
                           "start": "2026-11-23T09:00:00+08:00", "end": "2026-11-24T09:00:00+08:00", "interval": 1.0}}])
    assert reject(client, "LEAVE", code, "bob", task_id, form=form).code == 0
    values = {e["id"]: e["value"] for e in json.loads(get_instance(client, code).form)}
    assert values["days"] == 3.5 and values["note"] == "x" and values["reason"] == "family"


def test_body_that_is_not_json_is_1390001(client, server):
    import httpx

    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    r = httpx.post(server.base_url + "/open-apis/approval/v4/tasks/reject", content=b"{not json",
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.json()["code"] == 1390001
    # a body with every required field, task_id a number where the page says string
    body = {"approval_code": "LEAVE", "instance_code": "I", "user_id": "bob", "task_id": 5}
    r = httpx.post(server.base_url + "/open-apis/approval/v4/tasks/reject", json=body,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 400 and r.json()["code"] == 1390001 and "task_id" in r.json()["error"]["message"]
