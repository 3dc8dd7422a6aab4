"""The long connection's wire protocol, from a bare WebSocket client speaking the SDKs' frames (lark-oapi's generated
``pbbp2.Frame``, not shenpi's): a ping is answered with the client configuration; an answer other than 200, or none
within 3 s, is a failed attempt and the event comes again on the retry schedule until it is answered 200; a URL with
a forged ticket is refused with Feishu's handshake headers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from lark_oapi.ws.pb.pbbp2_pb2 import Frame
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import create_instance
from tests.conftest import start_server
from tests.events.lc_clients import FAST, WS_APP, WS_SECRET, lc_seed, sdk, subscribe


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path, "lcwire", "sqlite", lc_seed(), args=FAST)
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def _url(srv: ShenpiProcess) -> str:
    answer = httpx.post(srv.base_url + "/callback/ws/endpoint", json={"AppID": WS_APP, "AppSecret": WS_SECRET}).json()
    assert answer["code"] == 0, answer
    return str(answer["data"]["URL"])


def _frame(data: bytes) -> tuple[Frame, dict[str, str]]:
    f = Frame()
    f.ParseFromString(data)
    return f, {h.key: h.value for h in f.headers}


def _answer(ws, frame: Frame, code: int) -> None:
    frame.payload = json.dumps({"code": code, "headers": {}, "data": None}).encode()
    ws.send(frame.SerializeToString())


def test_pings_get_the_configuration_and_unanswered_events_come_again(server: ShenpiProcess) -> None:
    url = _url(server)
    assert url.startswith(f"ws://127.0.0.1:{server.port}/callback/ws/connect?")
    with connect(url) as ws:
        ping = Frame(SeqID=0, LogID=0, service=7, method=0)
        ping.headers.add(key="type", value="ping")
        ws.send(ping.SerializeToString())
        pong, headers = _frame(ws.recv(timeout=10))
        assert (pong.method, headers["type"]) == (0, "pong")
        assert json.loads(pong.payload) == {"ReconnectCount": -1, "ReconnectInterval": 1, "ReconnectNonce": 0,
                                            "PingInterval": 1}

        api = sdk(server.base_url)
        subscribe(api)
        create_instance(api, "AND2")
        seen: list[str] = []
        for answer in (500, None, 200):  # answered 500, then not at all, then 200
            frame, headers = _frame(ws.recv(timeout=30))
            assert (frame.method, headers["type"], headers["sum"], headers["seq"]) == (1, "event", "1", "0")
            event = json.loads(frame.payload)
            seen.append(event["uuid"])
            assert event["event"]["type"] == "approval_instance" and event["token"] == ""
            if answer is not None:
                _answer(ws, frame, answer)
        assert len(set(seen)) == 1  # the same event each time: the instance's next waits behind it
        frame, headers = _frame(ws.recv(timeout=30))  # now the next event of the instance
        assert json.loads(frame.payload)["event"]["type"] == "approval_task"
        _answer(ws, frame, 200)
    [first] = [d for d in server.admin("GET", "/deliveries", params={"app_id": WS_APP})["items"]
               if d["event_id"] == seen[0]]
    assert (first["state"], first["attempts"]) == ("delivered", 3)


def test_a_forged_ticket_is_refused_with_the_handshake_headers(server: ShenpiProcess) -> None:
    url = _url(server)
    forged = url[:-4] + ("0000" if not url.endswith("0000") else "1111")
    with pytest.raises(InvalidStatus) as refused:
        connect(forged)
    response = refused.value.response
    assert response.status_code == 403
    assert (response.headers["handshake-status"], response.headers["handshake-autherrcode"]) == ("514", "514")
    assert "ticket" in response.headers["handshake-msg"]


def test_guessing_secrets_is_throttled_as_on_the_token_endpoints(server: ShenpiProcess) -> None:
    wrong = {"AppID": WS_APP, "AppSecret": "guess"}
    answers = [httpx.post(server.base_url + "/callback/ws/endpoint", json=wrong) for _ in range(11)]
    assert [a.json()["code"] for a in answers[:10]] == [514] * 10
    assert (answers[10].status_code, answers[10].json()["code"]) == (429, 99991400)  # the SDKs try again later
    assert int(answers[10].headers["x-ogw-ratelimit-reset"]) > 0
