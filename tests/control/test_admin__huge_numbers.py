"""The admin API bounds every number it is given: ids and counts past a 64-bit integer answer a 400 envelope that
names the argument, never a 500 with the exception's text."""

from __future__ import annotations

import httpx
import pytest

HUGE = 10**30


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", f"/_shenpi/outbox?after_id={HUGE}", None),
    ("GET", f"/_shenpi/outbox?limit={HUGE}", None),
    ("GET", f"/_shenpi/deliveries?limit={HUGE}", None),
    ("GET", f"/_shenpi/journal?limit={HUGE}", None),
    ("POST", "/_shenpi/outbox/redeliver", {"ids": [HUGE]}),
    ("POST", "/_shenpi/outbox/redeliver", {"ids": [-1]}),
    ("POST", "/_shenpi/deliveries/replay", {"ids": [HUGE]}),
])
def test_huge_ids_answer_400(shenpi_server, method, path, body):
    r = httpx.request(method, shenpi_server.base_url + path, json=body,
                      headers={"Authorization": f"Bearer {shenpi_server.admin_token}"})
    assert (r.status_code, r.json()["code"]) == (400, 400), r.text
    assert "Error" not in r.json()["msg"] and r.headers["X-Tt-Logid"]
