"""Token flow: issue; the same token until fewer than 30 minutes of its 7200 s are left, then a new one while the
old stays valid to its end; expiry; the errors; tokens survive a restart, and a brand-new server that knows the app
takes the token another issued (lark-oapi keeps one token per app id for the whole process)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import GetApprovalRequest
from lark_oapi.core.token.manager import TokenManager

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import create_instance, get_instance, pending_task, reject
from tests.conftest import start_server
from tests.seeds import test_seed


@pytest.fixture(scope="module")
def own_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server of this module's own: these tests move its clock and restart it."""
    srv = start_server(tmp_path_factory.mktemp("tokens"), "tokens", backend)
    yield srv
    srv.close()


def token_call(srv: ShenpiProcess, kind: str = "tenant", **body: str) -> httpx.Response:
    return httpx.post(f"{srv.base_url}/open-apis/auth/v3/{kind}_access_token/internal", json=body)


def sdk(srv: ShenpiProcess) -> lark.Client:
    return (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(srv.base_url)
            .log_level(lark.LogLevel.ERROR).build())


def test_tenant_token_shape(own_server):
    body = token_call(own_server, app_id="cli_acme", app_secret="s3cret").json()
    assert body["code"] == 0 and body["msg"] == "ok"
    assert body["tenant_access_token"].startswith("t-")
    assert isinstance(body["expire"], int) and 7000 < body["expire"] <= 7200
    assert "data" not in body


def test_app_token_carries_a_tenant_token(own_server):
    body = token_call(own_server, "app", app_id="cli_acme", app_secret="s3cret").json()
    assert body["code"] == 0 and body["app_access_token"].startswith("t-")
    assert body["tenant_access_token"] != body["app_access_token"]
    assert 7000 < body["expire"] <= 7200


