"""The documented rules and codes of authen v1's token endpoints and user_info, driven through lark-oapi.

The pages answer their 20xxx codes at HTTP 200. Where shenpi still answers otherwise the test is a strict xfail
that names the difference: it starts passing (and so failing as an xfail) the day the behaviour is fixed.
"""

from __future__ import annotations

from typing import Any

import pytest
from lark_oapi.api.authen.v1 import (
    CreateAccessTokenRequest,
    CreateAccessTokenRequestBody,
    CreateOidcAccessTokenRequest,
    CreateOidcAccessTokenRequestBody,
    CreateOidcRefreshAccessTokenRequest,
    CreateOidcRefreshAccessTokenRequestBody,
    CreateRefreshAccessTokenRequest,
    CreateRefreshAccessTokenRequestBody,
)

from tests.api.test_authen__oauth import authorize


def oidc_token(client: Any, **body: Any) -> Any:
    b = CreateOidcAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.oidc_access_token.create(CreateOidcAccessTokenRequest.builder().request_body(b.build())
                                                     .build())


def oidc_refresh(client: Any, **body: Any) -> Any:
    b = CreateOidcRefreshAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.oidc_refresh_access_token.create(CreateOidcRefreshAccessTokenRequest.builder()
                                                             .request_body(b.build()).build())


def test_legacy_token_carries_the_user(client, server):
    """The v1 access_token and refresh_access_token answers carry the token pair and the user's ids and tenant.
    Pages: https://open.feishu.cn/document/server-docs/authentication-management/access-token/create-2 and
    https://open.feishu.cn/document/server-docs/authentication-management/access-token/create"""
    got = client.authen.v1.access_token.create(CreateAccessTokenRequest.builder().request_body(
        CreateAccessTokenRequestBody.builder().grant_type("authorization_code").code(authorize(server, "alice"))
        .build()).build())
    assert got.code == 0, (got.msg, got.error)
    assert got.data.access_token.startswith("u-") and got.data.token_type == "Bearer"
    assert (got.data.open_id, got.data.union_id, got.data.tenant_key) == ("ou_alice", "on_alice", "acme")
    again = client.authen.v1.refresh_access_token.create(CreateRefreshAccessTokenRequest.builder().request_body(
        CreateRefreshAccessTokenRequestBody.builder().grant_type("refresh_token").refresh_token(got.data.refresh_token)
        .build()).build())
    assert again.code == 0 and again.data.open_id == "ou_alice" and again.data.access_token != got.data.access_token


@pytest.mark.xfail(strict=True, reason="shenpi answers 20003 at HTTP 400; the page gives HTTP 200")
def test_a_code_works_once(client, server):
    """A code already exchanged answers 20003 (HTTP 200).
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    code = authorize(server, "bob")
    assert oidc_token(client, grant_type="authorization_code", code=code).code == 0
    again = oidc_token(client, grant_type="authorization_code", code=code)
    assert (again.code, again.raw.status_code) == (20003, 200), again.msg


@pytest.mark.xfail(strict=True, reason="shenpi answers 1390001, the approval dialect's code")
def test_an_unsupported_grant_type_is_20036(client, server):
    """A grant_type other than authorization_code answers 20036 (HTTP 200).
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client, grant_type="password", code=authorize(server, "bob"))
    assert (resp.code, resp.raw.status_code) == (20036, 200), resp.msg


@pytest.mark.xfail(strict=True, reason="shenpi answers 20003 at HTTP 400 for a used refresh token")
def test_a_used_refresh_token_is_refused(client, server):
    """A refresh token works once: an old one reused after a refresh answers 20038 (not found) at HTTP 200.
    Page: https://open.feishu.cn/document/historic-version/authen/create-4"""
    first = oidc_token(client, grant_type="authorization_code", code=authorize(server, "bob"))
    assert first.code == 0
    assert oidc_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token).code == 0
    reused = oidc_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token)
    assert (reused.code, reused.raw.status_code) == (20038, 200), reused.msg
