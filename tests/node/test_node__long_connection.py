"""The long connection driven by the Node SDK's own ``WSClient`` with an ``EventDispatcher`` (tests/node/ws_client.js)
against ``shenpi serve``, on SQLite and on PostgreSQL with two worker processes: a flow's events arrive in order and
are the events the callback gets; a client that dies before answering gets the unanswered events once a client of
the app reconnects; a wrong secret stops the client with Feishu's code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.events.lc_clients import (
    FAST,
    WS_APP,
    callback_steps,
    drive,
    drive_many,
    lc_seed,
    node_client,
    sdk,
    steps,
    subscribe,
    wait_connected,
)
from tests.events.receiver import ReceiverThread
from tests.pg import postgres_url_or_skip

FLOW = 9 + 6  # drive(0) (a transfer, two approvals) and drive(1) (a rejection): v1 instance and task events


@pytest.fixture(params=[("sqlite", 1), ("postgres", 2)], ids=["sqlite", "postgres-2-workers"])
def lc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ShenpiProcess, ReceiverThread]]:
    backend, workers = request.param
    if backend == "postgres":
        postgres_url_or_skip("probe")
    rx = ReceiverThread()
    srv = start_server(tmp_path, "nodelc", backend, lc_seed(rx.receiver.url), workers=workers, args=FAST)
    forget_sdk_tokens()
    subscribe(sdk(srv.base_url))
    subscribe(sdk(srv.base_url, "cli_acme", "s3cret"))  # the callback reference
    yield srv, rx
    srv.close()
    rx.close()
    forget_sdk_tokens()


def test_the_node_wsclient_gets_every_event_of_a_flow_in_order(lc, tmp_path: Path) -> None:
    srv, rx = lc
    client = node_client(srv.base_url, tmp_path / "node.log")
    try:
        wait_connected(srv.db_url, 1)
        api = sdk(srv.base_url)
        instances = [drive(api, 0), drive(api, 1)]
        client.wait_for(lambda c: len(c.events) >= FLOW and len(rx.events) >= FLOW, "the whole flow")
        got = steps(client.events)
        assert got == callback_steps(rx.events)
        assert ("approval_task", "TRANSFERRED", "bob") in got[instances[0]]
        assert ("approval_instance", "REJECTED", "") in got[instances[1]]
        assert {e["event"]["app_id"] for e in client.events} == {WS_APP}
        assert len({e["id"] for e in client.events}) == FLOW
    finally:
        client.close()


def test_a_node_client_that_dies_mid_stream_gets_the_rest_after_reconnecting(lc, tmp_path: Path) -> None:
    srv, rx = lc
    first = node_client(srv.base_url, tmp_path / "first.log", "--die-after", "4")
    second = None
    try:
        wait_connected(srv.db_url, 1)
        api = sdk(srv.base_url)
        instances = [drive(api, 0), drive(api, 1)]
        assert first.wait_exit() == 3
        answered, died_on = first.events[:-1], first.events[-1]
        second = node_client(srv.base_url, tmp_path / "second.log")
        second.wait_for(lambda c: len(answered) + len(c.events) >= FLOW and len(rx.events) >= FLOW, "the rest")
        assert died_on["id"] in {e["id"] for e in second.events}
        assert not {e["id"] for e in answered} & {e["id"] for e in second.events}
        merged, expected = steps(answered + second.events), callback_steps(rx.events)
        assert {i: merged[i] for i in instances} == {i: expected[i] for i in instances}
    finally:
        first.close()
        if second is not None:
            second.close()


def test_two_node_clients_share_the_apps_events_each_once(lc, tmp_path: Path) -> None:
    srv, rx = lc
    a = node_client(srv.base_url, tmp_path / "a.log", "--handle-ms", "50")
    b = node_client(srv.base_url, tmp_path / "b.log", "--handle-ms", "50")
    try:
        wait_connected(srv.db_url, 2)
        instances = drive_many(sdk(srv.base_url), 8)
        total = 4 * FLOW
        a.wait_for(lambda _: len(a.events) + len(b.events) >= total and len(rx.events) >= total, "every event")
        ids = Counter(e["id"] for e in a.events + b.events)
        assert [i for i, n in ids.items() if n > 1] == [], "an event went to both, or twice"
        assert a.events and b.events, "one client got every event"
        expected, together = callback_steps(rx.events), steps(a.events + b.events)
        assert {i: sorted(together[i]) for i in instances} == {i: sorted(expected[i]) for i in instances}
    finally:
        a.close()
        b.close()


def test_a_wrong_secret_stops_the_node_client_with_514(lc, tmp_path: Path) -> None:
    srv, _ = lc
    client = node_client(srv.base_url, tmp_path / "wrong.log", secret="not-the-secret")
    try:
        assert client.wait_exit() == 2  # onError: the SDK does not retry
        assert client.lines == [{"error": 514, "msg": "auth failed: app secret invalid"}]
    finally:
        client.close()
