"""The single sign-on callback, driven without a browser against a real identity provider (a second shenpi acting
as Feishu): the whole flow, and each way it can fail — a state that is not this browser's, the provider's error,
a code the provider refuses, a provider that cannot be reached — each a page that says so, never a traceback."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from shenpi.testing.process import free_port
from tests.web.helpers import WebClient
from tests.web.sso_servers import IDP_APP_ID, IDP_PASSWORDS, feishu_args, idp_seed, inbox_seed, server


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = server(tmp_path_factory.mktemp("sso-idp"), idp_seed(), ["--authorize-picker", "off"], url_host="localhost")
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def inbox(idp: ShenpiProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    # Only people of the provider's tenant "corp" (user_info's tenant_key) are taken.
    srv = server(tmp_path_factory.mktemp("sso-inbox"), inbox_seed(), feishu_args(idp, "--feishu-tenant-key", "corp"))
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def picky(idp: ShenpiProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """An inbox that takes only people of another Feishu tenant."""
    srv = server(tmp_path_factory.mktemp("sso-picky"), inbox_seed(), feishu_args(idp, "--feishu-tenant-key", "globex"))
    srv.start()
    yield srv
    srv.close()


@pytest.fixture(scope="module")
def stranded(idp: ShenpiProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    """An inbox whose provider's token endpoint is a port nobody listens on."""
    closed = free_port()
    srv = server(tmp_path_factory.mktemp("sso-stranded"), inbox_seed(), [
        "--sso-tenant", "acme", "--feishu-app-id", IDP_APP_ID, "--feishu-app-secret", "x",
        "--feishu-url", f"http://127.0.0.1:{closed}", "--feishu-accounts-url", idp.base_url])
    srv.start()
    yield srv
    srv.close()


def _start(client: WebClient) -> dict[str, str]:
    """GET /login/sso/feishu: the provider's authorize URL's query (the flow cookie is now the client's)."""
    r = client.get("/login/sso/feishu", params={"next": "/inbox/done"})
    assert r.status_code == 302, r.text[:300]
    cookie = r.headers["set-cookie"]
    assert "shenpi_sso=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Path=/login/sso/" in cookie
    return {k: v[0] for k, v in parse_qs(urlsplit(r.headers["location"]).query).items()}


def _failure(r: httpx.Response, status: int, says: str) -> None:
    assert r.status_code == status, (r.status_code, r.text[:500])
    assert "Sign-in failed" in r.text and says in r.text, r.text[:2000]
    assert "Traceback" not in r.text and "shenpi_session=" not in r.headers.get("set-cookie", "")


def test_start_sends_the_browser_to_the_providers_authorize_page(inbox, idp):
    with _client(inbox) as client:
        r = client.get("/login/sso/feishu")
        assert r.headers["location"].startswith(f"{idp.base_url}/open-apis/authen/v1/authorize?")
        query = _start(client)
    assert query["client_id"] == IDP_APP_ID and query["response_type"] == "code"
    assert query["redirect_uri"] == f"{inbox.base_url}/login/sso/feishu/callback"
    assert len(query["state"]) >= 32 and query["code_challenge_method"] == "S256" and query["code_challenge"]


def test_an_unknown_provider_is_not_found(inbox):
    with _client(inbox) as client:
        assert client.get("/login/sso/okta").status_code == 404
        assert client.get("/login/sso/okta/callback?code=x&state=y").status_code == 404


def _callback_url(client: WebClient, at_idp: WebClient, user_id: str) -> tuple[str, dict[str, str]]:
    """Through the provider as a browser would: the inbox's redirect, the provider's sign-in and consent. The
    answer is the callback's path and query (the code, the state), and the authorize query."""
    query = _start(client)
    # Not signed in at the provider: its authorize page sends the person to its own sign-in page, and back.
    r = at_idp.get("/open-apis/authen/v1/authorize?" + str(httpx.QueryParams(query)))
    assert r.status_code == 302 and r.headers["location"].startswith("/login?")
    back = parse_qs(urlsplit(r.headers["location"]).query)
    assert back["tenant_key"] == ["corp"] and back["next"][0].startswith("/open-apis/authen/v1/authorize?")
    signed_in = at_idp.post("/login", {"tenant_key": "corp", "user_id": user_id, "password": IDP_PASSWORDS[user_id],
                                       "next": back["next"][0]})
    assert signed_in.headers["location"] == back["next"][0]
    consent = at_idp.get(back["next"][0])
    assert consent.status_code == 200 and f"{user_id.title()} at the IdP" in consent.text
    token = consent.text.split('name="consent_token" value="', 1)[1].split('"', 1)[0]
    r = at_idp.http.post(back["next"][0], data={"consent": "allow", "consent_token": token})
    assert r.status_code == 302
    to_inbox = urlsplit(r.headers["location"])
    assert f"{to_inbox.scheme}://{to_inbox.netloc}{to_inbox.path}" == query["redirect_uri"]
    return f"{to_inbox.path}?{to_inbox.query}", query


