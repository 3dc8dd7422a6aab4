"""A bounded soak: ``shenpi serve --workers 2`` on PostgreSQL under a mixed load of creates, approvals, rejections,
transfers and searches, pushing events to a slow receiver and to one that fails every event's first attempt.

Afterwards every acknowledged change is in the store, each app got every event of every instance exactly once and
in the instance's order, and the server's memory after the load is within 50 MB of what it was after a warm-up.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.events.receiver import KEY, TOKEN, Received, ReceiverThread
from tests.pg import postgres_url_or_skip
from tests.seeds import ALL, test_seed

WARM_UP, LOAD = 30, 150  # instances
SLOW_ANSWER_S = 0.2
RSS_GROWTH_MAX = 50 * 1024 * 1024
V4 = "/open-apis/approval/v4"
INSTANCE_EVENTS = ("approval_instance", "approval_task", "approval_cc")
TASK_STATUS = {"approve": "APPROVED", "reject": "REJECTED", "transfer": "TRANSFERRED"}


class Soak:
    def __init__(self, srv: ShenpiProcess, receivers: dict[str, ReceiverThread]) -> None:
        self.srv, self.receivers = srv, receivers
        token = httpx.post(srv.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                           json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
        self.http = httpx.Client(base_url=srv.base_url + V4, headers={"Authorization": f"Bearer {token}"},
                                 timeout=30, limits=httpx.Limits(max_connections=16))
        self.acknowledged: list[tuple[str, str, str]] = []  # (instance, task, action) answered code 0
        self.instances: list[tuple[str, str]] = []  # (instance, expected final status)
        self.searches = 0
        self._lock = threading.Lock()

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = self.http.post(path + "?user_id_type=user_id", json=body).json()
        return answer

    def pending(self, inst: str, user: str) -> str:
        data = self.http.get(f"/instances/{inst}?user_id_type=user_id").json()["data"]
        return next(t["id"] for t in data["task_list"] if t["user_id"] == user and t["status"] == "PENDING")

    def act(self, inst: str, action: str, user: str, **extra: str) -> None:
        body = {"approval_code": "AND2", "instance_code": inst, "user_id": user,
                "task_id": self.pending(inst, user), **extra}
        answer = self.call(f"/tasks/{action}", body)
        assert answer["code"] == 0, answer
        with self._lock:
            self.acknowledged.append((inst, body["task_id"], action))

    def one_instance(self, n: int) -> None:
        """Create an instance and take it to its end one of three ways; search now and then."""
        inst = self.call("/instances", {"approval_code": "AND2", "user_id": "alice", "form": "[]"})["data"][
            "instance_code"]
        plan = random.Random(n).randrange(3)
        if plan == 0:
            self.act(inst, "approve", "bob")
            self.act(inst, "approve", "carol")
        elif plan == 1:
            self.act(inst, "reject", "carol")
        else:
            self.act(inst, "transfer", "bob", transfer_user_id="dana")
            self.act(inst, "approve", "dana")
            self.act(inst, "approve", "carol")
        if n % 4 == 0:
            found = self.call("/tasks/search", {"user_id": "carol", "approval_code": "AND2"})
            assert found["code"] == 0, found
            found = self.call("/instances/query", {"user_id": "alice", "approval_code": "AND2"})
            assert found["code"] == 0, found
            with self._lock:
                self.searches += 2
        with self._lock:
            self.instances.append((inst, "REJECTED" if plan == 1 else "APPROVED"))

    def run(self, first: int, count: int) -> None:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(self.one_instance, range(first, first + count)))

    def expected_events(self) -> dict[str, list[tuple[str, str]]]:
        """Per instance, the events its outbox rows make for an app with the default event types."""
        kinds = {"instance": "approval_instance", "task": "approval_task", "cc": "approval_cc"}
        return {inst: [(kinds[e["kind"]], e["status"]) for e in self.srv.outbox(instance_code=inst, limit=1000)]
                for inst, _ in self.instances}

    def wait_for_events(self, timeout_s: float = 90) -> None:
        total = sum(map(len, self.expected_events().values()))
        deadline = time.time() + timeout_s
        while time.time() < deadline and min(len(acked(rx)) for rx in self.receivers.values()) < total:
            time.sleep(0.2)


def acked(rx: ReceiverThread) -> list[dict[str, Any]]:
    """The events a receiver acknowledged (answered 200 after the SDK handled them), in the order they came."""
    requests: list[Received] = list(rx.receiver.requests)
    return [r.plaintext(KEY) for r in requests if r.status == 200]


def per_instance(events: list[dict[str, Any]]) -> dict[str, list[tuple[str, str]]]:
    out: dict[str, list[tuple[str, str]]] = {}
    for e in events:
        if e["event"]["type"] in INSTANCE_EVENTS:
            out.setdefault(e["event"]["instance_code"], []).append((e["event"]["type"], e["event"]["status"]))
    return out


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and every descendant (the uvicorn supervisor and its workers)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            for tid in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (tid / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next(int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    return total


@pytest.fixture
def soak(tmp_path: Path) -> Iterator[Soak]:
    postgres_url_or_skip("probe")  # skips (or fails in CI) without PostgreSQL
    slow, flaky = ReceiverThread(), ReceiverThread()
    slow.receiver.delay_s = SLOW_ANSWER_S
    tried: set[str] = set()

    def fails_first(n: int, rec: Received) -> str:  # each event's first attempt answers 500, its retry 200
        uuid = rec.plaintext(KEY)["uuid"]
        if uuid in tried:
            return "ok"
        tried.add(uuid)
        return "500"

    flaky.receiver.behaviour = fails_first
    seed = test_seed()
    apps = seed["tenants"][0]["apps"]
    next(a for a in apps if a["app_id"] == "cli_acme").update(
        event_url=slow.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
    apps.append({"app_id": "cli_acme_flaky", "app_secret": "flaky", "scopes": ALL, "event_url": flaky.receiver.url,
                 "encrypt_key": KEY, "verification_token": TOKEN})
    srv = start_server(tmp_path, "soak", "postgres", seed, workers=2, rate_limit_scale=0,
                       args=["--event-retry-scale", "0.0002", "--event-lease", "2"])
    forget_sdk_tokens()
    for app_id, secret in (("cli_acme", "s3cret"), ("cli_acme_flaky", "flaky")):
        token = httpx.post(srv.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                           json={"app_id": app_id, "app_secret": secret}).json()["tenant_access_token"]
        assert httpx.post(srv.base_url + V4 + "/approvals/AND2/subscribe",
                          headers={"Authorization": f"Bearer {token}"}).json()["code"] == 0
    s = Soak(srv, {"slow": slow, "flaky": flaky})
    yield s
    s.http.close()
    srv.close()
    slow.close()
    flaky.close()
    forget_sdk_tokens()


def test_a_mixed_load_keeps_every_change_and_event_and_memory_flat(soak):
    assert soak.srv.proc is not None
    started = time.monotonic()
    soak.run(0, WARM_UP)
    soak.wait_for_events()
    warm = rss_bytes(soak.srv.proc.pid)

    soak.run(WARM_UP, LOAD)
    soak.wait_for_events()
    after = rss_bytes(soak.srv.proc.pid)
    took = time.monotonic() - started

    # every acknowledged change is there, and every instance reached the end its actions lead to
    assert len(soak.instances) == WARM_UP + LOAD and soak.searches > 0
    for inst, final in soak.instances:
        data = soak.http.get(f"/instances/{inst}?user_id_type=user_id").json()["data"]
        assert data["status"] == final, (inst, data["status"])
        status = {t["id"]: t["status"] for t in data["task_list"]}
        for acted_on, task, action in soak.acknowledged:
            if acted_on == inst:
                assert status[task] == TASK_STATUS[action], (inst, task, action, status)

    # each app got each instance's events exactly once, in the instance's order, the flaky one after retries
    expected = soak.expected_events()
    for name, rx in soak.receivers.items():
        events = acked(rx)
        twice = [uuid for uuid, n in Counter(e["uuid"] for e in events).items() if n > 1]
        assert twice == [], f"{name}: events acknowledged twice"
        assert per_instance(events) == expected, name
    assert len(soak.receivers["flaky"].receiver.requests) >= 2 * sum(map(len, expected.values()))

    assert after - warm <= RSS_GROWTH_MAX, f"RSS grew {(after - warm) / 2**20:.1f} MB under the load"
    print(f"soak: {WARM_UP + LOAD} instances, {len(soak.acknowledged)} actions, {soak.searches} searches in "
          f"{took:.0f} s; RSS {warm / 2**20:.0f} -> {after / 2**20:.0f} MB")
