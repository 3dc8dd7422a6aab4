"""The documented request rules of the external (三方) approval endpoints, driven through lark-oapi.

Each expected code is read off the endpoint's Feishu reference page, named in the test's docstring; 1390001 (HTTP
400) is the page's code for a parameter that is missing or out of its range.
"""

from __future__ import annotations

import uuid

import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalCreateExternal,
    ApprovalCreateViewers,
    CcNode,
    CheckExternalInstanceRequest,
    CheckExternalInstanceRequestBody,
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExteranlInstanceCheck,
    ExternalApproval,
    ExternalInstance,
    ExternalInstanceLink,
    ExternalInstanceTaskNode,
    GetExternalApprovalRequest,
    I18nResource,
    I18nResourceText,
    ListExternalTaskRequest,
    ListExternalTaskRequestBody,
)

PARAM_INVALID = (400, 1390001)


def answer(resp) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return resp.raw.status_code, resp.code


def link() -> ExternalInstanceLink:
    return ExternalInstanceLink.builder().pc_link("https://erp.example/pc").build()


def texts(*keys: str) -> list[I18nResource]:
    """A default zh-CN locale with a text for @i18n@title and each of ``keys``."""
    return [I18nResource.builder().locale("zh-CN").is_default(True).texts(
        [I18nResourceText.builder().key(k).value(k[6:]).build() for k in ("@i18n@title", *keys)]).build()]


def task(n: int) -> ExternalInstanceTaskNode:
    return (ExternalInstanceTaskNode.builder().task_id(f"t{n}").user_id("bob").status("PENDING").links(link())
            .create_time(1).end_time(0).update_time(1).build())


def cc(n: int) -> CcNode:
    return (CcNode.builder().cc_id(f"c{n}").user_id("bob").read_status("UNREAD").links(link()).create_time(1)
            .update_time(1).build())


def instance(**leave_out: bool):  # type: ignore[no-untyped-def]
    """A builder for a valid instance; ``leave_out`` names the fields not to set."""
    b = (ExternalInstance.builder().approval_code("EXT-RULES").instance_id(f"i-{uuid.uuid4().hex[:10]}")
         .status("PENDING").links(link()).title("@i18n@title").user_id("alice").update_time(1))
    if not leave_out.get("start_time"):
        b = b.start_time(1)
    if not leave_out.get("end_time"):
        b = b.end_time(0)
    if not leave_out.get("i18n_resources"):
        b = b.i18n_resources(texts())
    return b


@pytest.fixture(autouse=True)
def synced_definition(client):  # type: ignore[no-untyped-def]
    """The external approval the instances here belong to."""
    body = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code("EXT-RULES").group_code("G")
            .group_name("@i18n@g").external(ApprovalCreateExternal.builder().support_pc(True).build())
            .i18n_resources(texts("@i18n@rules", "@i18n@g")).build())
    created = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(body)
                                                          .build())
    assert created.code == 0, created.msg


def sync(client, body: ExternalInstance):  # type: ignore[no-untyped-def]
    return client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder().request_body(body)
                                                       .build())


def test_sync_without_i18n_resources_is_1390001(client):
    """i18n_resources is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(i18n_resources=True).build())) == PARAM_INVALID
    assert answer(sync(client, instance().build())) == (200, 0)


def test_sync_without_start_time_is_1390001(client):
    """start_time is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(start_time=True).build())) == PARAM_INVALID


def test_sync_without_end_time_is_1390001(client):
    """end_time is required, 0 while the instance runs.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance(end_time=True).build())) == PARAM_INVALID


def test_sync_without_update_time_is_1390001(client):
    """update_time is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    body = instance().build()
    body.update_time = None
    assert answer(sync(client, body)) == PARAM_INVALID

def test_sync_takes_300_tasks_and_refuses_301(client):
    """task_list holds at most 300 tasks.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().task_list([task(n) for n in range(300)]).build())) == (200, 0)
    assert answer(sync(client, instance().task_list([task(n) for n in range(301)]).build())) == PARAM_INVALID


def test_sync_takes_200_cc_entries_and_refuses_201(client):
    """cc_list holds at most 200 entries.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().cc_list([cc(n) for n in range(200)]).build())) == (200, 0)
    assert answer(sync(client, instance().cc_list([cc(n) for n in range(201)]).build())) == PARAM_INVALID


def test_sync_task_without_end_time_is_1390001(client):
    """Each task has its end_time.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    bare = (ExternalInstanceTaskNode.builder().task_id("t").user_id("bob").status("PENDING").links(link())
            .create_time(1).build())
    assert answer(sync(client, instance().task_list([bare]).build())) == PARAM_INVALID


def test_sync_task_without_an_approver_is_1390001(client):
    """A task names its approver by user_id or open_id, at least one.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    nobody = (ExternalInstanceTaskNode.builder().task_id("t").status("PENDING").links(link()).create_time(1)
              .end_time(0).build())
    assert answer(sync(client, instance().task_list([nobody]).build())) == PARAM_INVALID


