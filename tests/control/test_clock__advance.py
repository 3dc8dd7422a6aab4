"""Time on demand: token expiry, token renewal and rate-limit windows without sleeping; reset puts time back."""

from __future__ import annotations

import httpx

from tests.testing.helpers import get_approval, get_instance, submit_leave


def _token(srv) -> dict:
    return httpx.post(srv.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                      json={"app_id": "cli_demo_app", "app_secret": "demo_secret"}).json()


def _get_with(srv, token: str) -> int:
    return httpx.get(srv.base_url + "/open-apis/approval/v4/approvals/DEMO-LEAVE",
                     headers={"Authorization": f"Bearer {token}"}).json()["code"]


def test_a_token_expires_when_its_expire_says(shenpi_server):
    # ``expire`` is the whole seconds the token has left, rounded down: it is valid for all of them and expired before
    # one more has passed. The server's clock keeps running between the calls, hence 1 s of room on the valid side.
    answer = _token(shenpi_server)  # tokens survive reset, so this one may be older than this test: read expire
    shenpi_server.advance_clock(answer["expire"] - 1)
    assert _get_with(shenpi_server, answer["tenant_access_token"]) == 0
    shenpi_server.advance_clock(2)
    assert _get_with(shenpi_server, answer["tenant_access_token"]) == 99991663


def test_the_sdks_cached_token_expires_too_and_reset_brings_time_back(shenpi_server):
    client = shenpi_server.client()
    assert get_approval(client).code == 0
    shenpi_server.advance_clock(3 * 3600)
    assert get_approval(client).code == 99991663  # lark-oapi still trusts its cache (wall clock)
    shenpi_server.reset()
    assert get_approval(client).code == 0


def test_a_token_is_renewed_in_its_last_half_hour(shenpi_server):
    first = _token(shenpi_server)
    shenpi_server.advance_clock(5400 + 1)
    second = _token(shenpi_server)
    assert second["tenant_access_token"] != first["tenant_access_token"] and second["expire"] == 7200
    assert _get_with(shenpi_server, first["tenant_access_token"]) == 0  # the old one stays valid until it ends


def test_a_rate_limit_window_passes_when_the_clock_moves(shenpi_server):
    seed = shenpi_server.seed
    seed["tenants"][0]["rate_limit_scale"] = 0.01  # one call a minute
    shenpi_server.reset(seed)
    client = shenpi_server.client()
    assert [get_approval(client).code for _ in range(2)] == [0, 99991400]
    shenpi_server.advance_clock(60)
    assert get_approval(client).code == 0


def test_the_engine_stamps_instances_with_server_time(shenpi_server):
    now = shenpi_server.now_ms()
    later = shenpi_server.advance_clock(86_400)
    assert 86_400_000 <= later - now < 86_460_000
    client = shenpi_server.client()
    started = int(get_instance(client, submit_leave(client)).data.start_time)
    assert later <= started < later + 60_000
    shenpi_server.reset()
    assert shenpi_server.now_ms() < later


def test_time_moves_a_century_at_most_and_tokens_keep_working(shenpi_server):
    before = shenpi_server.now_ms()
    r = httpx.post(shenpi_server.base_url + "/_shenpi/clock", json={"advance_seconds": 1e17},
                   headers={"Authorization": f"Bearer {shenpi_server.admin_token}"})
    assert r.status_code == 400 and "advance_seconds" in r.json()["msg"]
    assert shenpi_server.now_ms() - before < 3_600_000  # refused whole: time did not move
    shenpi_server.advance_clock(99 * 365 * 24 * 3600)  # within the bound, as far as a test may want
    answer = _token(shenpi_server)
    assert answer["code"] == 0
    assert _get_with(shenpi_server, answer["tenant_access_token"]) == 0
    shenpi_server.reset()
