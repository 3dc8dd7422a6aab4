"""Two ``shenpi serve`` on one PostgreSQL database: a lark-oapi client connected to one of them receives, in order,
every event of changes the other one committed (the server holding the connection claims them; the other, which
knows a connection of the app is open elsewhere, leaves them alone)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.events.lc_clients import (
    FAST,
    WS_APP,
    callback_steps,
    drive,
    lc_seed,
    python_client,
    sdk,
    steps,
    subscribe,
    wait_connected,
)
from tests.events.receiver import ReceiverThread
from tests.pg import postgres_url_or_skip

FLOW = 9 + 6  # drive(0) and drive(1)


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[ShenpiProcess, ShenpiProcess, ReceiverThread]]:
    url = postgres_url_or_skip("lc_two_servers")
    rx = ReceiverThread()
    seed = lc_seed(rx.receiver.url)
    for name in ("holder", "committer"):
        (tmp_path / name).mkdir()
    holder = ShenpiProcess(seed, db=url, workdir=tmp_path / "holder", args=FAST)
    committer = ShenpiProcess(seed, db=url, workdir=tmp_path / "committer", args=FAST)
    for srv in (holder, committer):
        srv.start()
    forget_sdk_tokens()
    yield holder, committer, rx
    for srv in (holder, committer):
        srv.close()
    rx.close()
    forget_sdk_tokens()


def test_events_committed_by_one_server_reach_a_client_of_the_other(two_servers, tmp_path: Path) -> None:
    holder, committer, rx = two_servers
    client = python_client(holder.base_url, tmp_path / "client.log")
    try:
        wait_connected(holder.db_url, 1)
        api = sdk(committer.base_url)
        subscribe(api)
        subscribe(sdk(committer.base_url, "cli_acme", "s3cret"))
        instances = [drive(api, 0), drive(api, 1)]
        client.wait_for(lambda c: len(c.events) >= FLOW and len(rx.events) >= FLOW, "the whole flow")
        got = steps(client.events)
        assert got == callback_steps(rx.events)
        assert set(got) == set(instances)
        # each at its first attempt: the committer never claimed one (it would have failed it, no client there)
        sent = committer.admin("GET", "/deliveries", params={"app_id": WS_APP})["items"]
        assert [(d["state"], d["attempts"]) for d in sent] == [("delivered", 1)] * FLOW
    finally:
        client.close()