def test_sync_title_must_be_an_i18n_key(client):
    """title is an i18n key, which starts with @i18n@.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client, instance().title("Laptop").build())) == PARAM_INVALID


def test_sync_takes_times_as_the_strings_the_page_types(client):
    """start_time, end_time, update_time and task times are millisecond timestamps typed string.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    t = (ExternalInstanceTaskNode.builder().task_id("t").user_id("bob").status("PENDING").links(link())
         .create_time("1556468012678").end_time("0").update_time("1556468012678").build())
    body = instance().start_time("1556468012678").end_time("0").update_time("1556468012678").task_list([t]).build()
    assert answer(sync(client, body)) == (200, 0)


def test_sync_generate_type_is_never_an_empty_string(client):
    """generate_type is EXTERNAL_CONSIGN or DEFAULT, or left out, never an empty string.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    t = task(0)
    t.generate_type = ""
    assert answer(sync(client, instance().task_list([t]).build())) == PARAM_INVALID


def test_sync_cc_read_status_is_read_or_unread(client):
    """A cc entry's read_status is READ or UNREAD.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    c = cc(0)
    c.read_status = "SEEN"
    assert answer(sync(client, instance().cc_list([c]).build())) == PARAM_INVALID


def test_sync_locale_is_one_of_the_documented(client):
    """i18n_resources[].locale is one of the documented locales.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    resources = texts()
    resources[0].locale = "xx-XX"
    assert answer(sync(client, instance().i18n_resources(resources).build())) == PARAM_INVALID


def test_check_without_instances_is_1390001(client):
    """instances is required.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check
    """
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().build())
    assert answer(client.approval.v4.external_instance.check(req.build())) == PARAM_INVALID

def test_check_instance_without_tasks_is_1390001(client):
    """Each instance checked carries its tasks.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check
    """
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().instances(
        [ExteranlInstanceCheck.builder().instance_id("i-1").update_time(1).build()]).build()).build()
    assert answer(client.approval.v4.external_instance.check(req)) == PARAM_INVALID


def list_tasks(client, page_size: int | None = None, **body: list[str]):  # type: ignore[no-untyped-def]
    b = ListExternalTaskRequest.builder().request_body(ListExternalTaskRequestBody.builder()
                                                       .approval_codes(body.get("approval_codes", []))
                                                       .instance_ids(body.get("instance_ids", [])).build())
    if page_size is not None:
        b = b.page_size(page_size)
    return client.approval.v4.external_task.list(b.build())


def test_task_list_takes_20_approval_codes_and_refuses_21(client):
    """approval_codes holds at most 20 codes.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    codes = [f"EXT-{n}" for n in range(21)]
    assert answer(list_tasks(client, approval_codes=codes[:20])) == (200, 0)
    assert answer(list_tasks(client, approval_codes=codes)) == PARAM_INVALID


def test_task_list_refuses_21_instance_ids(client):
    """instance_ids holds at most 20 ids.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    ids = [f"i-{n}" for n in range(21)]
    assert answer(list_tasks(client, instance_ids=ids[:20])) == (200, 0)
    assert answer(list_tasks(client, instance_ids=ids)) == PARAM_INVALID


def test_task_list_page_size_is_at_most_500(client):
    """page_size is at most 500.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    assert answer(list_tasks(client, page_size=500, approval_codes=["EXT-1"])) == (200, 0)
    assert answer(list_tasks(client, page_size=501, approval_codes=["EXT-1"])) == PARAM_INVALID


def definition(**fields: object) -> ExternalApproval:
    b = (ExternalApproval.builder().approval_name("@i18n@rules").approval_code(f"EXT-{uuid.uuid4().hex[:8]}")
         .group_code("G").group_name("@i18n@g").external(ApprovalCreateExternal.builder().support_pc(True).build()))
    for name, value in fields.items():
        b = getattr(b, name)(value)
    body = b.build()
    if body.i18n_resources is None:  # the default locale gives every key the definition uses its text
        keys = [body.approval_name, body.group_name, body.description, body.external.biz_name]
        body.i18n_resources = texts(*(k for k in keys if isinstance(k, str) and k.startswith("@i18n@")))
    return body


def define(client, body: ExternalApproval):  # type: ignore[no-untyped-def]
    return client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(body)
                                                       .build())


def test_definition_name_is_an_i18n_key_of_at_least_9_characters(client):
    """approval_name starts with @i18n@ and has at least 9 characters.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    assert answer(define(client, definition(approval_name="@i18n@abc"))) == (200, 0)
    assert answer(define(client, definition(approval_name="@i18n@ab"))) == PARAM_INVALID
    assert answer(define(client, definition(approval_name="Leave requests"))) == PARAM_INVALID


def test_definition_code_is_at_most_128_characters(client):
    """approval_code has at most 128 characters.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    assert answer(define(client, definition(approval_code="C" * 128))) == (200, 0)
    assert answer(define(client, definition(approval_code="C" * 129))) == PARAM_INVALID


