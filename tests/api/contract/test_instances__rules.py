"""Instance create and specified_rollback, as their reference pages document the request: the free-cc node lists
hold at most 20 entries, the auto-approval list at most 10, uuid 1 to 64 characters; specified_rollback's
task_def_key_list holds 1 to 100 keys, duplicates counted. Each limit is probed on both sides.

Pages: https://open.feishu.cn/document/server-docs/approval-v4/instance/create
       https://open.feishu.cn/document/server-docs/approval-v4/instance/specified_rollback
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from lark_oapi.api.approval.v4 import (
    CcSearch,
    CreateInstanceRequest,
    GetInstanceRequest,
    InstanceCreate,
    InstanceSearch,
    ListInstanceRequest,
    NodeAutoApproval,
    NodeCc,
    QueryInstanceRequest,
    SearchCcInstanceRequest,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task
from tests.api.helpers_ops import add_sign, cancel, cc, rollback

PARAM_INVALID = 1390001
FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "laptop"}])


def create(client: Any, **fields: Any) -> Any:
    b = InstanceCreate.builder().approval_code("CCFLOW").user_id("alice").form(FORM)
    for name, value in fields.items():
        b = getattr(b, name)(value)
    return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(b.build()).build())


@pytest.mark.parametrize("field", ["node_cc_user_id_list", "node_cc_open_id_list"])
def test_a_node_cc_list_holds_at_most_20_entries(client, field):
    dana = "dana" if field == "node_cc_user_id_list" else get_instance(client, create_instance(client, user_id="dana"),
                                                                      "open_id").open_id
    entries = [NodeCc.builder().key("first").value([dana]).build()]
    assert create(client, **{field: entries * 20}).code == 0
    assert create(client, **{field: entries * 21}).code == PARAM_INVALID


def test_the_auto_approval_list_holds_at_most_10_nodes(client):
    nodes = [NodeAutoApproval.builder().node_id_type("CUSTOM").node_id("first").build()]
    assert create(client, node_auto_approval_list=nodes * 10).code == 0
    assert create(client, node_auto_approval_list=nodes * 11).code == PARAM_INVALID


def test_an_auto_approval_node_id_type_outside_the_enum_is_1390001(client):
    nodes = [NodeAutoApproval.builder().node_id_type("KEY").node_id("first").build()]
    assert create(client, node_auto_approval_list=nodes).code == PARAM_INVALID


def test_uuid_is_at_most_64_characters(client):
    assert create(client, uuid="u" * 64).code == 0
    assert create(client, uuid="v" * 65).code == PARAM_INVALID


@pytest.fixture
def at_second_step(client) -> tuple[str, str]:
    """A TWOSTEP instance whose first node ("one") has passed: (instance code, carol's pending task)."""
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    return inst, pending_task(client, inst, "carol")


def test_task_def_key_list_holds_at_most_100_keys_duplicates_counted(client, at_second_step):
    inst, task = at_second_step
    assert rollback(client, "carol", task, ["one"] * 101).code == PARAM_INVALID
    assert rollback(client, "carol", task, ["one"] * 100).code == 0


def test_task_def_key_list_may_not_be_empty(client, at_second_step):
    _, task = at_second_step
    assert rollback(client, "carol", task, []).code == PARAM_INVALID


# The codes the pages document for lookups that find nothing, and for query parameters outside their range.
# Pages: .../instance/get, .../instance/list, .../instance/cancel, .../instance/cc, .../instance/query,
# .../instance/search_cc (under https://open.feishu.cn/document/server-docs/approval-v4/)

APPROVAL_NOT_FOUND, INSTANCE_NOT_FOUND, USER_NOT_FOUND = 1390002, 1390003, 1390004


def test_get_with_a_user_id_naming_nobody_is_1390004(client):
    inst = create_instance(client)
    req = GetInstanceRequest.builder().instance_id(inst).user_id_type("user_id")
    assert client.approval.v4.instance.get(req.user_id("ghost").build()).code == USER_NOT_FOUND
    assert client.approval.v4.instance.get(req.user_id("alice").build()).code == 0


def test_get_with_a_locale_outside_the_enum_is_1390001(client):
    inst = create_instance(client)
    req = GetInstanceRequest.builder().instance_id(inst).locale("xx-XX").build()
    assert client.approval.v4.instance.get(req).code == PARAM_INVALID


@pytest.mark.parametrize(("size", "code"), [("1", 0), ("100", 0), ("0", PARAM_INVALID), ("101", PARAM_INVALID)])
def test_list_page_size_is_1_to_100(client, size, code):
    req = (ListInstanceRequest.builder().approval_code("LEAVE").start_time("1700000000000")
           .end_time("1700000100000").page_size(int(size)).build())
    assert client.approval.v4.instance.list(req).code == code


@pytest.mark.parametrize("missing", ["approval_code", "start_time", "end_time"])
def test_list_needs_the_code_and_both_times(client, missing):
    b = ListInstanceRequest.builder()
    for name, value in {"approval_code": "LEAVE", "start_time": "1700000000000", "end_time": "1700000100000"}.items():
        if name != missing:
            b = getattr(b, name)(value)
    assert client.approval.v4.instance.list(b.build()).code == PARAM_INVALID


def test_cancel_and_cc_name_an_unknown_definition_or_instance(client):
    inst = create_instance(client, "AND2")
    assert cancel(client, "NOPE", inst, "alice").code == APPROVAL_NOT_FOUND
    assert cancel(client, "AND2", "nope", "alice").code == INSTANCE_NOT_FOUND
    assert cc(client, "NOPE", inst, "alice", ["dana"]).code == APPROVAL_NOT_FOUND
    assert cc(client, "AND2", "nope", "alice", ["dana"]).code == INSTANCE_NOT_FOUND


def test_query_with_an_unknown_approval_or_instance_code_is_1390002_or_1390003(client):
    def query(**fields: str) -> Any:
        b = InstanceSearch.builder()
        for k, v in fields.items():
            b = getattr(b, k)(v)
        return client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(b.build()).build())

    assert query(approval_code="LEAVE").code == 0
    assert query(approval_code="NOPE").code == APPROVAL_NOT_FOUND
    assert query(instance_code="nope").code == INSTANCE_NOT_FOUND


