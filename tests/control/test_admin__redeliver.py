"""Redelivery end to end: an outbox event marked through the admin API is pushed again, with the same event id."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from tests.testing.helpers import submit_leave


class Receiver:
    """An app's event URL that records every push and answers 200."""

    def __init__(self) -> None:
        self.pushes: list[dict] = []
        pushes = self.pushes

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                pushes.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout_s
        while len(self.pushes) < count:
            assert time.monotonic() < deadline, f"{len(self.pushes)} pushes, wanted {count}"
            time.sleep(0.02)
        return self.pushes


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def shenpi_seed(shenpi_seed, receiver):
    shenpi_seed["tenants"][0]["apps"][0]["event_url"] = receiver.url
    return shenpi_seed


def test_a_redelivered_event_is_pushed_again_with_its_event_id(shenpi_server, receiver):
    receiver.pushes.clear()
    client = shenpi_server.client()
    client.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("DEMO-LEAVE").build())
    code = submit_leave(client)
    first = receiver.wait_for(2)[:2]  # the instance event and the task event
    outbox_id = shenpi_server.outbox(instance_code=code, limit=1)[0]["id"]

    assert shenpi_server.redeliver([outbox_id])["marked"] == [outbox_id]

    again = receiver.wait_for(3)[2]
    assert again["uuid"] == first[0]["uuid"] and again["event"] == first[0]["event"]
