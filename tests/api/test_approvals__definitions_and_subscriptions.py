"""Definitions: create, get, overwrite; subscribe/unsubscribe with 1390007 on repeats."""

from __future__ import annotations

import json

from lark_oapi.api.approval.v4 import (
    ApprovalApproverCcer,
    ApprovalCreate,
    ApprovalCreateViewers,
    ApprovalForm,
    ApprovalNode,
    CreateApprovalRequest,
    GetApprovalRequest,
    I18nResource,
    I18nResourceText,
    SubscribeApprovalRequest,
    UnsubscribeApprovalRequest,
)

from tests.api.helpers import create_instance, get_instance, pending_task, reject


def _body(approver_open_id: str, code: str | None = None) -> ApprovalCreate:
    b = (ApprovalCreate.builder().approval_name("@i18n@name")
         .viewers([ApprovalCreateViewers.builder().viewer_type("TENANT").build()])
         .form(ApprovalForm.builder().form_content(json.dumps([
             {"id": "reason", "type": "input", "name": "@i18n@reason", "required": True}])).build())
         .node_list([ApprovalNode.builder().id("START").build(),
                     ApprovalNode.builder().id("boss").name("@i18n@boss").node_type("AND").approver(
                         [ApprovalApproverCcer.builder().type("Personal").user_id(approver_open_id).build()]).build(),
                     ApprovalNode.builder().id("END").build()])
         .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts([
             I18nResourceText.builder().key("@i18n@name").value("采购").build(),
             I18nResourceText.builder().key("@i18n@reason").value("事由").build(),
             I18nResourceText.builder().key("@i18n@boss").value("老板").build()]).build()]))
    if code:
        b = b.approval_code(code)
    return b.build()


def test_create_get_and_use_a_definition(client):
    bob_open_id = get_instance(client, create_instance(client), "open_id").task_list[0].user_id
    resp = client.approval.v4.approval.create(CreateApprovalRequest.builder().request_body(_body(bob_open_id)).build())
    assert resp.code == 0, (resp.msg, resp.error)
    code = resp.data.approval_code
    assert isinstance(resp.data.approval_id, str) and resp.data.approval_id.isdigit()  # an int64 id, as a string
    got = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code(code).build())
    assert got.code == 0
    assert got.data.approval_name == "采购" and got.data.status == "ACTIVE"
    assert [n.custom_node_id for n in got.data.node_list] == ["boss"]
    assert json.loads(got.data.form)[0]["name"] == "事由"
    inst = create_instance(client, code, form=[{"id": "reason", "type": "input", "value": "laptops"}])
    assert reject(client, code, inst, "bob", pending_task(client, inst, "bob")).code == 0


def test_create_errors(client):
    bad = client.approval.v4.approval.create(CreateApprovalRequest.builder().request_body(
        ApprovalCreate.builder().approval_name("@i18n@name")
        .viewers([ApprovalCreateViewers.builder().viewer_type("TENANT").build()]).build()).build())
    assert bad.code == 1390001 and bad.error["field_violations"][0]["field"] == "form"
    unknown_user = client.approval.v4.approval.create(CreateApprovalRequest.builder().request_body(
        _body("ou_nobody")).build())
    assert unknown_user.code == 1390004
    unknown_code = client.approval.v4.approval.create(CreateApprovalRequest.builder().request_body(
        _body("ou_alice", code="NO-SUCH-CODE")).build())
    assert unknown_code.code == 1390002
    missing = client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("NOPE").build())
    assert missing.code == 1390002


def test_subscribe_twice_is_1390007(client):
    sub = client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("AND2").build())
    assert sub.code == 0, sub.msg
    again = client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("AND2").build())
    assert (again.code, again.msg) == (1390007, "subscription existed")
    un = client.approval.v4.approval.unsubscribe(UnsubscribeApprovalRequest.builder().approval_code("AND2").build())
    assert un.code == 0
    un2 = client.approval.v4.approval.unsubscribe(UnsubscribeApprovalRequest.builder().approval_code("AND2").build())
    assert un2.code == 1390007
    missing = client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("NOPE").build())
    assert missing.code == 1390002
