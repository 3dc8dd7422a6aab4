"""The long connection's frame codec against the SDKs' own protobuf classes (lark-oapi's pbbp2_pb2, generated from
Feishu's .proto), and the splitting of a large event into parts that lark-oapi's client puts back together."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from lark_oapi.ws.client import Client
from lark_oapi.ws.pb.pbbp2_pb2 import Frame as SdkFrame

from shenpi.events.long_connection import frames
from shenpi.events.long_connection.frames import ClientConfig, FrameError


class _Cache:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def set(self, key: str, value: Any, expire_s: int) -> None:
        self.values[key] = value


def _sdk(data: bytes) -> SdkFrame:
    f = SdkFrame()
    f.ParseFromString(data)
    return f


def test_an_event_frame_reads_in_the_sdk_as_a_data_frame_with_its_headers() -> None:
    [data] = frames.event_frames(b'{"schema":"2.0"}', message_id="m1", trace_id="t1", service=42, seq_id=7)
    f = _sdk(data)
    assert (f.method, f.service, f.SeqID, f.payload) == (frames.DATA, 42, 7, b'{"schema":"2.0"}')
    assert {h.key: h.value for h in f.headers} == {"type": "event", "message_id": "m1", "trace_id": "t1",
                                                   "sum": "1", "seq": "0"}


def test_an_sdk_ping_and_response_decode() -> None:
    ping = SdkFrame(SeqID=0, LogID=0, service=42, method=0)
    h = ping.headers.add()
    h.key, h.value = "type", "ping"
    got = frames.decode(ping.SerializeToString())
    assert (got.method, got.service, got.type, got.payload) == (frames.CONTROL, 42, "ping", b"")

    response = _sdk(frames.event_frames(b"{}", message_id="m2", trace_id="t", service=1)[0])
    h = response.headers.add()
    h.key, h.value = "biz_rt", "3"
    response.payload = json.dumps({"code": 200, "headers": None, "data": None}).encode()
    answer = frames.decode(response.SerializeToString())
    assert answer.headers["message_id"] == "m2" and answer.response() == (200, "")
    response.payload = b'{"code": 500}'
    assert frames.decode(response.SerializeToString()).response() == (500, "client answered code 500")
    response.payload = b"not json"
    assert frames.decode(response.SerializeToString()).response()[0] == 0


def test_bytes_that_are_not_a_frame_are_refused() -> None:
    with pytest.raises(FrameError):
        frames.decode(b"\xff\xff\xff")
    with pytest.raises(FrameError):  # a Frame lacking its required fields
        frames.decode(b"")


def test_a_pong_carries_the_client_configuration_the_sdk_applies() -> None:
    config = ClientConfig(reconnect_count=5, reconnect_interval_s=2, reconnect_nonce_s=1, ping_interval_s=3)
    f = _sdk(frames.pong(42, config))
    assert (f.method, [(h.key, h.value) for h in f.headers]) == (frames.CONTROL, [("type", "pong")])
    assert json.loads(f.payload) == {"ReconnectCount": 5, "ReconnectInterval": 2, "ReconnectNonce": 1,
                                     "PingInterval": 3}


@pytest.mark.parametrize("size", [1, frames.PART_BYTES, frames.PART_BYTES + 1, 5 * frames.PART_BYTES - 3])
def test_a_large_event_is_split_and_the_sdk_puts_it_back_together(size: int) -> None:
    body = bytes(i % 251 for i in range(size))
    parts = frames.event_frames(body, message_id="big", trace_id="t", service=1)
    assert len(parts) == -(-size // frames.PART_BYTES)
    # lark-oapi's own reassembly (Client._combine), on a plain cache: a whole Client would leave its cache's cleaner
    # coroutine unawaited outside an event loop
    client = SimpleNamespace(_cache=_Cache())
    whole = None
    # out of order, as the parts may be read: the SDK places each by its seq
    for data in reversed(parts):
        f = _sdk(data)
        headers = {h.key: h.value for h in f.headers}
        assert headers["sum"] == str(len(parts)) and len(f.payload) <= frames.PART_BYTES
        whole = Client._combine(client, headers["message_id"], int(headers["sum"]), int(headers["seq"]), f.payload) \
            if len(parts) > 1 else f.payload
    assert whole == body
