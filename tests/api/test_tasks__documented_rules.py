"""The documented rules of the four tenant task actions — approve, reject, transfer, resubmit — as their pages
state them, each driven through lark-oapi (raw HTTP where the SDK cannot send the input: JSON null, a number
where the page says string). Expected codes are written from the pages:

- https://open.feishu.cn/document/server-docs/approval-v4/task/approve
- https://open.feishu.cn/document/server-docs/approval-v4/task/reject
- https://open.feishu.cn/document/server-docs/approval-v4/task/transfer
- https://open.feishu.cn/document/server-docs/approval-v4/task/resubmit
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    ApproveTaskRequest,
    RejectTaskRequest,
    ResubmitTaskRequest,
    TaskApprove,
    TaskResubmit,
    TaskTransfer,
    TransferTaskRequest,
)

from tests.api.helpers import create_instance, get_instance, pending_task, reject

ACTIONS = ["approve", "reject", "transfer", "resubmit"]
REQUESTS = {"approve": (ApproveTaskRequest, TaskApprove), "reject": (RejectTaskRequest, TaskApprove),
            "transfer": (TransferTaskRequest, TaskTransfer), "resubmit": (ResubmitTaskRequest, TaskResubmit)}
REQUIRED = {"approve": ["approval_code", "instance_code", "user_id", "task_id"],
            "reject": ["approval_code", "instance_code", "user_id", "task_id"],
            "transfer": ["approval_code", "instance_code", "user_id", "task_id", "transfer_user_id"],
            "resubmit": ["approval_code", "instance_code", "user_id", "task_id", "form"]}
FIXED = json.dumps([{"id": "reason", "type": "textarea", "value": "fixed"}])


def send(client: lark.Client, action: str, body: dict[str, Any], user_id_type: str = "user_id") -> Any:
    """The action through lark-oapi, with the body's fields set through the SDK's builder."""
    request, model = REQUESTS[action]
    b = model.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    req = request.builder().user_id_type(user_id_type).request_body(b.build()).build()
    return getattr(client.approval.v4.task, action)(req)


def ready(client: lark.Client, action: str) -> dict[str, Any]:
    """A body the action accepts: bob's pending LEAVE task, or (resubmit) alice's task after bob sent it back."""
    if action == "resubmit":
        code = create_instance(client, "SENDBACK")
        assert reject(client, "SENDBACK", code, "bob", pending_task(client, code, "bob")).code == 0
        return {"approval_code": "SENDBACK", "instance_code": code, "user_id": "alice",
                "task_id": pending_task(client, code, "alice"), "form": FIXED}
    code = create_instance(client)
    body = {"approval_code": "LEAVE", "instance_code": code, "user_id": "bob", "task_id": pending_task(client, code, "bob")}
    return {**body, "transfer_user_id": "carol"} if action == "transfer" else body


@pytest.fixture(scope="module")
def post(server):
    """POST a raw JSON body with cli_acme's tenant token; (HTTP status, the envelope)."""
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]

    def call(action: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        r = httpx.post(f"{server.base_url}/open-apis/approval/v4/tasks/{action}", json=body,
                       params={"user_id_type": "user_id"}, headers={"Authorization": f"Bearer {token}"})
        return r.status_code, r.json()

    return call


def violation(envelope: dict[str, Any]) -> str:
    return str(envelope["error"]["field_violations"][0]["field"])


@pytest.mark.parametrize("action", ACTIONS)
def test_a_required_field_missing_or_null_is_1390001_naming_it(client, post, action):
    """Each page marks approval_code, instance_code, user_id and task_id required (transfer also transfer_user_id,
    resubmit also form); 1390001 is the page's code for a parameter error. A null is an absent field."""
    body = ready(client, action)
    for field in REQUIRED[action]:
        resp = send(client, action, {k: v for k, v in body.items() if k != field})
        assert (resp.code, resp.raw.status_code) == (1390001, 400), (field, resp.code, resp.msg)
        assert resp.error["field_violations"][0]["field"] == field
        status, envelope = post(action, {**body, field: None})
        assert (status, envelope["code"], violation(envelope)) == (400, 1390001, field)
    assert get_instance(client, body["instance_code"]).status == "PENDING"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_optional_field_sent_as_null_is_taken_as_absent(client, post, action):
    """comment (and form, where optional) may be left out; a published client sends them as null."""
    body = ready(client, action)
    nulls = {"comment": None, **({"form": None} if action in ("approve", "reject") else {})}
    status, envelope = post(action, {**body, **nulls})
    assert (status, envelope["code"]) == (200, 0), envelope
    task = next(t for t in get_instance(client, body["instance_code"]).task_list if t.id == body["task_id"])
    assert task.status != "PENDING"


@pytest.mark.parametrize("action", ACTIONS)
def test_a_field_of_another_type_is_1390001_naming_it(client, post, action):
    """Every body field of these pages is a string: task_id is "12345" in each example, never a number."""
    body = ready(client, action)
    for field, value in (("task_id", int(body["task_id"])), ("comment", 7), ("user_id", ["bob"])):
        status, envelope = post(action, {**body, field: value})
        assert (status, envelope["code"], violation(envelope)) == (400, 1390001, field)
    assert get_instance(client, body["instance_code"]).status == "PENDING"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unknown_approval_code_is_1390002(client, action):
    body = ready(client, action)
    resp = send(client, action, {**body, "approval_code": "NO-SUCH-APPROVAL"})
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390002, "approval code not found", 400)


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unknown_instance_code_is_1390003(client, action):
    body = ready(client, action)
    resp = send(client, action, {**body, "instance_code": "NO-SUCH-INSTANCE"})
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390003, "instance code not found", 400)


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unknown_task_is_1390010(client, action):
    body = ready(client, action)
    resp = send(client, action, {**body, "task_id": "12345"})
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390010, "task not found", 400)
    assert get_instance(client, body["instance_code"]).status == "PENDING"