def test_token_without_content_type_header(own_server):
    r = httpx.post(f"{own_server.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                   content=b'{"app_id": "cli_acme", "app_secret": "s3cret"}')
    assert r.json()["code"] == 0


@pytest.mark.parametrize("body, code", [
    ({"app_id": "cli_nope", "app_secret": "x"}, 10014),
    ({"app_id": "cli_acme", "app_secret": "wrong"}, 10014),
    ({"app_id": "cli_acme"}, 10003),
    ({}, 10003),
])
def test_bad_credentials(own_server, body, code):
    r = token_call(own_server, **body)
    assert r.status_code == 200 and r.json()["code"] == code


def test_missing_token_is_99991661(own_server):
    r = httpx.post(own_server.base_url + "/open-apis/approval/v4/tasks/reject", json={})
    assert (r.status_code, r.json()["code"], r.json()["msg"]) == (400, 99991661, "Need a token")
    assert r.headers["X-Tt-Logid"]


def test_unknown_token_is_99991663(own_server):
    r = httpx.post(own_server.base_url + "/open-apis/approval/v4/tasks/reject", json={},
                   headers={"Authorization": "Bearer t-0123456789abcdef"})
    assert (r.status_code, r.json()["code"]) == (400, 99991663)
    assert "99991663" in r.json()["error"]["message"]


def test_app_token_is_not_a_tenant_token(own_server):
    app_token = token_call(own_server, "app", app_id="cli_acme", app_secret="s3cret").json()["app_access_token"]
    r = httpx.post(own_server.base_url + "/open-apis/approval/v4/tasks/reject", json={},
                   headers={"Authorization": f"Bearer {app_token}"})
    assert r.json()["code"] == 99991663


def test_token_without_prefix_is_99991671(own_server):
    r = httpx.post(own_server.base_url + "/open-apis/approval/v4/tasks/reject", json={},
                   headers={"Authorization": "Bearer nonsense"})
    assert r.json()["code"] == 99991671


def test_same_token_until_thirty_minutes_are_left_then_a_new_one(own_server):
    first = token_call(own_server, app_id="cli_acme_ro", app_secret="ro").json()
    assert token_call(own_server, app_id="cli_acme_ro", app_secret="ro").json()["tenant_access_token"] == \
        first["tenant_access_token"]
    own_server.advance_clock(7200 - 30 * 60 + 5)  # under 30 minutes left
    second = token_call(own_server, app_id="cli_acme_ro", app_secret="ro").json()
    assert second["tenant_access_token"] != first["tenant_access_token"]
    assert second["expire"] == 7200
    # the old token stays valid until it expires
    ok = httpx.get(f"{own_server.base_url}/open-apis/approval/v4/approvals/LEAVE",
                   headers={"Authorization": f"Bearer {first['tenant_access_token']}"})
    assert ok.json()["code"] == 0
    own_server.advance_clock(30 * 60)
    expired = httpx.get(f"{own_server.base_url}/open-apis/approval/v4/approvals/LEAVE",
                        headers={"Authorization": f"Bearer {first['tenant_access_token']}"})
    assert (expired.status_code, expired.json()["code"]) == (400, 99991663)
    fresh = httpx.get(f"{own_server.base_url}/open-apis/approval/v4/approvals/LEAVE",
                      headers={"Authorization": f"Bearer {second['tenant_access_token']}"})
    assert fresh.json()["code"] == 0


def test_everything_survives_a_restart(own_server):
    own_server.reset()  # the clock back to now: the token lark-oapi holds was issued at real time
    client = sdk(own_server)
    code = create_instance(client)
    task_id = pending_task(client, code, "bob")
    own_server.restart()
    # the SDK still holds the token it was given before the restart, and it must still work
    assert reject(client, "LEAVE", code, "bob", task_id, comment="after restart").code == 0
    own_server.restart()
    data = get_instance(client, code)
    assert data.status == "REJECTED" and data.timeline[-1].comment == "after restart"


def test_sigkill_after_success_loses_nothing(own_server):
    own_server.reset()
    client = sdk(own_server)
    code = create_instance(client)
    assert reject(client, "LEAVE", code, "bob", pending_task(client, code, "bob"), comment="durable").code == 0
    own_server.kill()
    own_server.start()
    assert get_instance(client, code).status == "REJECTED"


def sdk_tenant_token() -> str:
    return str(TokenManager.cache.get("self_tenant_token:cli_acme") or "")


def leave(client: lark.Client) -> int:
    return int(client.approval.v4.approval.get(GetApprovalRequest.builder().approval_code("LEAVE").build()).code)


def test_a_token_works_on_a_brand_new_server_that_knows_the_app_and_not_where_the_secret_differs(
        backend, tmp_path_factory):
    forget_sdk_tokens(["cli_acme"])  # so that the token the SDK holds is server A's, issued in this test
    first = start_server(tmp_path_factory.mktemp("tokens-a"), "tokens_a", backend)
    try:
        client = sdk(first)
        assert get_instance(client, create_instance(client)).status == "PENDING"
        held = sdk_tenant_token()
        assert held.startswith("t-")
    finally:
        first.close()
    fresh = start_server(tmp_path_factory.mktemp("tokens-b"), "tokens_b", backend)  # a new database, same app
    try:
        client = sdk(fresh)
        code = create_instance(client)
        assert reject(client, "LEAVE", code, "bob", pending_task(client, code, "bob")).code == 0
        assert sdk_tenant_token() == held  # the SDK never asked server B for a token
        assert not [e for e in fresh.journal() if e["path"].startswith("/open-apis/auth/")]
    finally:
        fresh.close()
    seed = test_seed()
    assert seed["tenants"][0]["apps"][0]["app_id"] == "cli_acme"
    seed["tenants"][0]["apps"][0]["app_secret"] = "rotated"
    rotated = start_server(tmp_path_factory.mktemp("tokens-c"), "tokens_c", backend, seed=seed)
    try:
        # The token sealed with the old secret is refused, and lark-oapi keeps sending it: it does not fetch a new
        # token on 99991663, only once its own copy expires (10 minutes before the token's expire).
        assert [leave(sdk(rotated)) for _ in range(2)] == [99991663, 99991663]
        assert sdk_tenant_token() == held
        forget_sdk_tokens(["cli_acme"])  # what an app must do when the secret changed under a live token
        rotated_client = (lark.Client.builder().app_id("cli_acme").app_secret("rotated").domain(rotated.base_url)
                          .log_level(lark.LogLevel.ERROR).build())
        assert leave(rotated_client) == 0
    finally:
        rotated.close()
        forget_sdk_tokens(["cli_acme"])  # the tests after this one use the suite's secret again


def test_a_changed_secret_gets_a_new_token_and_the_old_one_stops_working(own_server):
    old = token_call(own_server, app_id="cli_acme_ro", app_secret="ro").json()["tenant_access_token"]
    seed = test_seed()
    app = next(a for a in seed["tenants"][0]["apps"] if a["app_id"] == "cli_acme_ro")
    app["app_secret"] = "ro-rotated"
    try:
        own_server.reset(seed)
        new = token_call(own_server, app_id="cli_acme_ro", app_secret="ro-rotated").json()
        assert new["code"] == 0 and new["tenant_access_token"] != old and new["expire"] > 7000
        leave = f"{own_server.base_url}/open-apis/approval/v4/approvals/LEAVE"
        assert httpx.get(leave, headers={"Authorization": f"Bearer {new['tenant_access_token']}"}).json()["code"] == 0
        assert httpx.get(leave, headers={"Authorization": f"Bearer {old}"}).json()["code"] == 99991663
    finally:
        own_server.reset(test_seed())
