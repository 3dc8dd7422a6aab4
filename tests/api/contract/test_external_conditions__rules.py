"""The conditional rules of the external (三方) approval endpoints: what one field requires of another, and how a
second sync of an instance is taken. Driven through lark-oapi; each expected code is read off the page its test's
docstring names (1390001, HTTP 400, for a parameter that is missing or out of its range).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalCreateExternal,
    ApprovalCreateViewers,
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExternalApproval,
    ExternalInstance,
    ExternalInstanceLink,
    ExternalInstanceTaskNode,
    GetExternalApprovalRequest,
    I18nResource,
    I18nResourceText,
    InstanceSearch,
    ListExternalTaskRequest,
    ListExternalTaskRequestBody,
    QueryInstanceRequest,
)

PARAM_INVALID = (400, 1390001)
OK = (200, 0)
CODE = "EXT-COND"


def answer(resp: Any) -> tuple[int, int]:
    return resp.raw.status_code, resp.code


def texts(*keys: str) -> list[I18nResource]:
    """A default zh-CN locale with a text for each of ``keys``."""
    return [I18nResource.builder().locale("zh-CN").is_default(True).texts(
        [I18nResourceText.builder().key(k).value(k[6:]).build() for k in keys]).build()]


def define(client: Any, external: ApprovalCreateExternal | None = None, **fields: Any) -> Any:
    b = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code(f"EXT-{uuid.uuid4().hex[:8]}")
         .group_code("G").group_name("@i18n@g").i18n_resources(texts("@i18n@rules", "@i18n@g"))
         .external(external or ApprovalCreateExternal.builder().support_pc(True).build()))
    for name, value in fields.items():
        b = getattr(b, name)(value)
    req = CreateExternalApprovalRequest.builder().user_id_type("user_id").request_body(b.build()).build()
    return client.approval.v4.external_approval.create(req)


def test_a_user_viewer_names_the_user_and_a_department_viewer_the_department(client):
    """viewer_user_id is given when viewer_type is USER, viewer_department_id when it is DEPARTMENT.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    def viewer(kind: str, **ids: str) -> ApprovalCreateViewers:
        b = ApprovalCreateViewers.builder().viewer_type(kind)
        for name, value in ids.items():
            b = getattr(b, name)(value)
        return b.build()

    assert answer(define(client, viewers=[viewer("USER", viewer_user_id="alice")])) == OK
    assert answer(define(client, viewers=[viewer("DEPARTMENT", viewer_department_id="eng")])) == OK
    assert answer(define(client, viewers=[viewer("USER")])) == PARAM_INVALID
    assert answer(define(client, viewers=[viewer("DEPARTMENT")])) == PARAM_INVALID
    assert answer(define(client, viewers=[viewer("USER", viewer_department_id="eng")])) == PARAM_INVALID


@pytest.mark.parametrize(("pc", "mobile", "expected"), [
    (True, None, OK), (None, True, OK), (False, True, OK),
    (False, False, PARAM_INVALID), (None, None, PARAM_INVALID), (False, None, PARAM_INVALID),
])
def test_support_pc_and_support_mobile_are_not_both_false(client, pc, mobile, expected):
    """support_pc and support_mobile default to false and may not both be false.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    b = ApprovalCreateExternal.builder()
    if pc is not None:
        b = b.support_pc(pc)
    if mobile is not None:
        b = b.support_mobile(mobile)
    assert answer(define(client, external=b.build())) == expected


def test_the_default_locale_holds_a_text_for_every_key(client):
    """The default language holds every key the definition uses (a key another locale lacks falls back to it):
    approval_name, group_name, description and external.biz_name.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    biz = ApprovalCreateExternal.builder().support_pc(True).biz_name("@i18n@erp").build()
    full = texts("@i18n@rules", "@i18n@g", "@i18n@about", "@i18n@erp")
    assert answer(define(client, external=biz, description="@i18n@about", i18n_resources=full)) == OK
    for missing in ("@i18n@rules", "@i18n@g", "@i18n@about", "@i18n@erp"):
        short = texts(*(k for k in ("@i18n@rules", "@i18n@g", "@i18n@about", "@i18n@erp") if k != missing))
        assert answer(define(client, external=biz, description="@i18n@about", i18n_resources=short)) == PARAM_INVALID
    not_default = texts("@i18n@rules", "@i18n@g")
    not_default[0].is_default = False
    assert answer(define(client, i18n_resources=not_default)) == PARAM_INVALID


@pytest.fixture(scope="module")
def synced_definition(client: Any) -> None:
    body = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code(CODE).group_code("G-COND")
            .group_name("@i18n@g").external(ApprovalCreateExternal.builder().support_pc(True).build())
            .i18n_resources(texts("@i18n@rules", "@i18n@g")).build())
    made = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(body)
                                                       .build())
    assert made.code == 0, made.msg


