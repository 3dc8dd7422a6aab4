"""Concurrent actions on one instance are serialized: exactly one winner per task, the others get the
documented error, the instance ends in one consistent state, the timeline has no duplicates."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.helpers import create_instance, get_instance, pending_task

THREADS = 16


@pytest.fixture(scope="module")
def call(server):
    token = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]

    def post(path: str, body: dict) -> int:
        with httpx.Client(timeout=30) as c:  # a connection per call: real concurrency on the server
            r = c.post(server.base_url + path, json=body, headers={"Authorization": f"Bearer {token}"})
            return int(r.json()["code"])

    return post


def act(call, action: str, code: str, inst: str, user: str, task: str) -> int:
    return call(f"/open-apis/approval/v4/tasks/{action}?user_id_type=user_id",
                {"approval_code": code, "instance_code": inst, "user_id": user, "task_id": task})


def run_all(jobs) -> list[int]:
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(lambda j: j(), jobs))


def assert_consistent(client, inst: str) -> None:
    data = get_instance(client, inst)
    statuses = [t.status for t in data.task_list]
    if data.status != "PENDING":
        assert "PENDING" not in statuses
    decisions = [(e.type, e.task_id) for e in data.timeline if e.task_id]
    assert len(decisions) == len(set(decisions)), decisions


def test_many_callers_one_task_exactly_one_wins(client, call):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    jobs = [lambda i=i: act(call, "reject" if i % 2 else "approve", "AND2", inst, "bob", task) for i in range(THREADS)]
    codes = run_all(jobs)
    assert codes.count(0) == 1 and set(codes) <= {0, 1390010}
    data = get_instance(client, inst)
    bob = [t for t in data.task_list if t.id == task][0]
    assert bob.status in ("APPROVED", "REJECTED")
    assert len([e for e in data.timeline if e.task_id == task]) == 1
    assert_consistent(client, inst)


def test_siblings_of_an_and_node_both_count_and_the_node_moves_on_once(client, call):
    inst = create_instance(client, "AND2")
    bob, carol = pending_task(client, inst, "bob"), pending_task(client, inst, "carol")
    jobs = [lambda: act(call, "approve", "AND2", inst, "bob", bob),
            lambda: act(call, "approve", "AND2", inst, "carol", carol)] * (THREADS // 2)
    codes = run_all(jobs)
    assert codes.count(0) == 2 and set(codes) <= {0, 1390010}
    data = get_instance(client, inst)
    assert data.status == "APPROVED"
    assert [e.type for e in data.timeline].count("PASS") == 2
    assert_consistent(client, inst)


def test_siblings_of_an_or_node_one_decides(client, call):
    inst = create_instance(client)  # LEAVE: bob, then an OR node of dana and carol
    assert act(call, "approve", "LEAVE", inst, "bob", pending_task(client, inst, "bob")) == 0
    dana, carol = pending_task(client, inst, "dana"), pending_task(client, inst, "carol")
    jobs = [lambda: act(call, "approve", "LEAVE", inst, "dana", dana),
            lambda: act(call, "reject", "LEAVE", inst, "carol", carol)] * (THREADS // 2)
    codes = run_all(jobs)
    assert codes.count(0) == 1 and set(codes) <= {0, 1390010}
    data = get_instance(client, inst)
    assert data.status in ("APPROVED", "REJECTED")
    assert sorted(t.status for t in data.task_list if t.user_id in ("dana", "carol")) in (
        ["APPROVED", "DONE"], ["DONE", "REJECTED"])
    assert_consistent(client, inst)


def test_a_reject_racing_an_approve_on_siblings_ends_in_one_state(client, call):
    for _ in range(3):
        inst = create_instance(client, "AND2")
        bob, carol = pending_task(client, inst, "bob"), pending_task(client, inst, "carol")
        codes = run_all([lambda i=inst, t=bob: act(call, "approve", "AND2", i, "bob", t),
                         lambda i=inst, t=carol: act(call, "reject", "AND2", i, "carol", t)])
        data = get_instance(client, inst)
        if codes == [0, 0]:  # the approve came first: the reject still ended the flow
            assert data.status == "REJECTED"
        else:  # the reject came first: bob's task was DONE before his approve arrived
            assert codes == [1390010, 0] and data.status == "REJECTED"
        assert_consistent(client, inst)


def test_the_same_uuid_from_many_clients_creates_one_instance(client, call):
    key = str(uuid.uuid4())
    body = {"approval_code": "AND2", "user_id": "alice", "form": "[]", "uuid": key}
    codes = run_all([lambda: call("/open-apis/approval/v4/instances", body)] * THREADS)
    assert codes.count(0) == 1 and set(codes) <= {0, 60012}
    assert get_instance(client, key).uuid == key
