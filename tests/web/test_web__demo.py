"""``shenpi serve --demo``: the sign-in page is a user switcher (the password form stays for scripts)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from shenpi.testing import ShenpiProcess
from tests.conftest import start_server
from tests.web.helpers import WebClient, csrf_of


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("demo"), "demo", seed={"tenants": []}, args=["--demo"])
    yield srv
    srv.close()


def test_the_switcher_signs_in_without_a_password(demo_server):
    c = WebClient(demo_server.base_url)
    try:
        html = c.page("/login?lang=en")
        assert "Demo mode: pick who you are." in html
        users = re.findall(r'name="user_id" value="([a-z]+)"', html)
        assert {"alice", "bob", "carol", "dana", "admin"} <= set(users)
        r = c.http.post("/login/switch", data={"csrf_token": csrf_of(html), "tenant_key": "demo", "user_id": "bob",
                                               "next": "/start"})
        assert r.status_code == 303 and r.headers["location"] == "/start"
        start = c.page("/start?lang=en")
        assert "Leave request" in start and "Switch user" in start
        c.http.cookies.clear()
        c.sign_in("demo", "carol", "carol")  # the demo passwords (= user id) work too
    finally:
        c.close()


def test_the_switcher_is_off_outside_demo_mode(browser):
    c = browser()
    html = c.page("/login")
    assert "/login/switch" not in html
    r = c.http.post("/login/switch", data={"csrf_token": csrf_of(html), "tenant_key": "acme", "user_id": "bob"})
    assert r.status_code == 403