def link() -> ExternalInstanceLink:
    return ExternalInstanceLink.builder().pc_link("https://erp.example/pc").build()


def instance(instance_id: str, status: str = "PENDING", update_time: int = 1, mode: str = "REPLACE",
             **initiator: str) -> ExternalInstance:
    texts = [I18nResourceText.builder().key("@i18n@title").value("Laptop").build()]
    b = (ExternalInstance.builder().approval_code(CODE).instance_id(instance_id).status(status).links(link())
         .title("@i18n@title").start_time(1).end_time(0).update_time(update_time).update_mode(mode)
         .task_list([ExternalInstanceTaskNode.builder().task_id("t1").user_id("bob").status("PENDING").links(link())
                     .create_time(1).end_time(0).update_time(update_time).build()])
         .i18n_resources([I18nResource.builder().locale("zh-CN").is_default(True).texts(texts).build()]))
    for name, value in initiator.items():
        b = getattr(b, name)(value)
    return b.build()


def sync(client: Any, body: ExternalInstance) -> Any:
    return client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(body)
                                                       .build())


def started_by(client: Any, user_id: str, external_id: str) -> list[str]:
    """The external ids instances/query finds for the initiator ``user_id`` (a user_id)."""
    body = InstanceSearch.builder().user_id(user_id).approval_code(CODE).instance_external_id(external_id).build()
    resp = client.approval.v4.instance.query(QueryInstanceRequest.builder().user_id_type("user_id")
                                             .request_body(body).build())
    assert resp.code == 0, resp.msg
    return [i.instance.external_id for i in resp.data.instance_list or []]


def test_the_initiator_is_named_by_user_id_or_open_id_or_user_name(client, synced_definition):
    """The initiator is named by user_id or open_id; user_name stands in when there is no real user.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    by_open_id, by_user_id, by_name = (f"i-{uuid.uuid4().hex[:10]}" for _ in range(3))
    assert answer(sync(client, instance(by_open_id, open_id="ou_alice"))) == OK
    assert answer(sync(client, instance(by_user_id, user_id="alice"))) == OK
    assert answer(sync(client, instance(by_name, user_name="@i18n@title"))) == OK
    assert started_by(client, "alice", by_open_id) == [by_open_id]
    assert started_by(client, "alice", by_user_id) == [by_user_id]
    assert started_by(client, "alice", by_name) == []


def test_with_update_mode_update_only_a_newer_update_time_overwrites(client, synced_definition):
    """update_mode UPDATE: the stored instance is overwritten only by a body with a newer update_time.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    iid = f"i-{uuid.uuid4().hex[:10]}"
    assert answer(sync(client, instance(iid, "PENDING", 200, user_id="alice"))) == OK
    older = sync(client, instance(iid, "APPROVED", 100, mode="UPDATE", user_id="alice"))
    assert answer(older) == OK and older.data.data.status == "PENDING"
    newer = sync(client, instance(iid, "APPROVED", 300, mode="UPDATE", user_id="alice"))
    assert answer(newer) == OK and newer.data.data.status == "APPROVED"


def list_tasks(client: Any, **body: Any) -> Any:
    b = ListExternalTaskRequestBody.builder()
    for name, value in body.items():
        b = getattr(b, name)(value)
    return client.approval.v4.external_task.list(ListExternalTaskRequest.builder().request_body(b.build()).build())


def test_task_list_by_user_needs_codes_and_status_and_by_status_needs_codes(client, synced_definition):
    """Filtering by user_ids needs approval_codes and status; filtering by status needs approval_codes (the page's
    request examples 2 and 3).

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    assert answer(list_tasks(client, approval_codes=[CODE], user_ids=["bob"], status="PENDING")) == OK
    assert answer(list_tasks(client, approval_codes=[CODE], status="PENDING")) == OK
    assert answer(list_tasks(client, user_ids=["bob"], status="PENDING")) == PARAM_INVALID
    assert answer(list_tasks(client, approval_codes=[CODE], user_ids=["bob"])) == PARAM_INVALID
    assert answer(list_tasks(client, status="PENDING")) == PARAM_INVALID


def test_get_with_a_user_id_type_outside_the_enum_is_1390001(client, synced_definition):
    """user_id_type is open_id, union_id or user_id; another value is a parameter out of its range (1390001).

    Page: https://open.feishu.cn/document/approval-v4/external_approval/get
    """
    def get(id_type: str) -> tuple[int, int]:
        return answer(client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder()
                                                               .approval_code(CODE).user_id_type(id_type).build()))

    assert get("user_id") == OK
    assert get("email") == PARAM_INVALID
