"""Mail that cannot be sent is retried on the event schedule, then dead-lettered, and the operator's replay sends it
once; two worker processes on one database send each mail once."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from shenpi.app import Shenpi
from tests.api.helpers import create_instance
from tests.conftest import start_server
from tests.events.smtp import SmtpSink
from tests.events.test_mail__notifications_arrive_once import client_of, emailed_seed, mail_args, mailed, on_store


@pytest.fixture()
def sink() -> Iterator[SmtpSink]:
    s = SmtpSink()
    yield s
    s.close()


def dead_ids(db_url: str) -> list[int]:
    async def body(svc: Shenpi) -> list[int]:
        return [n.id for n in await svc.notifications.dead_mail()]

    return list(on_store(db_url, body))


def test_refused_mail_is_retried_then_dead_lettered_and_a_replay_sends_it_once(backend: str, tmp_path: Path,
                                                                               sink: SmtpSink) -> None:
    sink.refusing = True
    # the retry schedule (15 s, 5 min, 1 h, 6 h) scaled by 0.0002: about 5 s from the first attempt to the dead
    # letter, which the server's clock moves through a second at a time (each move wakes the mail worker) rather
    # than the test waiting it out; a second is far less than a lease (10 s), so no send in flight loses its claim
    srv = start_server(tmp_path, "dead", backend, emailed_seed(), args=mail_args(sink.url))
    try:
        inst = create_instance(client_of(srv), "AND2")
        deadline = time.monotonic() + 60
        while len(dead_ids(srv.db_url)) < 2 and time.monotonic() < deadline:
            srv.advance_clock(1)
            time.sleep(0.05)
        dead = dead_ids(srv.db_url)
        assert len(dead) == 2 and sink.refused == 2 * 5  # bob's and carol's: the first try and 4 retries each
        listed = subprocess.run([sys.executable, "-m", "shenpi", "notifications", "dead-mail", "--db", srv.db_url],
                                capture_output=True, text=True, check=True).stdout
        assert "451" in listed and "acme/bob" in listed
        sink.refusing = False
        out = subprocess.run([sys.executable, "-m", "shenpi", "notifications", "replay-mail", "--db", srv.db_url,
                              *map(str, dead)], capture_output=True, text=True, check=True).stdout
        assert out.startswith("2 ")
        sink.wait(2)
        time.sleep(1.0)
        assert Counter(mailed(sink)) == Counter([("bob@example.com", "assigned", inst),
                                                 ("carol@example.com", "assigned", inst)])
        assert dead_ids(srv.db_url) == []
    finally:
        srv.close()


def test_two_worker_processes_send_each_mail_once(backend: str, tmp_path: Path, sink: SmtpSink) -> None:
    srv = start_server(tmp_path, "two", backend, emailed_seed(), workers=2, args=mail_args(sink.url))
    try:
        client = client_of(srv)
        codes = [create_instance(client, "AND2") for _ in range(10)]
        sink.wait(20)
        time.sleep(1.5)
        assert Counter(mailed(sink)) == Counter((f"{u}@example.com", "assigned", c) for c in codes
                                                for u in ("bob", "carol"))
    finally:
        srv.close()
