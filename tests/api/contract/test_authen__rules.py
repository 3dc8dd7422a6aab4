"""The documented rules and codes of authen v1's token endpoints and user_info, driven through lark-oapi.

The pages answer their 20xxx codes at HTTP 200, the error in the body alone. The v1 access_token and
refresh_access_token pages list fewer codes than the OIDC ones: docs/compatibility.md records which of theirs
shenpi answers for a code or refresh token that yields no token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
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

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.test_authen__oauth import authorize
from tests.conftest import start_server


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


def test_a_code_works_once(client, server):
    """A code already exchanged answers 20003 (HTTP 200).
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    code = authorize(server, "bob")
    assert oidc_token(client, grant_type="authorization_code", code=code).code == 0
    again = oidc_token(client, grant_type="authorization_code", code=code)
    assert (again.code, again.raw.status_code) == (20003, 200), again.msg


def test_an_unsupported_grant_type_is_20036(client, server):
    """A grant_type other than authorization_code answers 20036 (HTTP 200).
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client, grant_type="password", code=authorize(server, "bob"))
    assert (resp.code, resp.raw.status_code) == (20036, 200), resp.msg


def test_a_used_refresh_token_is_refused(client, server):
    """A refresh token works once: an old one reused after a refresh answers 20038 (not found) at HTTP 200.
    Page: https://open.feishu.cn/document/historic-version/authen/create-4"""
    first = oidc_token(client, grant_type="authorization_code", code=authorize(server, "bob"))
    assert first.code == 0
    assert oidc_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token).code == 0
    reused = oidc_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token)
    assert (reused.code, reused.raw.status_code) == (20038, 200), reused.msg


def legacy_token(client: Any, **body: Any) -> Any:
    b = CreateAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.access_token.create(CreateAccessTokenRequest.builder().request_body(b.build()).build())


def legacy_refresh(client: Any, **body: Any) -> Any:
    b = CreateRefreshAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.refresh_access_token.create(CreateRefreshAccessTokenRequest.builder()
                                                        .request_body(b.build()).build())


def test_oidc_code_left_out_is_20001(client, server):
    """code is required: a body without it is an invalid request, 20001 at HTTP 200.
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client, grant_type="authorization_code")
    assert (resp.code, resp.raw.status_code) == (20001, 200), resp.msg


def test_oidc_grant_type_left_out_is_20001(client, server):
    """grant_type is required: left out, the request is invalid (20001), not an unsupported grant type.
    Page: https://open.feishu.cn/document/historic-version/authen/create-4"""
    resp = oidc_refresh(client, refresh_token="ur-whatever")
    assert (resp.code, resp.raw.status_code) == (20001, 200), resp.msg


def test_oidc_body_not_json_is_20001(server):
    """A body that is not JSON is an invalid request, 20001 at HTTP 200. Raw HTTP: the SDK always sends JSON.
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    token = httpx.post(server.base_url + "/open-apis/auth/v3/app_access_token/internal",
                       json={"app_id": "cli_acme", "app_secret": "s3cret"}).json()["app_access_token"]
    r = httpx.post(server.base_url + "/open-apis/authen/v1/oidc/access_token", content=b"{not json",
                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (200, 20001), r.text


def test_refresh_grant_type_on_the_code_page_is_20036(client, server):
    """The code endpoint takes grant_type authorization_code only; refresh_token there is 20036.
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client, grant_type="refresh_token", code=authorize(server, "bob"))
    assert (resp.code, resp.raw.status_code) == (20036, 200), resp.msg


def test_an_unknown_code_is_20003(client, server):
    """A code never issued is invalid: 20003 at HTTP 200.
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client, grant_type="authorization_code", code="no-such-code")
    assert (resp.code, resp.raw.status_code) == (20003, 200), resp.msg


def test_a_code_of_another_app_is_20024(client_for, server):
    """A code issued to one app, exchanged with another app's token: 20024 at HTTP 200.
    Page: https://open.feishu.cn/document/historic-version/authen/create-3"""
    resp = oidc_token(client_for("cli_contact"), grant_type="authorization_code", code=authorize(server, "bob"))
    assert (resp.code, resp.raw.status_code) == (20024, 200), resp.msg


def test_something_not_a_refresh_token_is_20026(client, server):
    """A value that is no refresh token (here an authorization code) is an invalid refresh token: 20026.
    Page: https://open.feishu.cn/document/historic-version/authen/create-4"""
    resp = oidc_refresh(client, grant_type="refresh_token", refresh_token=authorize(server, "bob"))
    assert (resp.code, resp.raw.status_code) == (20026, 200), resp.msg


def test_legacy_bad_request_is_20001(client, server):
    """The v1 pages' code for an invalid request (a field missing, a grant_type other than the page's) is 20001 at
    HTTP 200. Pages: https://open.feishu.cn/document/server-docs/authentication-management/access-token/create-2
    and https://open.feishu.cn/document/server-docs/authentication-management/access-token/create"""
    for resp in (legacy_token(client, grant_type="authorization_code"),
                 legacy_token(client, grant_type="password", code=authorize(server, "bob")),
                 legacy_refresh(client, grant_type="authorization_code", refresh_token="ur-x"),
                 legacy_refresh(client, grant_type="refresh_token")):
        assert (resp.code, resp.raw.status_code) == (20001, 200), resp.msg


def test_legacy_used_grant_is_20007(client, server):
    """The v1 pages list no code for a used code or refresh token; of theirs, 20007 (no user access token could be
    generated) fits, as docs/compatibility.md records, at HTTP 200.
    Pages: https://open.feishu.cn/document/server-docs/authentication-management/access-token/create-2 and
    https://open.feishu.cn/document/server-docs/authentication-management/access-token/create"""
    code = authorize(server, "bob")
    first = legacy_token(client, grant_type="authorization_code", code=code)
    assert first.code == 0, first.msg
    again = legacy_token(client, grant_type="authorization_code", code=code)
    assert (again.code, again.raw.status_code) == (20007, 200), again.msg
    assert legacy_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token).code == 0
    reused = legacy_refresh(client, grant_type="refresh_token", refresh_token=first.data.refresh_token)
    assert (reused.code, reused.raw.status_code) == (20007, 200), reused.msg


@pytest.fixture(scope="module")
def clock_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server of this module's own: the expiry tests move its clock."""
    srv = start_server(tmp_path_factory.mktemp("authen-clock"), "authen-clock", backend)
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def test_an_expired_code_is_20004_and_an_expired_refresh_token_20037(clock_server):
    """Codes last 5 minutes (20004 after), refresh tokens 30 days (20037 after), both at HTTP 200.
    Pages: https://open.feishu.cn/document/historic-version/authen/create-3 and
    https://open.feishu.cn/document/historic-version/authen/create-4"""
    client = clock_server.client("cli_acme")
    first = oidc_token(client, grant_type="authorization_code", code=authorize(clock_server, "bob"))
    assert first.code == 0, first.msg
    code = authorize(clock_server, "bob")
    clock_server.advance_clock(5 * 60 + 1)
    late = oidc_token(client, grant_type="authorization_code", code=code)
    assert (late.code, late.raw.status_code) == (20004, 200), late.msg
    clock_server.advance_clock(30 * 24 * 3600)
    forget_sdk_tokens()  # the SDK's app token expired with the clock
    stale = oidc_refresh(clock_server.client("cli_acme"), grant_type="refresh_token",
                         refresh_token=first.data.refresh_token)
    assert (stale.code, stale.raw.status_code) == (20037, 200), stale.msg
