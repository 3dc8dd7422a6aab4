"""Token flow: issue; the same token until fewer than 30 minutes of its 7200 s are left, then a new one while the
old stays valid to its end; expiry; the errors; tokens survive a restart."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.helpers import create_instance, get_instance, pending_task, reject
from tests.conftest import start_server


@pytest.fixture(scope="module")
def own_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server of this module's own: these tests move its clock and restart it."""
    srv = start_server(tmp_path_factory.mktemp("tokens"), "tokens", backend)
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


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
    forget_sdk_tokens()
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
    forget_sdk_tokens()
    client = sdk(own_server)
    code = create_instance(client)
    assert reject(client, "LEAVE", code, "bob", pending_task(client, code, "bob"), comment="durable").code == 0
    own_server.kill()
    own_server.start()
    assert get_instance(client, code).status == "REJECTED"
