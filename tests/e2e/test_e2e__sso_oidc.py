"""Sign in through a real OpenID Connect provider in Chromium (the certified `oidc-provider` npm package, run by
tests/node/oidc_provider.mjs): the person named by the email claim lands in the inbox; someone the directory lacks
is refused, or added when the server provisions; with password sign-in off the password form is gone and refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from shenpi.testing.process import free_port
from tests.web.sso_servers import OidcProvider, callback, inbox_seed, oidc_args, server


class Servers:
    def __init__(self, refusing: ShenpiProcess, provisioning: ShenpiProcess, provider: OidcProvider) -> None:
        self.refusing, self.provisioning, self.provider = refusing, provisioning, provider


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    tmp = tmp_path_factory.mktemp("sso-oidc")
    port = free_port()
    refusing = server(tmp / "refusing", inbox_seed(), oidc_args(port))
    provisioning = server(tmp / "provisioning", inbox_seed(),
                          oidc_args(port, "--sso-unknown-users", "provision", "--no-password-sign-in"))
    provider = OidcProvider(tmp, port, [callback(refusing, "oidc"), callback(provisioning, "oidc")])
    try:
        refusing.start()
        provisioning.start()
        yield Servers(refusing, provisioning, provider)
    finally:
        for srv in (refusing, provisioning):
            srv.close()
        provider.close()


@pytest.fixture
def browse(chromium: Any) -> Iterator[Any]:
    """``browse(server)``: a page in a fresh browser context (one person) on that server."""
    contexts: list[Any] = []

    def make(srv: ShenpiProcess) -> Any:
        ctx = chromium.new_context(base_url=srv.base_url, locale="en-US")
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


def _through_the_provider(page: Any, login: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.wait_for_url(re.compile(r"/interaction/"))
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password: the provider's development login takes any")
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/interaction/.*|/login/sso/oidc/callback|/inbox"))
    if "/interaction/" in page.url:  # the consent prompt
        page.locator("button[type=submit]").click()


def test_sign_in_through_the_provider_lands_the_right_user(browse, servers):
    page = browse(servers.refusing)
    _through_the_provider(page, "alice")  # the provider says email alice@acme.example
    page.wait_for_url(f"{servers.refusing.base_url}/inbox")
    assert page.locator("header").get_by_text("Alice", exact=True).is_visible()


def test_someone_the_directory_lacks_is_refused(browse, servers):
    page = browse(servers.refusing)
    _through_the_provider(page, "zoe")  # zoe@elsewhere.example: no such email in the directory
    page.wait_for_url(re.compile(r"/login/sso/oidc/callback\?"))
    assert page.get_by_role("heading", name="Sign-in failed").is_visible()
    assert page.get_by_text("zoe@elsewhere.example has no account in this shenpi.").is_visible()
    page.goto("/inbox")
    assert "/login" in page.url


def test_someone_the_directory_lacks_is_added_when_the_server_provisions(browse, servers):
    page = browse(servers.provisioning)
    _through_the_provider(page, "yuki")
    page.wait_for_url(f"{servers.provisioning.base_url}/inbox")
    assert page.locator("header").get_by_text("yuki", exact=True).is_visible()
    # The directory has her now, under the provider's subject, with the email it gave.
    users = {u["user_id"]: u for t in servers.provisioning.export_state()["tenants"] if t["tenant_key"] == "acme"
             for u in t["users"]}
    assert users["yuki"]["email"] == "yuki@elsewhere.example"


def test_password_sign_in_off_hides_and_refuses_the_form(browse, servers):
    page = browse(servers.provisioning)
    page.goto("/login?lang=en")
    assert page.get_by_role("link", name="Sign in with Test IdP").is_visible()
    assert page.get_by_label("Password").count() == 0
    token = "t" * 32  # the pre-sign-in CSRF double submit: the same value as cookie and field
    with httpx.Client(base_url=servers.provisioning.base_url, cookies={"shenpi_csrf": token}) as http:
        r = http.post("/login", data={"csrf_token": token, "tenant_key": "acme", "user_id": "alice",
                                      "password": "alice-pw"})
    assert r.status_code == 403 and "Password sign-in is turned off here" in r.text


def _flow_state(http: httpx.Client) -> str:
    r = http.get("/login/sso/oidc")
    assert r.status_code == 302, r.text[:300]
    return httpx.URL(r.headers["location"]).params["state"]


def test_a_code_the_provider_refuses_is_a_page(servers):
    with httpx.Client(base_url=servers.refusing.base_url) as http:
        state = _flow_state(http)
        r = http.get("/login/sso/oidc/callback", params={"state": state, "code": "made-up"})
    assert r.status_code == 502 and "Sign-in with Test IdP failed: the code was not accepted" in r.text
    assert "Traceback" not in r.text


def test_a_provider_that_does_not_answer_discovery_is_a_page(tmp_path):
    srv = server(tmp_path / "unreachable", inbox_seed(), oidc_args(free_port()))
    srv.start()
    try:
        r = httpx.get(srv.base_url + "/login/sso/oidc", headers={"Accept": "text/html"})
    finally:
        srv.close()
    assert r.status_code == 502 and "Sign-in with Test IdP is not available now" in r.text
    assert "discovery failed (ConnectError" in r.text
    assert not re.search(r'shenpi_sso=[^";]', r.headers.get("set-cookie", ""))  # no flow was started
