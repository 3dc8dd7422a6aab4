"""Scopes: any one of the endpoint's scopes suffices; user_id_type=user_id also needs the field scope."""

from __future__ import annotations

from tests.api.helpers import apaas_reject, create_instance, get_instance, pending_task, reject


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