@pytest.mark.parametrize("action", ["approve", "transfer"])
def test_a_node_requiring_a_handwritten_signature_is_1390018(client, action):
    """The approve and transfer pages list 1390018: the API cannot give a handwritten signature."""
    code = create_instance(client, "SIGNED")
    body = {"approval_code": "SIGNED", "instance_code": code, "user_id": "bob", "task_id": pending_task(client, code, "bob"),
            **({"transfer_user_id": "carol"} if action == "transfer" else {})}
    resp = send(client, action, body)
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390018, "not support handwritten signature", 400)
    assert get_instance(client, code).status == "PENDING"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unknown_user_id_type_is_1390001(client, action):
    """user_id_type is open_id, union_id or user_id on each page."""
    body = ready(client, action)
    resp = send(client, action, body, user_id_type="email")
    assert (resp.code, resp.raw.status_code) == (1390001, 400)
    assert resp.error["field_violations"][0]["field"] == "user_id_type"


@pytest.mark.parametrize(("action", "form"), [
    ("approve", '{"id": "days"}'), ("reject", '[{"id": "nope", "type": "input", "value": "x"}]'),
    ("resubmit", "not json"), ("resubmit", '[{"id": "reason", "type": "textarea", "value": 3}]'),
])
def test_a_form_that_is_no_list_of_widget_values_is_1390001(client, action, form):
    """form is a JSON array of widget values in a string (approve, reject: optional; resubmit: required, as in
    instance create); the pages' 1390001 covers a form whose widget data is wrong."""
    body = ready(client, action)
    resp = send(client, action, {**body, "form": form})
    assert (resp.code, resp.raw.status_code) == (1390001, 400), resp.msg
    task = next(t for t in get_instance(client, body["instance_code"]).task_list if t.id == body["task_id"])
    assert task.status == "PENDING"


@pytest.mark.parametrize("action", ["approve", "transfer", "resubmit"])
def test_the_body_user_ids_are_read_in_the_user_id_type_of_the_query(client, action):
    """user_id (and transfer's transfer_user_id) are of the query's user_id_type, open_id by default: the same
    person named by open_id acts under open_id, and their user_id under open_id names nobody who may act."""
    body = ready(client, action)
    ids = ("user_id", "transfer_user_id")
    as_open_ids = {k: get_instance(client, create_instance(client, user_id=v), "open_id").open_id if k in ids else v
                   for k, v in body.items()}
    assert send(client, action, body, user_id_type="open_id").code == 1390009
    resp = send(client, action, as_open_ids, user_id_type="open_id")
    assert resp.code == 0, (resp.code, resp.msg)
    task = next(t for t in get_instance(client, body["instance_code"]).task_list if t.id == body["task_id"])
    assert task.status != "PENDING"


@pytest.mark.parametrize("action", ACTIONS)
def test_an_empty_id_is_1390001_naming_it(client, action):
    """The ids each page marks required name something: an empty approval_code, instance_code, user_id or task_id
    is a parameter error, 1390001 naming the field, not a lookup of nothing (1390002 and the like)."""
    body = ready(client, action)
    for field in ("approval_code", "instance_code", "user_id", "task_id"):
        resp = send(client, action, {**body, field: ""})
        assert (resp.code, resp.raw.status_code) == (1390001, 400), (field, resp.code, resp.msg)
        assert resp.error["field_violations"][0]["field"] == field
    assert get_instance(client, body["instance_code"]).status == "PENDING"