def test_the_whole_flow_without_a_browser(inbox, idp):
    with _client(inbox) as client, _client(idp) as at_idp:
        url, _ = _callback_url(client, at_idp, "bob")
        landed = client.get(url)
        assert landed.status_code == 303 and landed.headers["location"] == "/inbox/done"
        assert "Bob" in client.page("/inbox")  # signed in: the inbox itself, not the sign-in page
        # the code worked once
        _failure(client.get(url), 400, "did not start here")


def test_a_person_of_another_feishu_tenant_is_refused(picky, idp):
    with _client(picky) as client, _client(idp) as at_idp:
        url, _ = _callback_url(client, at_idp, "alice")
        _failure(client.get(url), 403, "Feishu / Lark signed you in to another organization.")
        assert client.get("/inbox").status_code == 303  # to the sign-in page: no session


def test_a_callback_without_this_browsers_flow_is_refused(inbox):
    with _client(inbox) as client:
        _failure(client.get("/login/sso/feishu/callback", params={"code": "c", "state": "s"}), 400,
                 "did not start here")


def test_a_state_that_is_not_the_flows_is_refused(inbox):
    with _client(inbox) as client:
        _start(client)
        _failure(client.get("/login/sso/feishu/callback", params={"code": "c", "state": "forged"}), 400,
                 "did not start here")
        client.http.cookies.set("shenpi_sso", "not base64 json!", path="/login/sso/")
        _failure(client.get("/login/sso/feishu/callback", params={"code": "c", "state": "forged"}), 400,
                 "did not start here")


def test_the_providers_error_is_said(inbox):
    with _client(inbox) as client:
        query = _start(client)
        _failure(client.get("/login/sso/feishu/callback", params={
            "state": query["state"], "error": "access_denied", "error_description": "The user said no"}), 401,
            "Feishu / Lark did not sign you in: The user said no")


def test_a_callback_without_a_code_is_refused(inbox):
    with _client(inbox) as client:
        query = _start(client)
        _failure(client.get("/login/sso/feishu/callback", params={"state": query["state"]}), 400,
                 "sent no authorization code")


def test_a_code_the_provider_refuses_is_a_page(inbox):
    """The provider's token endpoint answers 20003 (the code is unknown): the page says the code was refused."""
    with _client(inbox) as client:
        query = _start(client)
        _failure(client.get("/login/sso/feishu/callback", params={"state": query["state"], "code": "made-up"}), 502,
                 "the code was not accepted: the code is unknown or was already used")


def test_a_provider_that_cannot_be_reached_is_a_page(stranded):
    with _client(stranded) as client:
        query = _start(client)
        _failure(client.get("/login/sso/feishu/callback", params={"state": query["state"], "code": "c"}), 502,
                 "the token endpoint could not be reached (ConnectError)")


@contextlib.contextmanager
def _client(srv: ShenpiProcess) -> Iterator[WebClient]:
    client = WebClient(srv.base_url)
    try:
        yield client
    finally:
        client.close()


def test_the_sign_in_page_offers_the_provider_in_both_languages(inbox):
    with _client(inbox) as client:
        assert 'href="/login/sso/feishu?next=%2Finbox"' in client.page("/login?lang=en")
        assert "Sign in with Feishu / Lark" in client.page("/login?lang=en")
        assert "使用飞书 / Lark登录" in client.page("/login?lang=zh")
        assert 'name="password"' in client.last_html  # password sign-in stays on unless turned off
