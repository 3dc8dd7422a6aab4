"""``shenpi serve --workers 2`` on PostgreSQL, a receiver slower than the event lease: every event arrives exactly
once and in order per instance.

Each answer takes longer than a whole lease, so only the renewals while a send is in flight keep the other process
from taking a claimed event over and sending it a second time (or sending an instance's next event before it).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import approve, create_instance, pending_task, reject
from tests.conftest import start_server
from tests.events.receiver import KEY, TOKEN, ReceiverThread
from tests.pg import postgres_url_or_skip
from tests.seeds import test_seed

INSTANCES = 30
LEASE_S = 0.8  # renewed every 0.2 s: a stall of 0.6 s on a busy 2-core machine is needed for a takeover
ANSWER_S = 1.5  # longer than a lease, well inside Feishu's 3 s

REJECTED = [("approval_instance", "PENDING"), ("approval_task", "PENDING"), ("approval_task", "PENDING"),
            ("approval_task", "REJECTED"), ("approval_task", "DONE"), ("approval_instance", "REJECTED")]
# (after bob's approval the engine reports carol's task, still pending, once more)
APPROVED = [("approval_instance", "PENDING"), ("approval_task", "PENDING"), ("approval_task", "PENDING"),
            ("approval_task", "APPROVED"), ("approval_task", "PENDING"), ("approval_task", "APPROVED"),
            ("approval_instance", "APPROVED")]


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[ShenpiProcess, ReceiverThread, lark.Client]]:
    postgres_url_or_skip("probe")  # skips (or fails in CI) without PostgreSQL
    rx = ReceiverThread()
    rx.receiver.delay_s = ANSWER_S
    seed = test_seed()
    for app in seed["tenants"][0]["apps"]:
        if app["app_id"] == "cli_acme":
            app.update(event_url=rx.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
    srv = start_server(tmp_path, "two_workers", "postgres", seed, workers=2, rate_limit_scale=0,
                       args=["--event-lease", str(LEASE_S), "--event-retry-scale", "0.0002"])
    forget_sdk_tokens()
    client = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
              .log_level(lark.LogLevel.ERROR).build())
    assert client.approval.v4.approval.subscribe(
        SubscribeApprovalRequest.builder().approval_code("AND2").build()).code == 0
    yield srv, rx, client
    srv.close()
    rx.close()
    forget_sdk_tokens()


def _drive(client: lark.Client, i: int) -> str:
    """One instance through lark-oapi: even ones rejected by carol, odd ones approved by bob and carol."""
    inst = create_instance(client, "AND2")
    if i % 2 == 0:
        assert reject(client, "AND2", inst, "carol", pending_task(client, inst, "carol")).code == 0
    else:
        for user in ("bob", "carol"):
            assert approve(client, "AND2", inst, user, pending_task(client, inst, user)).code == 0
    return inst


def _per_instance(rx: ReceiverThread) -> dict[str, list[tuple[str, str]]]:
    seen: dict[str, list[tuple[str, str]]] = {}
    for kind, data in list(rx.events):
        event: Any = data.event
        seen.setdefault(event["instance_code"], []).append((kind, event["status"]))
    return seen


def test_every_event_arrives_once_and_in_order_per_instance(two_workers):
    srv, rx, client = two_workers
    with ThreadPoolExecutor(6) as pool:
        instances = list(pool.map(lambda i: _drive(client, i), range(INSTANCES)))
    expected = {inst: REJECTED if i % 2 == 0 else APPROVED for i, inst in enumerate(instances)}
    total = sum(map(len, expected.values()))

    deadline = time.time() + 120
    while time.time() < deadline and sum(map(len, _per_instance(rx).values())) < total:
        time.sleep(0.1)
    time.sleep(3 * LEASE_S)  # long enough for a lease taken over by mistake to show as a second send

    sent = Counter(r.plaintext(KEY)["uuid"] for r in list(rx.receiver.requests))
    assert [uuid for uuid, n in sent.items() if n > 1] == [], "an event was sent twice"
    assert _per_instance(rx) == expected
    assert len(sent) == total
