"""Scopes: any one of the endpoint's scopes suffices; user_id_type=user_id also needs the field scope."""

from __future__ import annotations

from lark_oapi.api.approval.v4 import QueryTaskRequest, SearchTaskRequest, TaskSearch

from tests.api.helpers import apaas_reject, approve, create_instance, get_instance, pending_task, reject
from tests.api.helpers_ops import resubmit, transfer


def test_readonly_scope_may_reject(client, client_for):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    bob_open_id = get_instance(client, code, "open_id").task_list[0].user_id
    resp = reject(client_for("cli_acme_ro"), "LEAVE", code, bob_open_id, task_id, user_id_type="open_id")
    assert resp.code == 0


def test_task_scope_may_reject(client, client_for):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    bob_union = get_instance(client, code, "union_id").task_list[0].user_id
    assert reject(client_for("cli_acme_task"), "LEAVE", code, bob_union, task_id, user_id_type="union_id").code == 0


def test_no_approval_scope_is_99991672_with_violations(client, client_for):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    resp = reject(client_for("cli_acme_none"), "LEAVE", code, "bob", task_id)
    assert (resp.code, resp.raw.status_code) == (99991672, 400)
    assert resp.msg.startswith("Access denied. One of the following scopes is required: [")
    subjects = {v["subject"] for v in resp.error["permission_violations"]}
    assert subjects == {"approval:approval", "approval:approval:readonly", "approval:task"}
    assert get_instance(client, code).status == "PENDING"


def test_user_id_type_user_id_needs_the_employee_id_field_scope(client, client_for):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    resp = reject(client_for("cli_acme_ro"), "LEAVE", code, "bob", task_id, user_id_type="user_id")
    assert resp.code == 99991672
    assert resp.error["permission_violations"] == [
        {"type": "field_scope_required", "subject": "contact:user.employee_id:readonly"}]


def test_apaas_needs_app_engine_write(client, client_for):
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    resp = apaas_reject(client_for("cli_acme_ro"), task_id, "1783981209205788")
    assert resp.code == 99991672
    assert resp.error["permission_violations"][0]["subject"] == "app_engine:approval:write"
    bob_apaas = apaas_id(client, "bob")
    assert apaas_reject(client_for("cli_acme_apaas"), task_id, bob_apaas).code == 0


def apaas_id(client, user_id: str) -> str:
    from shenpi.ids import derived_apaas_user_id

    return derived_apaas_user_id("acme", user_id)


# Each page's permission row, exactly: any one scope of the row grants the endpoint, and no other scope does.
TASKS = "https://open.feishu.cn/document/server-docs/approval-v4/task/"
ACTION_ROW = {"approval:approval", "approval:approval:readonly", "approval:task"}


def _subjects(resp) -> set[str]:
    assert (resp.code, resp.raw.status_code) == (99991672, 400), (resp.code, resp.msg)
    return {v["subject"] for v in resp.error["permission_violations"]}


def test_task_actions_take_each_scope_of_their_row(client, client_for):
    """approve, reject, transfer and resubmit name approval:approval, approval:approval:readonly and approval:task
    (TASKS + approve, reject, transfer, resubmit)."""
    for app in ("cli_acme_full", "cli_acme_ro", "cli_acme_task"):
        code = create_instance(client)
        task_id = pending_task(client, code, "bob")
        bob_union = get_instance(client, code, "union_id").task_list[0].user_id
        resp = approve(client_for(app), "LEAVE", code, bob_union, task_id, user_id_type="union_id")
        assert resp.code == 0, (app, resp.code, resp.msg)
    none = client_for("cli_acme_none")
    assert _subjects(approve(none, "LEAVE", "I", "bob", "1")) == ACTION_ROW
    assert _subjects(transfer(none, "LEAVE", "I", "bob", "1", "carol")) == ACTION_ROW
    assert _subjects(resubmit(none, "LEAVE", "I", "bob", "1", "[]")) == ACTION_ROW


def _search(client, instance_code: str):
    body = TaskSearch.builder().instance_code(instance_code).build()
    return client.approval.v4.task.search(SearchTaskRequest.builder().request_body(body).build())


def test_task_search_takes_the_list_scope_and_not_approval_approval(client, client_for):
    """tasks/search names approval:approval:readonly and approval:approval.list:readonly (TASKS + search)."""
    code = create_instance(client)
    assert _subjects(_search(client_for("cli_acme_full"), code)) == {
        "approval:approval:readonly", "approval:approval.list:readonly"}
    for app in ("cli_acme_list", "cli_acme_ro"):
        resp = _search(client_for(app), code)
        assert (resp.code, resp.data.count) == (0, 1), (app, resp.code, resp.msg)


def test_task_query_takes_only_the_readonly_scope(client, client_for):
    """tasks/query names approval:approval:readonly alone (TASKS + query)."""
    code = create_instance(client)
    bob_union = get_instance(client, code, "union_id").task_list[0].user_id

    def query(app: str):
        return client_for(app).approval.v4.task.query(
            QueryTaskRequest.builder().user_id(bob_union).topic("1").user_id_type("union_id").build())

    assert _subjects(query("cli_acme_full")) == {"approval:approval:readonly"}
    assert _subjects(query("cli_acme_list")) == {"approval:approval:readonly"}
    resp = query("cli_acme_ro")
    assert resp.code == 0 and code in [t.process_id for t in resp.data.tasks]
