"""User sign-in (OAuth) as the SDK's authen helpers drive it, and user tokens on user-token APIs."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import httpx
import lark_oapi as lark
from lark_oapi.api.approval.v4 import QueryTaskRequest
from lark_oapi.api.authen.v1 import (
    CreateOidcAccessTokenRequest,
    CreateOidcAccessTokenRequestBody,
    CreateOidcRefreshAccessTokenRequest,
    CreateOidcRefreshAccessTokenRequestBody,
    GetUserInfoRequest,
)

from tests.api.helpers import create_instance


def authorize(server, user_id: str, state: str = "xyz") -> str:
    r = httpx.get(server.base_url + "/open-apis/authen/v1/authorize",
                  params={"app_id": "cli_acme", "redirect_uri": "https://app.example/cb", "state": state,
                          "user_id": user_id})
    assert r.status_code == 302
    target = urlparse(r.headers["location"])
    assert target.netloc == "app.example"
    q = parse_qs(target.query)
    assert q["state"] == [state]
    return q["code"][0]


def as_user(token: str) -> lark.RequestOption:
    return lark.RequestOption.builder().user_access_token(token).build()


def user_client(server) -> lark.Client:
    return (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(server.base_url)
            .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())


def test_code_for_token_then_user_apis(client, server):
    code = authorize(server, "carol")
    resp = client.authen.v1.oidc_access_token.create(CreateOidcAccessTokenRequest.builder().request_body(
        CreateOidcAccessTokenRequestBody.builder().grant_type("authorization_code").code(code).build()).build())
    assert resp.code == 0, (resp.msg, resp.error)
    token = resp.data.access_token
    assert token.startswith("u-") and resp.data.expires_in > 7000 and resp.data.refresh_token

    info = user_client(server).authen.v1.user_info.get(GetUserInfoRequest.builder().build(), as_user(token))
    assert info.code == 0 and info.data.user_id == "carol" and info.data.tenant_key == "acme"

    inst = create_instance(client, "AND2")
    todo = user_client(server).approval.v4.task.query(
        QueryTaskRequest.builder().user_id("carol").topic("1").user_id_type("user_id").build(), as_user(token))
    assert todo.code == 0 and inst in [t.process_id for t in todo.data.tasks]

    again = client.authen.v1.oidc_access_token.create(CreateOidcAccessTokenRequest.builder().request_body(
        CreateOidcAccessTokenRequestBody.builder().grant_type("authorization_code").code(code).build()).build())
    assert again.code != 0  # a code works once

    refreshed = client.authen.v1.oidc_refresh_access_token.create(CreateOidcRefreshAccessTokenRequest.builder()
        .request_body(CreateOidcRefreshAccessTokenRequestBody.builder().grant_type("refresh_token")
                      .refresh_token(resp.data.refresh_token).build()).build())
    assert refreshed.code == 0 and refreshed.data.access_token != token


def test_tenant_token_on_a_user_only_api_is_99991663(client, server):
    tenant = httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                        json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["tenant_access_token"]
    r = httpx.get(server.base_url + "/open-apis/authen/v1/user_info", headers={"Authorization": f"Bearer {tenant}"})
    assert r.json()["code"] == 99991663


def test_user_token_on_a_tenant_only_api_is_refused(server):
    code = authorize(server, "bob")
    r = httpx.post(server.base_url + "/open-apis/authen/v2/oauth/token",
                   json={"grant_type": "authorization_code", "client_id": "cli_acme", "client_secret": "s3cret",
                         "code": code})
    body = r.json()
    assert body["code"] == 0 and body["access_token"].startswith("u-") and "data" not in body
    refused = httpx.get(server.base_url + "/open-apis/approval/v4/approvals/LEAVE",
                        headers={"Authorization": f"Bearer {body['access_token']}"})
    assert refused.json()["code"] == 99991668


def test_cli_mints_a_user_token(server):
    out = subprocess.run([sys.executable, "-m", "shenpi", "token", "user", "dana", "--app", "cli_acme", "--db",
                          server.db_url], capture_output=True, text=True, check=True).stdout.strip()
    assert out.startswith("u-")
    info = user_client(server).authen.v1.user_info.get(GetUserInfoRequest.builder().build(), as_user(out))
    assert info.code == 0 and info.data.user_id == "dana"
