"""The documented request rules of the external (三方) approval definition: create and get, driven through
lark-oapi.

Each expected code is read off the endpoint's Feishu reference page, named in the test's docstring; 1390001 (HTTP
400) is the page's code for a parameter that is missing or out of its range.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from lark_oapi.api.approval.v4 import (
    ApprovalCreateExternal,
    ApprovalCreateViewers,
    ExternalApproval,
    GetExternalApprovalRequest,
)

from tests.api.contract.helpers_external import (
    PARAM_INVALID,
    answer,
    define,
    definition,
    texts,
)


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


@pytest.mark.usefixtures("external_rules_definition")
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


def test_definition_group_name_is_required_for_a_new_group(client):
    """group_name is required when group_code names a group that does not exist yet; an approval joining an existing
    group may leave it out and takes the group's name.
    Page: https://open.feishu.cn/document/server-docs/approval-v4/external_approval/create
    """
    group = f"G-{uuid.uuid4().hex[:8]}"
    assert answer(define(client, definition(group_code=group, group_name=None))) == PARAM_INVALID
    assert answer(define(client, definition(group_code=group, group_name="@i18n@g"))) == (200, 0)
    joining = definition(group_code=group, group_name=None)
    assert answer(define(client, joining)) == (200, 0)
    got = client.approval.v4.external_approval.get(GetExternalApprovalRequest.builder()
                                                   .approval_code(joining.approval_code).build())
    assert got.code == 0, got.msg
    assert (got.data.group_code, got.data.group_name) == (group, "@i18n@g")


def test_definition_get_answers_the_pages_fields_only(client, server):
    """The get page documents the definition's fields; whatever else the create body carried (sent raw, as the SDK
    sends only declared fields) is not answered. Page: https://open.feishu.cn/document/approval-v4/external_approval/get
    """
    code = f"EXT-{uuid.uuid4().hex[:8]}"
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    body = {"approval_name": "@i18n@rules", "approval_code": code, "internal_note": "not for clients",
            "external": {"support_pc": True, "erp_secret": "x"},
            "viewers": [{"viewer_type": "TENANT", "extra": 1}],
            "i18n_resources": [{"locale": "zh-CN", "is_default": True, "texts": [{"key": "@i18n@rules", "value": "r"}],
                                "note": "x"}]}
    made = httpx.post(server.base_url + "/open-apis/approval/v4/external_approvals", json=body,
                      headers={"Authorization": f"Bearer {token}"})
    assert made.json()["code"] == 0, made.json()
    got = httpx.get(f"{server.base_url}/open-apis/approval/v4/external_approvals/{code}",
                    headers={"Authorization": f"Bearer {token}"}).json()
    assert got["code"] == 0, got
    data = got["data"]
    assert "internal_note" not in data and data["external"] == {"support_pc": True}
    assert data["viewers"] == [{"viewer_type": "TENANT"}]
    assert data["i18n_resources"] == [{"locale": "zh-CN", "is_default": True,
                                       "texts": [{"key": "@i18n@rules", "value": "r"}]}]