def test_search_cc_with_an_unknown_approval_or_instance_code_is_1390002_or_1390003(client):
    def search(**fields: str) -> Any:
        b = CcSearch.builder()
        for k, v in fields.items():
            b = getattr(b, k)(v)
        return client.approval.v4.instance.search_cc(SearchCcInstanceRequest.builder().request_body(b.build()).build())

    assert search(approval_code="LEAVE").code == 0
    assert search(approval_code="NOPE").code == APPROVAL_NOT_FOUND
    assert search(instance_code="nope").code == INSTANCE_NOT_FOUND


@pytest.mark.parametrize(("size", "code"), [(5, 0), (200, 0), (4, PARAM_INVALID), (201, PARAM_INVALID)])
def test_query_and_search_cc_page_size_is_5_to_200(client, size, code):
    query = (QueryInstanceRequest.builder().page_size(size)
             .request_body(InstanceSearch.builder().approval_code("LEAVE").build()).build())
    assert client.approval.v4.instance.query(query).code == code
    search = (SearchCcInstanceRequest.builder().page_size(size)
              .request_body(CcSearch.builder().approval_code("LEAVE").build()).build())
    assert client.approval.v4.instance.search_cc(search).code == code


def _query(client: Any, **fields: Any) -> Any:
    b = InstanceSearch.builder()
    for k, v in fields.items():
        b = getattr(b, k)(v)
    return client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(b.build()).build())


def _search_cc(client: Any, **fields: Any) -> Any:
    b = CcSearch.builder()
    for k, v in fields.items():
        b = getattr(b, k)(v)
    return client.approval.v4.instance.search_cc(SearchCcInstanceRequest.builder().request_body(b.build()).build())


DAY = 24 * 3600 * 1000
T0 = 1_790_000_000_000


