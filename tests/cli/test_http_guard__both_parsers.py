"""``shenpi serve --http h11|httptools``: both parsers are guarded alike. A request head still incomplete past 16 KiB
is refused with 400 and the connection closed (h11 refuses it itself; httptools would buffer a head of any size), a
head within it is served, and a WebSocket (an app's long connection) is not closed by the request-head timeout of the HTTP
connection it was upgraded from."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from websockets.sync.client import connect

from shenpi.cli.http_guard import MAX_HEAD_BYTES
from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.events.lc_clients import FAST, WS_APP, WS_SECRET, lc_seed

HEAD_TIMEOUT_S = 1.0


@pytest.fixture(scope="module", params=["h11", "httptools"])
def parsed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp(f"parser-{request.param}"), "parser", "sqlite", lc_seed(),
                       args=[*FAST, "--header-timeout", str(HEAD_TIMEOUT_S), "--http", request.param])
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def _answer(srv: ShenpiProcess, head: bytes) -> bytes:
    """Everything the server sends back to ``head`` until it closes the connection."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
        try:
            sock.sendall(head)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the whole head was sent: its answer is still to read
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        return data


def _head(filler: int) -> bytes:
    return (b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\nX-Filler: " + b"a" * filler + b"\r\n\r\n")


def test_a_head_still_incomplete_past_the_limit_is_refused_with_400(parsed: ShenpiProcess) -> None:
    with socket.create_connection(("127.0.0.1", parsed.port), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Filler: ")
        sent, answer = 0, b""
        while sent < 4 * MAX_HEAD_BYTES:  # never ends its header: refused once past the limit, not held
            try:
                sock.sendall(b"a" * 1024)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += 1024
            time.sleep(0.001)
        sock.settimeout(30)
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]


def test_a_head_within_the_limit_is_served(parsed: ShenpiProcess) -> None:
    answer = _answer(parsed, _head(MAX_HEAD_BYTES // 2))
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
    assert json.loads(answer.partition(b"\r\n\r\n")[2])["status"] == "ok"


def test_a_long_connection_outlives_the_head_timeout(parsed: ShenpiProcess) -> None:
    answer = httpx.post(parsed.base_url + "/callback/ws/endpoint", json={"AppID": WS_APP, "AppSecret": WS_SECRET})
    with connect(answer.json()["data"]["URL"]) as ws:
        time.sleep(HEAD_TIMEOUT_S * 2.5)  # the upgraded connection's head timer would have fired by now
        ping = Frame(SeqID=0, LogID=0, service=7, method=0)
        ping.headers.add(key="type", value="ping")
        ws.send(ping.SerializeToString())
        pong = Frame()
        pong.ParseFromString(ws.recv(timeout=10))
        assert {h.key: h.value for h in pong.headers}["type"] == "pong"