def test_definition_takes_200_viewers_and_refuses_201(client):
    """viewers holds at most 200 entries.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    viewers = [ApprovalCreateViewers.builder().viewer_type("USER").viewer_user_id(f"u{n}").build() for n in range(201)]
    assert answer(define(client, definition(viewers=viewers[:200]))) == (200, 0)
    assert answer(define(client, definition(viewers=viewers))) == PARAM_INVALID


def test_definition_viewer_type_is_an_enum(client):
    """viewer_type is TENANT, DEPARTMENT, USER or NONE.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    viewer = ApprovalCreateViewers.builder().viewer_type("EVERYONE").build()
    assert answer(define(client, definition(viewers=[viewer]))) == PARAM_INVALID


def test_definition_takes_200_managers_and_refuses_201(client):
    """managers holds at most 200 user ids.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    managers = [f"ou_{n}" for n in range(201)]
    assert answer(define(client, definition(managers=managers[:200]))) == (200, 0)
    assert answer(define(client, definition(managers=managers))) == PARAM_INVALID




def test_task_list_status_is_an_enum(client):
    """status is PENDING, APPROVED, REJECTED, TRANSFERRED or DONE.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    req = ListExternalTaskRequest.builder().request_body(ListExternalTaskRequestBody.builder()
                                                         .approval_codes(["EXT-RULES"]).status("WAITING").build())
    assert answer(client.approval.v4.external_task.list(req.build())) == PARAM_INVALID


def test_definition_group_name_description_and_biz_name_are_i18n_keys(client):
    """group_name, description and external.biz_name are i18n keys, which start with @i18n@.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    assert answer(define(client, definition(description="@i18n@d"))) == (200, 0)
    assert answer(define(client, definition(group_name="Office"))) == PARAM_INVALID
    assert answer(define(client, definition(description="Buy a laptop"))) == PARAM_INVALID
    external = ApprovalCreateExternal.builder().support_pc(True).biz_name("ERP").build()
    assert answer(define(client, definition(external=external))) == PARAM_INVALID


def test_definition_locale_is_one_of_the_documented(client):
    """i18n_resources[].locale is one of the 16 documented locales.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    good, bad = texts("@i18n@rules", "@i18n@g"), texts("@i18n@rules", "@i18n@g")
    good[0].locale = "ms-MY"
    bad[0].locale = "zh"
    assert answer(define(client, definition(i18n_resources=good))) == (200, 0)
    assert answer(define(client, definition(i18n_resources=bad))) == PARAM_INVALID

def test_definition_get_is_refused_to_a_read_only_app(client, client_for):
    """The permission row of the get page is approval:approval or approval:external_approval; an app holding only
    approval:approval:readonly is refused with 99991672.

    Page: https://open.feishu.cn/document/approval-v4/external_approval/get
    """
    readonly = client_for("cli_acme_ro")
    got = readonly.approval.v4.external_approval.get(GetExternalApprovalRequest.builder().approval_code("EXT-RULES")
                                                     .build())
    assert (got.raw.status_code, got.code) == (400, 99991672)
    assert client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder().approval_code("EXT-RULES")
                                                    .build()).code == 0


def test_sync_is_refused_to_a_read_only_app(client_for):
    """The permission row of the sync page is approval:approval or approval:external_instance; read-only is refused.

    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create
    """
    assert answer(sync(client_for("cli_acme_ro"), instance().build())) == (400, 99991672)


def test_check_and_task_list_take_a_read_only_app(client_for):
    """The check and task list pages' permission rows include approval:approval:readonly.

    Pages: https://open.feishu.cn/document/server-docs/approval-v4/external_instance/check and
    https://open.feishu.cn/document/server-docs/approval-v4/external_task/list
    """
    readonly = client_for("cli_acme_ro")
    req = CheckExternalInstanceRequest.builder().request_body(CheckExternalInstanceRequestBody.builder().instances(
        [ExteranlInstanceCheck.builder().instance_id("i-ro").update_time(1).tasks([]).build()]).build()).build()
    assert answer(readonly.approval.v4.external_instance.check(req)) == (200, 0)
    assert answer(list_tasks(readonly, approval_codes=["EXT-RULES"])) == (200, 0)


def test_definition_group_code_is_optional(client):
    """group_code is optional: an approval may be created without one (its group_code reads empty), and an update
    without one keeps the group the approval has.
    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    code = f"EXT-{uuid.uuid4().hex[:8]}"

    def without_group() -> ExternalApproval:
        return (ExternalApproval.builder().approval_name("@i18n@rules").approval_code(code)
                .external(ApprovalCreateExternal.builder().support_pc(True).build())
                .i18n_resources(texts("@i18n@rules")).build())

    def group_of() -> str:
        got = client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder().approval_code(code)
                                                       .build())
        assert got.code == 0, got.msg
        return str(got.data.group_code)

    assert answer(define(client, without_group())) == (200, 0)
    assert group_of() == ""
    assert answer(define(client, definition(approval_code=code, group_code="HR"))) == (200, 0)
    assert answer(define(client, without_group())) == (200, 0)
    assert group_of() == "HR"
