"""authen v1's codes for a grant that no longer fits: a user who left the directory since the grant (20008), a grant
of another app (20024), a refresh page asked for another grant type (20036), each at HTTP 200, driven through
lark-oapi. The pages:

- https://open.feishu.cn/document/historic-version/authen/create-3 (OIDC access_token)
- https://open.feishu.cn/document/historic-version/authen/create-4 (OIDC refresh_access_token)
- https://open.feishu.cn/document/server-docs/authentication-management/access-token/create-2 (v1 access_token)
- https://open.feishu.cn/document/server-docs/authentication-management/access-token/create (v1 refresh)
- https://open.feishu.cn/document/server-docs/authentication-management/login-state-management/get (user_info)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lark_oapi as lark
import pytest
from lark_oapi.api.authen.v1 import (
    CreateAccessTokenRequest,
    CreateAccessTokenRequestBody,
    CreateRefreshAccessTokenRequest,
    CreateRefreshAccessTokenRequestBody,
    GetUserInfoRequest,
)

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.api.contract.test_authen__rules import oidc_refresh, oidc_token
from tests.api.test_authen__oauth import authorize
from tests.conftest import start_server
from tests.seeds import test_seed

LEAVER = {"user_id": "lee", "name": "Lee", "department_ids": ["eng"]}


def with_leaver() -> dict[str, Any]:
    seed = test_seed()
    seed["tenants"][0]["users"].append(dict(LEAVER))
    return seed


def legacy_token(client: lark.Client, **body: Any) -> Any:
    b = CreateAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.access_token.create(CreateAccessTokenRequest.builder().request_body(b.build()).build())


def legacy_refresh(client: lark.Client, **body: Any) -> Any:
    b = CreateRefreshAccessTokenRequestBody.builder()
    for k, v in body.items():
        b = getattr(b, k)(v)
    return client.authen.v1.refresh_access_token.create(CreateRefreshAccessTokenRequest.builder()
                                                        .request_body(b.build()).build())


def answer(resp: Any) -> tuple[int, int]:
    return resp.code, resp.raw.status_code


@pytest.fixture(scope="module")
def leaver_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """A server of this module's own, whose directory loses a user (reset to a seed without them)."""
    srv = start_server(tmp_path_factory.mktemp("authen-states"), "authen-states", backend, seed=with_leaver())
    forget_sdk_tokens()
    yield srv
    srv.close()
    forget_sdk_tokens()


def test_a_grant_of_another_app_is_20024_on_the_v1_and_refresh_pages(client, client_for, server):
    """A code or refresh token issued to cli_acme, redeemed with cli_contact's app token: 20024."""
    other = client_for("cli_contact")
    assert answer(legacy_token(other, grant_type="authorization_code", code=authorize(server, "bob"))) == (20024, 200)
    pair = oidc_token(client, grant_type="authorization_code", code=authorize(server, "bob"))
    assert pair.code == 0, pair.msg
    assert answer(oidc_refresh(other, grant_type="refresh_token", refresh_token=pair.data.refresh_token)) \
        == (20024, 200)
    pair = oidc_token(client, grant_type="authorization_code", code=authorize(server, "bob"))
    assert answer(legacy_refresh(other, grant_type="refresh_token", refresh_token=pair.data.refresh_token)) \
        == (20024, 200)


def test_the_refresh_page_takes_grant_type_refresh_token_only(client, server):
    """grant_type is required and is refresh_token: another value is 20036 (grant_type not supported), none at all
    20001 (an invalid request)."""
    pair = oidc_token(client, grant_type="authorization_code", code=authorize(server, "bob"))
    assert pair.code == 0, pair.msg
    refresh = pair.data.refresh_token
    assert answer(oidc_refresh(client, grant_type="authorization_code", refresh_token=refresh)) == (20036, 200)
    assert answer(oidc_refresh(client, refresh_token=refresh)) == (20001, 200)
    assert answer(oidc_refresh(client, grant_type="refresh_token", refresh_token=refresh)) == (0, 200)


# The tests on this module's own server come last: lark-oapi caches app tokens by app id across servers, and the
# fixture forgets them when it starts and when the module ends, so the shared server's tests run before it.
def test_a_grant_of_a_user_gone_from_the_directory_is_20008(leaver_server):
    """A code, a refresh token or a user token of a user who has left the directory since: 20008 (the user does
    not exist) on each of the four token pages and on user_info."""
    client = leaver_server.client("cli_acme")
    signed_in = oidc_token(client, grant_type="authorization_code", code=authorize(leaver_server, "lee"))
    assert signed_in.code == 0, signed_in.msg
    legacy = legacy_token(client, grant_type="authorization_code", code=authorize(leaver_server, "lee"))
    assert legacy.code == 0, legacy.msg
    codes = [authorize(leaver_server, "lee") for _ in range(2)]
    leaver_server.reset(test_seed())  # lee leaves; the app and its tokens stay
    client = leaver_server.client("cli_acme")
    assert answer(oidc_token(client, grant_type="authorization_code", code=codes[0])) == (20008, 200)
    assert answer(legacy_token(client, grant_type="authorization_code", code=codes[1])) == (20008, 200)
    assert answer(oidc_refresh(client, grant_type="refresh_token",
                               refresh_token=signed_in.data.refresh_token)) == (20008, 200)
    assert answer(legacy_refresh(client, grant_type="refresh_token",
                                 refresh_token=legacy.data.refresh_token)) == (20008, 200)
    as_user = (lark.Client.builder().app_id("cli_acme").app_secret("s3cret").domain(leaver_server.base_url)
               .enable_set_token(True).log_level(lark.LogLevel.ERROR).build())
    me = as_user.authen.v1.user_info.get(GetUserInfoRequest.builder().build(), lark.RequestOption.builder()
                                         .user_access_token(signed_in.data.access_token).build())
    assert answer(me) == (20008, 200)
