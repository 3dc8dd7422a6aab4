"""JSON nested deeper than the server accepts answers the admin API's own 400, never a 500: the admin API decodes
bodies with the same depth limit as the Open API."""

from __future__ import annotations

import httpx
import pytest

from shenpi.api.wire import MAX_JSON_DEPTH


def _nested(depth: int) -> bytes:
    return b'{"seed": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("path", ["/_shenpi/reset", "/_shenpi/import", "/_shenpi/faults", "/_shenpi/clock"])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 100_000])
def test_deep_json_answers_400_in_the_admin_shape(shenpi_server, path, depth):
    r = httpx.post(shenpi_server.base_url + path, content=_nested(depth),
                   headers={"Authorization": f"Bearer {shenpi_server.admin_token}",
                            "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (400, 400), r.text[:300]
    assert "nest" in r.json()["msg"] and r.headers["X-Tt-Logid"]
    assert shenpi_server.health()["status"] == "ok"
