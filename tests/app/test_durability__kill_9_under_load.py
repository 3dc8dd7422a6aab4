"""SIGKILL in the middle of a load of approves and rejects: after a restart every request that got code 0 is
in the store, and no instance is half-changed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import get_instance
from tests.conftest import start_server

INSTANCES = 60


@pytest.fixture(scope="module")
def srv(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    s = start_server(tmp_path_factory.mktemp("durability"), "durability", backend, args=["--no-events"],
                     rate_limit_scale=0)
    forget_sdk_tokens()
    yield s
    s.close()
    forget_sdk_tokens()


def test_acknowledged_changes_survive_sigkill(srv):
    base = srv.base_url
    token = httpx.post(base + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    work = []  # (instance, bob's task, carol's task)
    with httpx.Client(headers=auth) as c:
        for _ in range(INSTANCES):
            inst = c.post(base + "/open-apis/approval/v4/instances",
                          json={"approval_code": "AND2", "user_id": "alice", "form": "[]"}).json()["data"]["instance_code"]
            tasks = c.get(base + f"/open-apis/approval/v4/instances/{inst}?user_id_type=user_id").json()["data"]
            ids = {t["user_id"]: t["id"] for t in tasks["task_list"]}
            work.append((inst, ids["bob"], ids["carol"]))

    acknowledged: list[tuple[str, str, str]] = []  # (instance, task, action) that answered code 0
    lock = threading.Lock()

    def act(i: int) -> None:
        inst, bob, carol = work[i]
        for user, task, action in (("bob", bob, "approve"), ("carol", carol, "reject" if i % 3 == 0 else "approve")):
            try:
                r = httpx.post(base + f"/open-apis/approval/v4/tasks/{action}?user_id_type=user_id", headers=auth,
                               json={"approval_code": "AND2", "instance_code": inst, "user_id": user, "task_id": task},
                               timeout=5)
            except httpx.HTTPError:
                return  # the server died under us: no answer, no promise
            if r.json().get("code") == 0:
                with lock:
                    acknowledged.append((inst, task, action))
                    if len(acknowledged) == INSTANCES // 2:  # kill -9 halfway through the load
                        threading.Thread(target=srv.kill).start()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(act, range(INSTANCES)))
    time.sleep(0.2)
    srv.start()

    assert INSTANCES // 2 <= len(acknowledged) < 2 * INSTANCES, "the kill did not land in the middle of the load"
    client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(base)
              .log_level(lark.LogLevel.ERROR).build())
    expected = {"approve": "APPROVED", "reject": "REJECTED"}
    for inst, task, action in acknowledged:
        data = get_instance(client, inst)
        status = {t.id: t.status for t in data.task_list}
        assert status[task] == expected[action], (inst, task, action, status)
    for inst, _, _ in work:
        data = get_instance(client, inst)
        status = {t.id: t.status for t in data.task_list}
        decided = [e.task_id for e in data.timeline if e.type in ("PASS", "REJECT")]
        # the timeline and the task rows always agree: nothing half-applied
        assert sorted(decided) == sorted(t for t, s in status.items() if s in ("APPROVED", "REJECTED"))
        if data.status == "PENDING":
            assert "PENDING" in status.values()
        elif data.status == "APPROVED":
            assert set(status.values()) == {"APPROVED"}
        else:
            assert data.status == "REJECTED" and "PENDING" not in status.values()
