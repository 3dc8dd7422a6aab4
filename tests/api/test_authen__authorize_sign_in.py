"""shenpi's authorize page as an identity provider (``--authorize-picker off``, the default outside a demo or the
test control plane): a code only for the person signed in to this shenpi's web inbox, and only once they consent
on the page itself — never for a ``user_id`` named in the URL, a forged or cross-site consent, or a session of
another tenant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from tests.web.helpers import WebClient
from tests.web.sso_servers import IDP_APP_ID, IDP_APP_SECRET, IDP_PASSWORDS, idp_seed, server

AUTHORIZE = "/open-apis/authen/v1/authorize"
QUERY = {"client_id": IDP_APP_ID, "redirect_uri": "https://app.example/cb", "state": "st-1"}


def _seed() -> dict[str, Any]:
    seed = idp_seed()
    seed["tenants"].append({"tenant_key": "other", "name": "Other", "apps": [{"app_id": "cli_other",
                            "app_secret": "o"}], "users": [{"user_id": "olga", "name": "Olga", "password": "olga-pw"}]})
    return seed


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = server(tmp_path_factory.mktemp("authorize"), _seed(), ["--authorize-picker", "off"])
    srv.start()
    yield srv
    srv.close()


@pytest.fixture
def person(idp: ShenpiProcess) -> Iterator[WebClient]:
    client = WebClient(idp.base_url)
    yield client
    client.close()


def _sent_to_sign_in(r: httpx.Response) -> None:
    assert r.status_code == 302, r.text[:300]
    target = urlsplit(r.headers["location"])
    assert target.path == "/login" and "code=" not in r.headers["location"].split("next=")[0]
    assert parse_qs(target.query)["tenant_key"] == ["corp"]


def _consent_token(page: str) -> str:
    return page.split('name="consent_token" value="', 1)[1].split('"', 1)[0]


def test_nobody_signed_in_is_sent_to_sign_in_whatever_the_url_names(person):
    _sent_to_sign_in(person.get(AUTHORIZE, params={**QUERY, "user_id": "alice"}))
    _sent_to_sign_in(person.http.post(AUTHORIZE, params=QUERY, data={"user_id": "alice"}))
    _sent_to_sign_in(person.http.post(AUTHORIZE, params=QUERY, data={"consent": "allow", "consent_token": "x"}))


def test_the_signed_in_person_consents_and_the_code_is_theirs(person, idp):
    person.sign_in("corp", "alice", IDP_PASSWORDS["alice"])
    page = person.get(AUTHORIZE, params={**QUERY, "user_id": "bob"})  # the URL's user_id is not who signs in
    assert page.status_code == 200 and "Alice at the IdP" in page.text and "app.example" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    r = person.http.post(AUTHORIZE, params=QUERY, data={"consent": "allow", "consent_token": _consent_token(page.text)})
    assert r.status_code == 302
    target = urlsplit(r.headers["location"])
    assert target.netloc == "app.example" and parse_qs(target.query)["state"] == ["st-1"]
    code = parse_qs(target.query)["code"][0]
    token = httpx.post(idp.base_url + "/open-apis/authen/v2/oauth/token", json={
        "grant_type": "authorization_code", "client_id": IDP_APP_ID, "client_secret": IDP_APP_SECRET,
        "code": code}).json()
    info = httpx.get(idp.base_url + "/open-apis/authen/v1/user_info",
                     headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert info["data"]["user_id"] == "alice"


@pytest.mark.parametrize(("data", "headers"), [
    ({"consent": "allow"}, {}),  # no token
    ({"consent": "allow", "consent_token": "0" * 64}, {}),  # a forged one
    ({"consent_token": None}, {}),  # the token without the button
    ({"consent": "allow", "consent_token": None}, {"Sec-Fetch-Site": "cross-site"}),  # posted from another site
    ({"consent": "allow", "consent_token": None}, {"Origin": "https://evil.example"}),
])
def test_a_consent_that_is_not_the_persons_gets_no_code(person, data, headers):
    person.sign_in("corp", "alice", IDP_PASSWORDS["alice"])
    page = person.get(AUTHORIZE, params=QUERY)
    body = {k: (_consent_token(page.text) if v is None else v) for k, v in data.items()}
    r = person.http.post(AUTHORIZE, params=QUERY, data=body, headers=headers)
    assert r.status_code == 200 and "location" not in r.headers and "Authorize" in r.text


def test_a_session_of_another_tenant_is_sent_to_sign_in(person):
    person.sign_in("other", "olga", "olga-pw")
    _sent_to_sign_in(person.get(AUTHORIZE, params=QUERY))
