"""Sign in with Feishu in Chromium, a second shenpi acting as Feishu: the person signs in there with that shenpi's
own password, authorizes the inbox, and lands in the inbox as the directory user of the same user_id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shenpi.testing import ShenpiProcess
from tests.web.sso_servers import IDP_PASSWORDS, feishu_args, idp_seed, inbox_seed, server


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ShenpiProcess, ShenpiProcess]]:
    tmp = tmp_path_factory.mktemp("sso-feishu")
    # The identity provider's authorize page asks for a real sign-in (the test harness would let it offer a picker).
    idp = server(tmp / "idp", idp_seed(), ["--authorize-picker", "off"], url_host="localhost")
    idp.start()
    inbox = server(tmp / "inbox", inbox_seed(), feishu_args(idp))
    try:
        inbox.start()
        yield idp, inbox
    finally:
        inbox.close()
        idp.close()


@pytest.fixture
def page(chromium: Any, servers: tuple[ShenpiProcess, ShenpiProcess]) -> Iterator[Any]:
    ctx = chromium.new_context(base_url=servers[1].base_url, locale="en-US")
    ctx.set_default_timeout(15_000)
    yield ctx.new_page()
    ctx.close()


def _through_the_idp(page: Any, user_id: str, password: str) -> None:
    page.goto("/login?lang=en")
    page.get_by_role("link", name="Sign in with Feishu / Lark").click()
    # The identity provider's own sign-in page, its tenant filled in from the app's.
    page.wait_for_url(re.compile(r"^http://localhost:\d+/login\?"))
    assert page.get_by_label("Tenant").input_value() == "corp"
    page.get_by_label("User ID").fill(user_id)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    # ... then its consent page, naming who is signed in and the app.
    page.wait_for_url(re.compile(r"^http://localhost:\d+/open-apis/authen/v1/authorize\?"))
    assert page.get_by_text(f"{user_id.title()} at the IdP", exact=True).is_visible()
    assert page.get_by_role("heading", name="Sign in to Acme approvals").is_visible()
    page.get_by_role("button", name="Authorize").click()


def test_sign_in_with_feishu_lands_the_right_user_in_the_inbox(page, servers):
    idp, inbox = servers
    _through_the_idp(page, "alice", IDP_PASSWORDS["alice"])
    page.wait_for_url(f"{inbox.base_url}/inbox")
    # The inbox's own alice (named "Alice" here), not the identity provider's "Alice at the IdP".
    assert page.locator("header").get_by_text("Alice", exact=True).is_visible()
    assert "Sign in" not in page.title()


def test_a_wrong_password_at_the_idp_gets_no_code(page, servers):
    page.goto("/login?lang=en")
    page.get_by_role("link", name="Sign in with Feishu / Lark").click()
    page.wait_for_url(re.compile(r"^http://localhost:\d+/login\?"))
    page.get_by_label("User ID").fill("alice")
    page.get_by_label("Password").fill("not-her-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Wrong tenant, user or password.").is_visible()
    assert page.url.startswith("http://localhost:")


def test_someone_the_directory_lacks_is_refused_with_a_page(page, servers):
    _through_the_idp(page, "zed", IDP_PASSWORDS["zed"])
    page.wait_for_url(re.compile(r"/login/sso/feishu/callback\?"))
    assert page.get_by_role("heading", name="Sign-in failed").is_visible()
    assert page.get_by_text("zed has no account in this shenpi.").is_visible()
    page.goto("/inbox")
    assert "/login" in page.url  # no session was opened


def test_screenshot(page, servers, screenshots: Path):
    page.goto("/login?lang=en")
    page.screenshot(path=str(screenshots / "sign-in-with-feishu.png"))
