"""The documented rules of the task lists, driven through lark-oapi, expected codes from the pages:

- tasks/search: https://open.feishu.cn/document/server-docs/approval-v4/task/search
- tasks/query: https://open.feishu.cn/document/server-docs/approval-v4/task/query
"""

from __future__ import annotations

from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import QueryTaskRequest, SearchTaskRequest, TaskSearch

from tests.api.helpers import approve, create_instance, pending_task

DAY_MS = 24 * 3600 * 1000


def search(client: lark.Client, page_size: int | None = None, **fields: Any) -> Any:
    body = TaskSearch.builder()
    for k, v in fields.items():
        body = getattr(body, k)(v)
    req = SearchTaskRequest.builder().user_id_type("user_id").request_body(body.build())
    if page_size is not None:
        req = req.page_size(page_size)
    return client.approval.v4.task.search(req.build())


def refused(resp: Any, field: str) -> bool:
    assert (resp.code, resp.raw.status_code) == (1390001, 400), (resp.code, resp.msg)
    return bool(resp.error["field_violations"][0]["field"] == field)


def test_search_needs_one_of_its_five_filters(client):
    """user_id, approval_code, instance_code, instance_external_id and group_external_id may not all be empty."""
    assert refused(search(client, task_status="PENDING"), "user_id")
    assert search(client, group_external_id="no-such-group").code == 0


def test_search_unknown_codes_are_1390002_and_1390003(client):
    """The page lists 1390002 (approval code not found) and 1390003 (instance code not found)."""
    resp = search(client, approval_code="NO-SUCH-APPROVAL")
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390002, "approval code not found", 400)
    resp = search(client, instance_code="NO-SUCH-INSTANCE")
    assert (resp.code, resp.msg, resp.raw.status_code) == (1390003, "instance code not found", 400)
    code = create_instance(client)
    assert search(client, approval_code="LEAVE", instance_code=code).data.count == 1


def test_search_task_status_outside_its_values_is_1390001(client):
    """task_status takes PENDING, REJECTED, APPROVED, TRANSFERRED, DONE, RM_REPEAT, PROCESSED or ALL, in capitals;
    task_status_list the same values but ALL."""
    code = create_instance(client)
    assert refused(search(client, instance_code=code, task_status="NOPE"), "task_status")
    assert refused(search(client, instance_code=code, task_status="pending"), "task_status")
    assert refused(search(client, instance_code=code, task_status_list=["PENDING", "ALL"]), "task_status_list[1]")
    for status in ("PENDING", "PROCESSED", "ALL"):
        assert search(client, instance_code=code, task_status=status).code == 0


def test_search_task_status_list_replaces_task_status(client):
    """When task_status_list is set, task_status no longer counts."""
    code = create_instance(client, "AND2")
    assert approve(client, "AND2", code, "bob", pending_task(client, code, "bob")).code == 0
    both = search(client, instance_code=code, task_status="PENDING", task_status_list=["APPROVED"])
    assert [t.task.user_id for t in both.data.task_list] == ["bob"]
    assert [t.task.user_id for t in search(client, instance_code=code, task_status="PENDING").data.task_list] == ["carol"]


def test_search_window_is_two_timestamps_at_most_30_days_apart(client):
    """task_start_time_from / _to: millisecond timestamps in strings, both set or neither, at most 30 days apart."""
    code = create_instance(client)
    now = 1_800_000_000_000
    assert refused(search(client, instance_code=code, task_start_time_from=str(now)), "task_start_time_from")
    assert refused(search(client, instance_code=code, task_start_time_from=str(now - 31 * DAY_MS),
                          task_start_time_to=str(now)), "task_start_time_to")
    assert refused(search(client, instance_code=code, task_start_time_from="yesterday",
                          task_start_time_to=str(now)), "task_start_time_from")
    assert search(client, instance_code=code, task_start_time_from=str(now - 30 * DAY_MS),
                  task_start_time_to=str(now)).code == 0


def test_search_page_size_is_5_to_200(client):
    code = create_instance(client)
    assert refused(search(client, 4, instance_code=code), "page_size")
    assert refused(search(client, 201, instance_code=code), "page_size")
    assert search(client, 5, instance_code=code).code == 0
    assert search(client, 200, instance_code=code).code == 0


def test_search_order_is_0_to_3(client):
    code = create_instance(client)
    assert refused(search(client, instance_code=code, order=4), "order")
    assert all(search(client, instance_code=code, order=o).code == 0 for o in (0, 1, 2, 3))


def test_search_locale_outside_its_values_is_1390001(client):
    code = create_instance(client)
    assert refused(search(client, instance_code=code, locale="xx-XX"), "locale")
    assert search(client, instance_code=code, locale="en-US").code == 0


def query(client: lark.Client, user_id: str | None = "bob", topic: str | None = "1", page_size: int | None = None,
          page_token: str | None = None) -> Any:
    req = QueryTaskRequest.builder().user_id_type("user_id")
    for name, value in (("user_id", user_id), ("topic", topic), ("page_size", page_size), ("page_token", page_token)):
        if value is not None:
            req = getattr(req, name)(value)
    return client.approval.v4.task.query(req.build())


def test_query_needs_user_id_and_a_known_topic(client):
    """user_id and topic are required; topic is 1, 2, 3, 17 or 18."""
    assert refused(query(client, user_id=None), "user_id")
    assert refused(query(client, topic=None), "topic")
    assert refused(query(client, topic="9"), "topic")
    assert refused(query(client, topic="01"), "topic")
    assert all(query(client, topic=t).code == 0 for t in ("1", "2", "3", "17", "18"))


def test_query_page_size_is_at_most_200(client):
    assert refused(query(client, page_size=201), "page_size")
    assert query(client, page_size=200).code == 0


def test_query_count_comes_on_the_first_page_only(client):
    """count (total and has_more) is returned on the first page only."""
    for _ in range(2):
        create_instance(client)
    first = query(client, page_size=1)
    assert first.code == 0 and first.data.has_more and first.data.count.total >= 2
    second = query(client, page_size=1, page_token=first.data.page_token)
    assert second.code == 0 and second.data.count is None
