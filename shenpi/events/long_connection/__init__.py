"""Feishu's long-connection event mode: the app dials out to a WebSocket and its events arrive as protobuf frames
(frames.py), sent by the delivery worker through the connections this process holds (hub.py); the discovery call
and the WebSocket itself are endpoint.py."""

from shenpi.events.long_connection.endpoint import CONNECT_PATH, ENDPOINT_PATH, LongConnectionEndpoint, Refusal
from shenpi.events.long_connection.frames import ClientConfig
from shenpi.events.long_connection.hub import Hub

__all__ = ["CONNECT_PATH", "ENDPOINT_PATH", "ClientConfig", "Hub", "LongConnectionEndpoint", "Refusal"]
