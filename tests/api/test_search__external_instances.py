"""External (三方) instances and tasks appear in ``instances/query`` and ``tasks/search`` beside native ones.

- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/query
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/task/search
- https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/external_instance/create

The pages: ``approval.is_external`` tells them apart; ``approval_code`` and ``group_external_id`` select approvals
(their results are united), ``instance_code`` and ``instance_external_id`` select instances (united too), and
the instance's ``title``, ``link`` and ``external_id`` come from what the external system sent.
"""

from __future__ import annotations

import time
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExternalApproval,
    ExternalInstance,
    InstanceSearch,
    QueryInstanceRequest,
    SearchTaskRequest,
    TaskSearch,
)

from tests.api.helpers import create_instance

_I18N = [{"locale": "zh-CN", "is_default": True, "texts": [
    {"key": "@i18n@ext_name", "value": "外部采购"}, {"key": "@i18n@ext_group", "value": "外部分组"},
    {"key": "@i18n@ext_title", "value": "采购笔记本"}, {"key": "@i18n@ext_task", "value": "审批采购"}]}]


@pytest.fixture(scope="module")
def external(client: lark.Client) -> dict[str, Any]:
    """An external approval in group GRP-SEARCH, one PENDING instance by alice with a task for bob."""
    approval = ExternalApproval({
        "approval_name": "@i18n@ext_name", "approval_code": "EXT-SEARCH", "group_code": "GRP-SEARCH",
        "group_name": "@i18n@ext_group", "external": {"biz_name": "@i18n@ext_name", "support_pc": True,
                                                      "support_mobile": True, "support_batch_read": False},
        "i18n_resources": _I18N})
    made = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder()
                                                       .request_body(approval).build())
    assert made.code == 0, (made.msg, made.error)
    now = int(time.time() * 1000)
    body = {"approval_code": "EXT-SEARCH", "status": "PENDING", "extra": "{}", "instance_id": "EXT-SEARCH-1",
            "links": {"pc_link": "https://ext.example/pc/1", "mobile_link": "https://ext.example/m/1"},
            "title": "@i18n@ext_title", "user_id": "alice", "start_time": str(now), "end_time": "0",
            "update_time": str(now), "update_mode": "REPLACE",
            "task_list": [{"task_id": "EXT-TASK-1", "user_id": "bob", "title": "@i18n@ext_task", "status": "PENDING",
                           "links": {"pc_link": "https://ext.example/pc/t1", "mobile_link": "https://ext.example/m/t1"},
                           "create_time": str(now), "end_time": "0", "update_time": str(now)}],
            "i18n_resources": _I18N}
    put = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder()
                                                      .request_body(ExternalInstance(body)).build())
    assert put.code == 0, (put.msg, put.error)
    return body


def _query(client: lark.Client, **filters: Any) -> Any:
    resp = client.approval.v4.instance.query(QueryInstanceRequest.builder().user_id_type("user_id").page_size(50)
                                             .request_body(InstanceSearch(filters)).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return resp.data


def _every_page(client: lark.Client, **filters: Any) -> tuple[list[Any], int]:
    """Every item of an instances/query, page after page (other tests' instances may fill the first), and the
    count the first page gave."""
    items: list[Any] = []
    token, count = "", -1
    while True:
        builder = QueryInstanceRequest.builder().user_id_type("user_id").page_size(50)
        resp = client.approval.v4.instance.query((builder.page_token(token) if token else builder)
                                                 .request_body(InstanceSearch(filters)).build())
        assert resp.code == 0, (resp.code, resp.msg)
        items += resp.data.instance_list or []
        count = resp.data.count if count < 0 else count
        if not resp.data.has_more:
            return items, count
        token = resp.data.page_token


def _tasks(client: lark.Client, **filters: Any) -> Any:
    resp = client.approval.v4.task.search(SearchTaskRequest.builder().user_id_type("user_id").page_size(50)
                                          .request_body(TaskSearch(filters)).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return resp.data


def test_an_external_instance_is_listed_by_instances_query(client: lark.Client, external: dict[str, Any]) -> None:
    found = _query(client, instance_external_id="EXT-SEARCH-1")
    assert found.count == 1
    item = found.instance_list[0]
    assert (item.approval.code, item.approval.is_external, item.approval.name) == ("EXT-SEARCH", True, "外部采购")
    assert (item.group.external_id, item.group.name) == ("GRP-SEARCH", "外部分组")
    assert (item.instance.external_id, item.instance.user_id, item.instance.status) == ("EXT-SEARCH-1", "alice",
                                                                                        "pending")
    assert item.instance.title == "采购笔记本"
    assert item.instance.link.pc_link == "https://ext.example/pc/1"
    assert [i.instance.external_id for i in _query(client, group_external_id="GRP-SEARCH").instance_list] == \
        ["EXT-SEARCH-1"]


def test_filters_unite_native_and_external_approvals(client: lark.Client, external: dict[str, Any]) -> None:
    native = create_instance(client, "AND2", user_id="alice")
    mine, count = _every_page(client, user_id="alice", approval_code="AND2", group_external_id="GRP-SEARCH")
    codes = [(i.approval.is_external, i.instance.code) for i in mine]
    assert (False, native) in codes and (True, "EXT-SEARCH-1") in codes
    assert count == len(codes) == len(set(codes))
    assert all(not i.approval.is_external for i in _query(client, approval_code="AND2").instance_list)
    assert _query(client, user_id="bob", group_external_id="GRP-SEARCH").count == 0  # bob started none
    assert _query(client, group_external_id="GRP-SEARCH", instance_status="APPROVED").count == 0


def test_an_external_task_is_listed_by_tasks_search(client: lark.Client, external: dict[str, Any]) -> None:
    found = _tasks(client, user_id="bob", approval_code="EXT-SEARCH")
    assert found.count == 1
    item = found.task_list[0]
    assert item.approval.is_external is True and item.instance.external_id == "EXT-SEARCH-1"
    assert (item.task.task_id, item.task.task_external_id, item.task.user_id) == ("EXT-TASK-1", "EXT-TASK-1", "bob")
    assert (item.task.status, item.task.title) == ("pending", "审批采购")
    assert item.task.link.mobile_link == "https://ext.example/m/t1"
    assert _tasks(client, user_id="carol", approval_code="EXT-SEARCH").count == 0
    assert _tasks(client, user_id="bob", approval_code="EXT-SEARCH", task_status="APPROVED").count == 0
