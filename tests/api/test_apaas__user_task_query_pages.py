"""aPaaS user_task/query pages by offset: a page well past the first is the slice of the whole list at that offset,
over one approval, several or none, for each source; ``count`` is how many the whole list holds (exact while fewer
than the store's count cap remain, see docs/compatibility.md "Paging and counts of the lists").
Page: https://open.feishu.cn/document/apaas-v1/flow/user-task/query"""

from __future__ import annotations

import time
from typing import Any

import pytest
from lark_oapi.api.apaas.v1 import (
    AgreeApprovalTaskRequest,
    AgreeApprovalTaskRequestBody,
    QueryUserTaskRequest,
    QueryUserTaskRequestBody,
)

from tests.api.helpers import create_instance, kunlun, pending_task
from tests.api.helpers_ops import cc

LIMIT = 3


def query(client: Any, user: str, source: str, kind: str, api_ids: list[str], offset: int, limit: int,
          since: int) -> Any:
    b = (QueryUserTaskRequestBody.builder().source(source).limit(str(limit)).offset(str(offset))
         .kunlun_user_id(kunlun(user)).start_time(str(since)).end_time(str(int(time.time() * 1000) + 60_000)))
    if kind:
        b = b.type(kind)
    if api_ids:
        b = b.api_ids(api_ids)
    resp = client.apaas.v1.user_task.query(QueryUserTaskRequest.builder().request_body(b.build()).build())
    assert resp.code == 0, (resp.msg, resp.error)
    return resp.data


def row(t: Any) -> tuple[str, str, str]:
    return t.task_id, t.workflow_instance.id, t.workflow_instance.status


@pytest.fixture(scope="module")
def made(client: Any) -> dict[str, Any]:
    """14 instances by alice, AND2 and TWOSTEP in turn, each with a task of bob's and a CC to erin; bob approves
    every third one (with carol on AND2, which finishes those). Returns what each list must hold, as sets of
    (instance code, approval)."""
    since = int(time.time() * 1000) - 1
    made: list[tuple[str, str, bool]] = []  # (instance, approval, bob approved)
    for n in range(14):
        approval = ("AND2", "TWOSTEP")[n % 2]
        inst = create_instance(client, approval)
        assert cc(client, approval, inst, "alice", ["erin"]).code == 0
        if n % 3 == 0:
            for user in ("bob", "carol") if approval == "AND2" else ("bob",):
                agreed = client.apaas.v1.approval_task.agree(AgreeApprovalTaskRequest.builder()
                    .approval_task_id(pending_task(client, inst, user)).request_body(
                        AgreeApprovalTaskRequestBody.builder().user_id(kunlun(user)).opinion("ok").build()).build())
                assert agreed.code == 0, (agreed.msg, agreed.error)
        made.append((inst, approval, n % 3 == 0))
    every = {(i, a) for i, a, _ in made}
    finished = {(i, a) for i, a, done in made if done and a == "AND2"}
    bob_done = {(i, a) for i, a, done in made if done}
    return {"since": since, "expect": {
        ("assignMe", "pending"): every - bob_done, ("assignMe", "archived"): bob_done, ("assignMe", ""): every,
        ("fromMe", "pending"): every - finished, ("fromMe", "archived"): finished, ("fromMe", ""): every,
        ("CCMe", "pending"): every, ("CCMe", "archived"): set(), ("CCMe", ""): every}}


@pytest.mark.parametrize("user, source", [("bob", "assignMe"), ("alice", "fromMe"), ("erin", "CCMe")])
@pytest.mark.parametrize("kind", ["pending", "archived", ""])
@pytest.mark.parametrize("api_ids", [[], ["AND2"], ["TWOSTEP", "AND2"], ["AND2", "AND2"]])
def test_a_deep_page_is_the_slice_of_the_whole_list(client, made, user, source, kind, api_ids):
    whole = query(client, user, source, kind, api_ids, 0, 50, made["since"])
    rows = [row(t) for t in whole.tasks or []]
    expect = {i for i, a in made["expect"][source, kind] if not api_ids or a in api_ids}
    assert sorted(r[1] for r in rows) == sorted(expect)  # each once, an approval named twice or not
    assert int(whole.count) == len(rows)
    starts = [int(t.task_start_time) for t in whole.tasks or []]
    assert starts == sorted(starts, reverse=True)
    for offset in range(1, len(rows) + 2, 2):
        page = query(client, user, source, kind, api_ids, offset, LIMIT, made["since"])
        assert [row(t) for t in page.tasks or []] == rows[offset:offset + LIMIT], offset
        assert page.count == whole.count
