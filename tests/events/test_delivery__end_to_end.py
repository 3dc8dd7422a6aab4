"""Events from a real server to lark-oapi's own receiver: order, retries, and a kill -9 between commit and push."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import create_instance, pending_task, reject
from tests.conftest import start_server
from tests.events.receiver import KEY, TOKEN, ReceiverThread
from tests.seeds import test_seed


@pytest.fixture(scope="module")
def setup(backend: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShenpiProcess, ReceiverThread, lark.Client]]:
    rx = ReceiverThread()
    seed = test_seed()
    for app in seed["tenants"][0]["apps"]:
        if app["app_id"] == "cli_acme":
            app.update(event_url=rx.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
    seed["tenants"][0]["apps"].append({  # an app that chose the v2 events in its console
        "app_id": "cli_acme_v2", "app_secret": "v2", "scopes": ["approval:approval"], "event_url": rx.receiver.url,
        "encrypt_key": KEY, "verification_token": TOKEN,
        "event_types": ["approval.instance.status_changed_v4", "approval.task.status_changed_v4"]})
    srv = start_server(tmp_path_factory.mktemp("events"), "events", backend, seed,
                       args=["--event-retry-scale", "0.0002"])
    forget_sdk_tokens()
    client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
              .log_level(lark.LogLevel.ERROR).build())
    resp = client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("AND2").build())
    assert resp.code == 0
    v2 = (lark.Client.builder().app_id("cli_acme_v2").app_secret("v2").domain(srv.base_url)
          .log_level(lark.LogLevel.ERROR).build())
    assert v2.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("AND2").build()).code == 0
    yield srv, rx, client
    srv.close()
    rx.close()
    forget_sdk_tokens()


def _field(event: Any, name: str) -> Any:
    return event.get(name) if isinstance(event, dict) else getattr(event, name, None)  # v1 dicts, v2 typed


def events_of(rx: ReceiverThread, instance: str, v2: bool = False) -> list[tuple[str, str]]:
    return [(t, _field(d.event, "status")) for t, d in rx.events
            if _field(d.event, "instance_code") == instance and t.startswith("approval.") == v2]


def wait_instance(rx: ReceiverThread, instance: str, n: int, timeout: float = 40) -> list[tuple[str, str]]:
    deadline = time.time() + timeout
    while time.time() < deadline and len(events_of(rx, instance)) < n:
        time.sleep(0.05)
    return events_of(rx, instance)


EXPECTED = [("approval_instance", "PENDING"), ("approval_task", "PENDING"), ("approval_task", "PENDING"),
            ("approval_task", "REJECTED"), ("approval_task", "DONE"), ("approval_instance", "REJECTED")]


def test_events_arrive_in_order_verified_by_the_sdk(setup):
    srv, rx, client = setup
    inst = create_instance(client, "AND2")
    assert reject(client, "AND2", inst, "carol", pending_task(client, inst, "carol")).code == 0
    assert wait_instance(rx, inst, 6) == EXPECTED
    task_events = [d.event for t, d in rx.events if t == "approval_task" and d.event["instance_code"] == inst]
    assert task_events[2]["user_id"] and task_events[2]["approval_code"] == "AND2"


def test_v2_events_reach_the_typed_handlers(setup):
    srv, rx, client = setup
    inst = create_instance(client, "AND2")
    assert reject(client, "AND2", inst, "carol", pending_task(client, inst, "carol")).code == 0
    deadline = time.time() + 20
    while time.time() < deadline and len(events_of(rx, inst, v2=True)) < 6:
        time.sleep(0.05)
    assert events_of(rx, inst, v2=True) == [
        ("approval.instance.status_changed_v4", "PENDING"), ("approval.task.status_changed_v4", "PENDING"),
        ("approval.task.status_changed_v4", "PENDING"), ("approval.task.status_changed_v4", "REJECTED"),
        ("approval.task.status_changed_v4", "DONE"), ("approval.instance.status_changed_v4", "REJECTED")]


def test_a_failing_receiver_gets_every_event_once_it_recovers(setup):
    srv, rx, client = setup
    rx.mode = "500"
    inst = create_instance(client, "AND2")
    assert reject(client, "AND2", inst, "bob", pending_task(client, inst, "bob")).code == 0
    time.sleep(0.5)
    assert events_of(rx, inst) == []  # nothing acknowledged yet: the SDK never saw an event
    rx.mode = "ok"
    assert wait_instance(rx, inst, 6) == EXPECTED


def test_kill_9_between_commit_and_delivery_loses_nothing(setup):
    srv, rx, client = setup
    rx.mode = "500"
    inst = create_instance(client, "AND2")
    assert reject(client, "AND2", inst, "bob", pending_task(client, inst, "bob")).code == 0
    srv.kill()
    rx.mode = "ok"
    srv.start()
    assert wait_instance(rx, inst, 6) == EXPECTED


def deliveries(srv: ShenpiProcess, **params: str) -> list[dict[str, Any]]:
    return list(srv.admin("GET", "deliveries", params=params)["items"])


def test_dead_letters_can_be_listed_and_replayed(setup):
    srv, rx, client = setup
    rx.mode = "500"
    inst = create_instance(client, "AND2")
    ours = {e["id"] for e in srv.outbox(instance_code=inst)}
    # Wait until every event of the instance is dead-lettered for cli_acme, not merely the first: an instance's
    # events go out one after another, so each starts its retries (15 s, 5 min, 1 h, 6 h, scaled by 0.0002: about
    # 5 s in all) only once the one before it is dead. A receiver switched back while one of them is still being
    # retried would take that one before the replayed ones. The server's clock moves a second at a time rather
    # than the test waiting the schedule out (each move wakes the worker): far less than a lease (10 s), so no
    # send in flight loses its claim, and a few minutes in all, far from the tokens' two hours.
    dead: list[dict] = []
    deadline = time.time() + 120
    while time.time() < deadline:
        dead = [d for d in deliveries(srv, state="dead", app_id="cli_acme") if d["attempts"] == 5]
        if {d["outbox_id"] for d in dead} >= ours:
            break
        srv.advance_clock(1)
        time.sleep(0.05)
    assert dead and "500" in dead[0]["last_error"]
    assert events_of(rx, inst) == []
    rx.mode = "ok"
    ids = [d["id"] for d in deliveries(srv, state="dead")]
    replayed = httpx.post(srv.base_url + "/_shenpi/deliveries/replay", json={"ids": ids},
                          headers={"Authorization": f"Bearer {srv.admin_token}"}).json()
    assert sorted(replayed["data"]["replayed"]) == sorted(ids)
    assert wait_instance(rx, inst, 3)[:3] == [("approval_instance", "PENDING"), ("approval_task", "PENDING"),
                                              ("approval_task", "PENDING")]


def test_the_cli_lists_deliveries(setup):
    import json
    import subprocess
    import sys

    srv, _, _ = setup
    out = subprocess.run([sys.executable, "-m", "shenpi", "events", "deliveries", "--state", "delivered", "--json",
                          "--db", srv.db_url], capture_output=True, text=True, check=True).stdout
    items = json.loads(out)
    assert items and {d["state"] for d in items} == {"delivered"} and "body" not in items[0]
    missing = subprocess.run([sys.executable, "-m", "shenpi", "events", "replay", "999999", "--db", srv.db_url],
                             capture_output=True, text=True)
    assert missing.returncode == 1 and "not dead letters: 999999" in missing.stderr