def test_query_window_ends_come_together_and_span_at_most_30_days(client):
    assert _query(client, approval_code="LEAVE", instance_start_time_from=str(T0)).code == PARAM_INVALID
    assert _query(client, approval_code="LEAVE", instance_start_time_to=str(T0)).code == PARAM_INVALID
    assert _query(client, approval_code="LEAVE", instance_start_time_from=str(T0),
                  instance_start_time_to=str(T0 + 30 * DAY)).code == 0
    assert _query(client, approval_code="LEAVE", instance_start_time_from=str(T0),
                  instance_start_time_to=str(T0 + 31 * DAY)).code == PARAM_INVALID


def test_search_cc_window_ends_come_together_and_span_at_most_30_days(client):
    assert _search_cc(client, approval_code="LEAVE", cc_create_time_from=str(T0)).code == PARAM_INVALID
    assert _search_cc(client, approval_code="LEAVE", cc_create_time_from=str(T0),
                      cc_create_time_to=str(T0 + 30 * DAY)).code == 0
    assert _search_cc(client, approval_code="LEAVE", cc_create_time_from=str(T0),
                      cc_create_time_to=str(T0 + 31 * DAY)).code == PARAM_INVALID


def test_search_cc_needs_a_filter_and_a_known_read_status(client):
    assert _search_cc(client, cc_title="x").code == PARAM_INVALID
    assert _search_cc(client, approval_code="LEAVE", read_status="UNREAD").code == 0
    assert _search_cc(client, approval_code="LEAVE", read_status="SOME").code == PARAM_INVALID


@pytest.mark.parametrize("locale", ["zh_CN", "xx-XX"])
def test_query_and_search_cc_locale_outside_the_enum_is_1390001(client, locale):
    assert _query(client, approval_code="LEAVE", locale=locale).code == PARAM_INVALID
    assert _search_cc(client, approval_code="LEAVE", locale=locale).code == PARAM_INVALID


# Add sign. Page: https://open.feishu.cn/document/server-docs/approval-v4/task/approval-task-addsign


@pytest.mark.parametrize(("method", "code"), [(1, 0), (2, 0), (3, PARAM_INVALID)])
def test_add_sign_approval_method_is_1_or_2(client, method, code):
    inst = create_instance(client, "TWOSTEP")
    task = pending_task(client, inst, "bob")
    assert add_sign(client, "TWOSTEP", inst, "bob", task, ["erin"], 1, method=method).code == code


# A JSON null is taken as absent, as published clients send it for optional fields (the SDKs leave such fields out,
# so these go raw). Pages: .../instance/create, .../instance/cc, .../instance-comment/create


@pytest.fixture(scope="module")
def post_raw(server):
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]

    def post(path: str, body: dict[str, Any], **params: str) -> int:
        r = httpx.post(f"{server.base_url}/open-apis/approval/v4/{path}", json=body, params=params,
                       headers={"Authorization": f"Bearer {token}"})
        return int(r.json()["code"])

    return post


def test_optional_fields_sent_as_null_are_absent(client, post_raw):
    assert post_raw("instances", {"approval_code": "LEAVE", "user_id": "alice", "open_id": None, "form": FORM,
                                  "uuid": None, "department_id": None, "title": None,
                                  "node_cc_user_id_list": None, "i18n_resources": None}) == 0
    inst = create_instance(client, "AND2")
    assert post_raw("instances/cc", {"approval_code": "AND2", "instance_code": inst, "user_id": "alice",
                                     "cc_user_ids": ["dana"], "comment": None}, user_id_type="user_id") == 0
    assert post_raw(f"instances/{inst}/comments", {"content": json.dumps({"text": "hi"}), "extra": None,
                                                   "parent_comment_id": None, "at_info_list": None},
                    user_id="alice", user_id_type="user_id") == 0


def test_a_required_field_sent_as_null_is_missing(post_raw):
    assert post_raw("instances", {"approval_code": "LEAVE", "user_id": "alice", "form": None}) == PARAM_INVALID
