"""The long connection's frames: the protobuf message both official SDKs exchange over the WebSocket, and the frames
the server writes (event data frames, split when large; pongs carrying the client configuration).

The message (package ``pbbp2``, proto2), as both SDKs define it::

    message Header { required string key = 1; required string value = 2; }
    message Frame {
      required uint64 SeqID = 1;   required uint64 LogID = 2;
      required int32 service = 3;  required int32 method = 4;      // method: 0 control, 1 data
      repeated Header headers = 5;
      optional string payload_encoding = 6; optional string payload_type = 7;
      optional bytes payload = 8;  optional string LogIDNew = 9;
    }

The descriptor is built here in code (no generated module to keep in step with a protoc version).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

CONTROL, DATA = 0, 1  # Frame.method
# Header keys and the values of ``type``
TYPE, MESSAGE_ID, TRACE_ID, SUM, SEQ, BIZ_RT = "type", "message_id", "trace_id", "sum", "seq", "biz_rt"
EVENT, CARD, PING, PONG = "event", "card", "ping", "pong"
# An event's JSON is cut into parts of at most this many bytes, each its own data frame (headers ``sum``/``seq``),
# which the SDKs put back together: lark-oapi's WebSocket client refuses a message over 1 MiB.
PART_BYTES = 16 * 1024


def _frame_class() -> Any:
    fd = descriptor_pb2.FileDescriptorProto(name="shenpi_long_connection.proto", package="pbbp2", syntax="proto2")
    req, opt, rep = (descriptor_pb2.FieldDescriptorProto.LABEL_REQUIRED, descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL,
                     descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED)
    t = descriptor_pb2.FieldDescriptorProto
    header = fd.message_type.add(name="Header")
    header.field.add(name="key", number=1, label=req, type=t.TYPE_STRING)
    header.field.add(name="value", number=2, label=req, type=t.TYPE_STRING)
    frame = fd.message_type.add(name="Frame")
    for name, number, label, kind in (("SeqID", 1, req, t.TYPE_UINT64), ("LogID", 2, req, t.TYPE_UINT64),
                                      ("service", 3, req, t.TYPE_INT32), ("method", 4, req, t.TYPE_INT32),
                                      ("payload_encoding", 6, opt, t.TYPE_STRING), ("payload_type", 7, opt, t.TYPE_STRING),
                                      ("payload", 8, opt, t.TYPE_BYTES), ("LogIDNew", 9, opt, t.TYPE_STRING)):
        frame.field.add(name=name, number=number, label=label, type=kind)
    frame.field.add(name="headers", number=5, label=rep, type=t.TYPE_MESSAGE, type_name=".pbbp2.Header")
    pool = descriptor_pool.DescriptorPool()  # our own pool: the default one may hold another pbbp2.Frame
    pool.Add(fd)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("pbbp2.Frame"))


Frame: Any = _frame_class()


class FrameError(ValueError):
    """Bytes that are not a frame (or lack what the protocol requires)."""


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """What the server tells clients at discovery and in every pong; the SDKs take it as is (seconds)."""

    reconnect_count: int = -1  # -1: for ever
    reconnect_interval_s: int = 120
    reconnect_nonce_s: int = 30  # the first reconnect waits a random part of this
    ping_interval_s: int = 120

    def as_json(self) -> dict[str, int]:
        return {"ReconnectCount": self.reconnect_count, "ReconnectInterval": self.reconnect_interval_s,
                "ReconnectNonce": self.reconnect_nonce_s, "PingInterval": self.ping_interval_s}


@dataclass(frozen=True, slots=True)
class Received:
    """A frame a client sent, decoded."""

    method: int
    service: int
    seq_id: int
    headers: dict[str, str]
    payload: bytes

    @property
    def type(self) -> str:
        return self.headers.get(TYPE, "")

    def response(self) -> tuple[int, str]:
        """A data frame's answer: the ``code`` of its JSON payload (200 = handled) and a short text for the log."""
        try:
            obj = json.loads(self.payload)
            code = int(obj.get("code"))
        except (ValueError, TypeError, AttributeError):
            return 0, f"unreadable response payload {self.payload[:80]!r}"
        return code, "" if code == 200 else f"client answered code {code}"


def decode(data: bytes) -> Received:
    frame = Frame()
    try:
        frame.ParseFromString(data)
    except Exception as e:  # protobuf's DecodeError
        raise FrameError(f"not a frame: {e}") from None
    if not frame.IsInitialized():  # the parser leaves required fields to be checked
        raise FrameError("not a frame: it lacks " + ", ".join(frame.FindInitializationErrors()))
    return Received(method=int(frame.method), service=int(frame.service), seq_id=int(frame.SeqID),
                    headers={h.key: h.value for h in frame.headers}, payload=bytes(frame.payload))


def encode(*, method: int, service: int, headers: Mapping[str, str], payload: bytes = b"", seq_id: int = 0,
           log_id: int = 0) -> bytes:
    frame = Frame(SeqID=seq_id, LogID=log_id, service=service, method=method)
    for key, value in headers.items():
        frame.headers.add(key=key, value=value)
    if payload:
        frame.payload = payload
    data: bytes = frame.SerializeToString()
    return data


def pong(service: int, config: ClientConfig) -> bytes:
    """The answer to a client's ping: a control frame whose payload is the client configuration (the SDKs apply
    it at once, so a changed setting reaches connected clients at their next ping)."""
    return encode(method=CONTROL, service=service, headers={TYPE: PONG},
                  payload=json.dumps(config.as_json()).encode())


def event_frames(body: bytes, *, message_id: str, trace_id: str, service: int, seq_id: int = 0,
                 part_bytes: int = PART_BYTES) -> list[bytes]:
    """An event as data frames: one, or ``sum`` frames with ``seq`` 0..sum-1 when ``body`` is over ``part_bytes``.
    Every part carries the same ``message_id``, the key the SDKs reassemble (and the response echoes) by."""
    parts = [body[i:i + part_bytes] for i in range(0, len(body), part_bytes)] or [b""]
    return [encode(method=DATA, service=service, seq_id=seq_id,
                   headers={TYPE: EVENT, MESSAGE_ID: message_id, TRACE_ID: trace_id, SUM: str(len(parts)),
                            SEQ: str(i)}, payload=part)
            for i, part in enumerate(parts)]
