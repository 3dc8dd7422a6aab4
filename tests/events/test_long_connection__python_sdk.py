"""The long connection driven by lark-oapi's own ``lark.ws.Client`` (an EventDispatcherHandler with the approval
handlers, in a child process) against ``shenpi serve``: on SQLite, and on PostgreSQL with two worker processes.

Every event of a flow arrives in order and is the event the callback gets; a client that dies before answering gets
what it did not answer once it (or its successor) reconnects; two clients of one app share the events, each event
once; a wrong secret, or an app that receives its events by callback, is refused as Feishu refuses it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shenpi.events.long_connection import ENDPOINT_PATH
from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.events.lc_clients import (
    FAST,
    WS_APP,
    WS_SECRET,
    callback_steps,
    drive,
    drive_many,
    lc_seed,
    python_client,
    sdk,
    steps,
    subscribe,
    wait_connected,
)
from tests.events.receiver import ReceiverThread
from tests.pg import postgres_url_or_skip
from tests.test_metrics__scrape import scrape, value

TRANSFER_FLOW, REJECT_FLOW = 9, 6  # the events of drive(0) and drive(1) (v1 instance and task events)
FLOW = TRANSFER_FLOW + REJECT_FLOW
BACKENDS = [pytest.param(("sqlite", 1), id="sqlite"), pytest.param(("postgres", 2), id="postgres-2-workers")]


@pytest.fixture(params=BACKENDS)
def lc(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ShenpiProcess, ReceiverThread]]:
    backend, workers = request.param
    if backend == "postgres":
        postgres_url_or_skip("probe")
    rx = ReceiverThread()
    srv = start_server(tmp_path, "lc", backend, lc_seed(rx.receiver.url), workers=workers, args=FAST)
    forget_sdk_tokens()
    subscribe(sdk(srv.base_url))
    subscribe(sdk(srv.base_url, "cli_acme", "s3cret"))  # the callback reference
    yield srv, rx
    srv.close()
    rx.close()
    forget_sdk_tokens()


def _wait_all(client: Any, reference: dict[str, list[Any]], what: str) -> None:
    total = sum(map(len, reference.values()))
    client.wait_for(lambda c: len(c.events) >= total, what)


def test_every_event_of_a_flow_arrives_in_order_as_the_callback_gets_it(lc, tmp_path: Path) -> None:
    srv, rx = lc
    client = python_client(srv.base_url, tmp_path / "client.log")
    try:
        wait_connected(srv.db_url, 1)
        api = sdk(srv.base_url)
        instances = [drive(api, 0), drive(api, 1)]
        # the callback app gets the same flow: wait until both have every event, then compare
        client.wait_for(lambda c: len(c.events) >= FLOW and len(rx.events) >= FLOW, "the whole flow")
        expected = callback_steps(rx.events)
        got = steps(client.events)
        assert got == expected
        assert ("approval_task", "TRANSFERRED", "bob") in got[instances[0]]
        assert ("approval_instance", "APPROVED", "") in got[instances[0]]
        assert ("approval_instance", "REJECTED", "") in got[instances[1]]
        assert {e["event"]["app_id"] for e in client.events} == {WS_APP}
        assert len({e["id"] for e in client.events}) == len(client.events)
    finally:
        client.close()


def test_a_client_killed_mid_stream_gets_what_it_did_not_answer_after_reconnecting(lc, tmp_path: Path) -> None:
    srv, rx = lc
    first = python_client(srv.base_url, tmp_path / "first.log", "--die-after", "3")
    second = None
    try:
        wait_connected(srv.db_url, 1)
        api = sdk(srv.base_url)
        instances = [drive(api, 0), drive(api, 1)]
        assert first.wait_exit() == 3  # died on its third event, before the SDK answered it
        died_on = first.events[-1]
        second = python_client(srv.base_url, tmp_path / "second.log")
        total = FLOW
        second.wait_for(lambda c: len(first.events) - 1 + len(c.events) >= total and len(rx.events) >= total,
                        "the rest of the flow")
        answered = first.events[:-1]
        assert died_on["id"] in {e["id"] for e in second.events}  # the unanswered one came again
        assert not {e["id"] for e in answered} & {e["id"] for e in second.events}  # answered ones did not
        expected = callback_steps(rx.events)
        merged = steps(answered + second.events)
        assert {inst: merged[inst] for inst in instances} == {inst: expected[inst] for inst in instances}
    finally:
        first.close()
        if second is not None:
            second.close()


def test_two_clients_of_an_app_share_its_events_each_once(lc, tmp_path: Path) -> None:
    srv, rx = lc
    a = python_client(srv.base_url, tmp_path / "a.log", "--handle-s", "0.05")
    b = python_client(srv.base_url, tmp_path / "b.log", "--handle-s", "0.05")
    try:
        wait_connected(srv.db_url, 2)
        instances = drive_many(sdk(srv.base_url), 12)
        total = 6 * FLOW
        a.wait_for(lambda _: len(a.events) + len(b.events) >= total and len(rx.events) >= total, "every event")
        ids = Counter(e["id"] for e in a.events + b.events)
        assert [i for i, n in ids.items() if n > 1] == [], "an event went to both, or twice"
        assert a.events and b.events, "one client got every event"
        expected = callback_steps(rx.events)
        together = steps(a.events + b.events)
        assert {inst: sorted(together[inst]) for inst in instances} == {inst: sorted(expected[inst]) for inst in instances}
        for client in (a, b):  # what each got of an instance came in the instance's order
            for inst, got in steps(client.events).items():
                it = iter(expected[inst])
                assert all(step in it for step in got), (inst, got, expected[inst])
    finally:
        a.close()
        b.close()


def test_a_wrong_secret_and_a_callback_app_are_refused(lc, tmp_path: Path) -> None:
    srv, _ = lc
    wrong = python_client(srv.base_url, tmp_path / "wrong.log", secret="not-the-secret")
    callback_app = python_client(srv.base_url, tmp_path / "callback.log", app_id="cli_acme", secret="s3cret")
    try:
        assert wrong.wait_exit() == 2 and callback_app.wait_exit() == 2  # start() raised: the SDK gave up
        assert wrong.lines == [{"error": 514, "msg": "auth failed: app secret invalid"}]
        assert callback_app.lines[0]["error"] == 403
    finally:
        wrong.close()
        callback_app.close()


def test_the_cli_counts_connected_clients_and_switches_an_app_to_callback(lc, tmp_path: Path) -> None:
    srv, _ = lc
    client = python_client(srv.base_url, tmp_path / "client.log")
    try:
        wait_connected(srv.db_url, 1)
        shown = _cli("app", "show", WS_APP, "--json", "--db", srv.db_url)
        assert {k: json.loads(shown)[k] for k in ("receives_by", "connections", "event_mode")} == \
            {"receives_by": "long_connection", "connections": 1, "event_mode": "long_connection"}
        assert re.search(rf"^{WS_APP}\s+acme\s+long connection, 1 connected", _cli("app", "list", "--db", srv.db_url),
                         re.M)
        assert value(scrape(srv.base_url), "shenpi_ws_connections") == 1  # whichever worker answers the scrape
        assert "mode=callback" in _cli("app", "events", WS_APP, "--mode", "callback", "--db", srv.db_url)
        answer = httpx.post(srv.base_url + ENDPOINT_PATH, json={"AppID": WS_APP, "AppSecret": WS_SECRET}).json()
        assert answer["code"] == 403 and answer["data"] == {}
    finally:
        client.close()


def _cli(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "shenpi", *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout
