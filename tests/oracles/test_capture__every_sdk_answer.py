"""The capture sees what lark-oapi receives: each answer, with the endpoint its route names, byte for byte."""

from __future__ import annotations

from lark_oapi.api.approval.v4 import GetInstanceRequest
from lark_oapi.core.enum import AccessTokenType, HttpMethod
from lark_oapi.core.model import BaseRequest

from tests.api.helpers import create_instance
from tests.oracles.capture import Recorder


def test_typed_calls_and_raw_requests_are_captured_with_their_endpoint(client):
    code = create_instance(client)
    recorder = Recorder()
    recorder.install()
    try:
        typed = client.approval.v4.instance.get(GetInstanceRequest.builder().instance_id(code).build())
        raw = client.request(BaseRequest.builder().http_method(HttpMethod.GET)
                             .uri(f"/open-apis/approval/v4/instances/{code}")
                             .token_types({AccessTokenType.TENANT}).build())
    finally:
        recorder.uninstall()
    assert typed.code == 0 and raw.code == 0
    got = [(a.endpoint, a.status, a.body) for a in recorder.answers]
    assert got == [("approval.v4.instance.get", 200, typed.raw.content),
                   ("approval.v4.instance.get", 200, raw.raw.content)]
