"""instances list/query/search_cc and tasks search/query, through the SDK."""

from __future__ import annotations

import time

from lark_oapi.api.approval.v4 import (
    CcSearch,
    InstanceSearch,
    ListInstanceRequest,
    QueryInstanceRequest,
    QueryTaskRequest,
    SearchCcInstanceRequest,
    SearchTaskRequest,
    TaskSearch,
)

from tests.api.helpers import approve, create_instance, pending_task, reject


def now_ms() -> int:
    return int(time.time() * 1000)


def test_instances_list_pages_through_a_window(client):
    start = now_ms() - 1000
    codes = [create_instance(client, "AND2") for _ in range(3)]
    seen: list[str] = []
    token = None
    while True:
        req = ListInstanceRequest.builder().approval_code("AND2").start_time(start).end_time(now_ms() + 1000).page_size(2)
        if token:
            req = req.page_token(token)
        resp = client.approval.v4.instance.list(req.build())
        assert resp.code == 0, resp.msg
        seen += resp.data.instance_code_list
        if not resp.data.has_more:
            assert resp.data.page_token is None
            break
        token = resp.data.page_token
    assert codes == [c for c in seen if c in codes]


def test_instances_list_answers_windows_over_ten_hours(client):
    """The page advises windows of at most 10 hours; it does not refuse longer ones.
    https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/instance/list"""
    code = create_instance(client, "AND2")
    resp = client.approval.v4.instance.list(ListInstanceRequest.builder().approval_code("AND2")
                                            .start_time(now_ms() - 24 * 3600 * 1000).end_time(now_ms() + 1000)
                                            .page_size(100).build())
    assert resp.code == 0, resp.msg
    assert code in resp.data.instance_code_list or resp.data.has_more


def test_instances_list_unknown_approval_is_1390002(client):
    resp = client.approval.v4.instance.list(ListInstanceRequest.builder().approval_code("NOPE").start_time(0)
                                            .end_time(1000).build())
    assert resp.code == 1390002


def test_instances_query_filters_by_status_with_lowercase_results(client):
    code = create_instance(client, "AND2", user_id="carol")
    assert reject(client, "AND2", code, "bob", pending_task(client, code, "bob")).code == 0
    body = InstanceSearch.builder().user_id("carol").approval_code("AND2").instance_status("REJECT").build()
    resp = client.approval.v4.instance.query(QueryInstanceRequest.builder().user_id_type("user_id").page_size(50)
                                             .request_body(body).build())
    assert resp.code == 0, resp.msg
    found = {i.instance.code: i for i in resp.data.instance_list}
    assert code in found
    assert found[code].instance.status == "rejected" and found[code].instance.user_id == "carol"
    assert found[code].approval.code == "AND2" and found[code].instance.link.pc_link.endswith(code)
    assert all(i.instance.status == "rejected" for i in resp.data.instance_list)


def test_instances_query_needs_a_filter_and_a_known_status(client):
    empty = client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(
        InstanceSearch.builder().instance_title("x").build()).build())
    assert empty.code == 1390001
    bad = client.approval.v4.instance.query(QueryInstanceRequest.builder().request_body(
        InstanceSearch.builder().approval_code("AND2").instance_status("WHATEVER").build()).build())
    assert bad.code == 1390001


def test_tasks_search_by_approver_and_status(client):
    code = create_instance(client, "AND2")
    body = TaskSearch.builder().user_id("carol").instance_code(code).task_status("PENDING").build()
    resp = client.approval.v4.task.search(SearchTaskRequest.builder().user_id_type("user_id").request_body(body).build())
    assert resp.code == 0, resp.msg
    assert resp.data.count == 1
    [item] = resp.data.task_list
    assert (item.task.user_id, item.task.status, item.instance.code) == ("carol", "pending", code)
    assert item.task.task_id == pending_task(client, code, "carol")
    bad = client.approval.v4.task.search(SearchTaskRequest.builder().request_body(
        TaskSearch.builder().user_id("x").task_status("NOPE").build()).build())
    assert bad.code == 1390001


def test_tasks_query_topics(client):
    code = create_instance(client, "AND2", user_id="dana")
    assert approve(client, "AND2", code, "bob", pending_task(client, code, "bob")).code == 0

    def topic(user: str, t: int) -> list:
        resp = client.approval.v4.task.query(QueryTaskRequest.builder().user_id(user).topic(str(t))
                                             .user_id_type("user_id").page_size(200).build())
        assert resp.code == 0, resp.msg
        return [x for x in resp.data.tasks if x.process_id == code]

    # The page's field table: status "1" to do, "2" done (its example prints the names)
    assert [x.status for x in topic("carol", 1)] == ["1"]
    assert [x.status for x in topic("bob", 2)] == ["2"]
    assert topic("bob", 1) == []
    started = topic("dana", 3)
    assert len(started) == 1 and started[0].initiators == ["dana"] and started[0].definition_code == "AND2"
    bad = client.approval.v4.task.query(QueryTaskRequest.builder().user_id("bob").topic("9").build())
    assert bad.code == 1390001


def test_cc_nodes_and_ccers_show_in_search_cc_and_topics(client):
    code = create_instance(client, "CCFLOW")
    assert approve(client, "CCFLOW", code, "bob", pending_task(client, code, "bob")).code == 0
    body = CcSearch.builder().instance_code(code).build()
    resp = client.approval.v4.instance.search_cc(SearchCcInstanceRequest.builder().user_id_type("user_id")
                                                 .request_body(body).build())
    assert resp.code == 0, resp.msg
    assert sorted(c.cc.user_id for c in resp.data.cc_list) == ["dana", "erin"]
    assert {c.cc.read_status for c in resp.data.cc_list} == {"unread"}
    unread = client.approval.v4.task.query(QueryTaskRequest.builder().user_id("dana").topic("17")
                                           .user_id_type("user_id").build())
    assert code in [t.process_id for t in unread.data.tasks]
