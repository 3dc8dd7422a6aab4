"""Sign-in, sessions, sign-out, CSRF on the sign-in form, and the password CLI — against a real server."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sqlite3
import subprocess
import sys

import httpx
import pytest

from tests.web.helpers import csrf_of


def test_root_redirects_to_the_inbox_and_the_inbox_to_sign_in(web_server):
    r = httpx.get(web_server.base_url + "/")
    assert r.status_code in (302, 303) and r.headers["location"] == "/inbox"
    r = httpx.get(web_server.base_url + "/inbox")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Finbox"


def test_the_sign_in_form_has_the_fixed_input_names(browser):
    html = browser().page("/login")
    for name in ("tenant_key", "user_id", "password"):
        assert re.search(rf'<input[^>]+name="{name}"', html), name
    assert re.search(r'<form method="post" action="/login"', html)


def test_a_good_password_opens_a_session_with_a_safe_cookie(browser):
    c = browser()
    r = c.sign_in("acme", "alice", "alice-pw")
    assert r.headers["location"] == "/inbox"
    cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith("shenpi_session=") and "Max-Age=0" not in h)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Alice" in c.page("/inbox")


@pytest.mark.parametrize("tenant, user, password", [
    ("acme", "alice", "wrong"), ("acme", "frank", ""), ("acme", "frank", "anything"),  # frank has no password
    ("acme", "nobody", "x"), ("globex", "alice", "alice-pw"),  # the same user id in another tenant
])
def test_wrong_credentials_are_refused_with_one_message(browser, tenant, user, password):
    r = browser().post("/login", {"tenant_key": tenant, "user_id": user, "password": password}, csrf_from="/login")
    assert r.status_code == 401
    assert "Wrong tenant, user or password." in r.text
    assert not any(h.startswith("shenpi_session=") for h in r.headers.get_list("set-cookie"))


def test_the_sign_in_form_needs_its_csrf_token(web_server, browser):
    c = browser()
    c.page("/login")  # the csrf cookie is set, but the field is missing
    r = c.http.post("/login", data={"tenant_key": "acme", "user_id": "alice", "password": "alice-pw"})
    assert r.status_code == 403
    # ... and a post from another site is refused even with a token
    r = c.post("/login", {"tenant_key": "acme", "user_id": "alice", "password": "alice-pw"},
               headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_next_never_leaves_the_site(browser):
    c = browser()
    r = c.post("/login", {"tenant_key": "acme", "user_id": "bob", "password": "bob-pw", "next": "//evil.example/x"},
               csrf_from="/login")
    assert r.status_code == 303 and r.headers["location"] == "/inbox"
    r = c.post("/login", {"tenant_key": "acme", "user_id": "bob", "password": "bob-pw", "next": "/start"},
               csrf_from="/login")
    assert r.headers["location"] == "/start"


def test_sign_out_ends_the_session_on_the_server(web_server, browser):
    c = browser("bob")
    stolen = c.http.cookies.get("shenpi_session")
    html = c.page("/inbox")
    r = c.http.post("/logout", data={"csrf_token": csrf_of(html)})
    assert r.status_code == 303 and r.headers["location"] == "/login?bye=1"
    replay = httpx.get(web_server.base_url + "/inbox", cookies={"shenpi_session": stolen})
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login")


def test_a_made_up_session_cookie_is_nobody(web_server):
    r = httpx.get(web_server.base_url + "/inbox", cookies={"shenpi_session": secrets.token_urlsafe(32)})
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_repeated_failures_lock_the_user_for_a_while(browser):
    c = browser()
    for _ in range(5):
        c.post("/login", {"tenant_key": "acme", "user_id": "mallory", "password": "guess"}, csrf_from="/login")
    r = c.post("/login", {"tenant_key": "acme", "user_id": "mallory", "password": "guess"}, csrf_from="/login")
    assert r.status_code == 429


def _db_path(web_server) -> str:
    url = web_server.db_url
    if not url.startswith("sqlite:///"):
        pytest.skip("writes the SQLite file directly")
    return url.removeprefix("sqlite:///")


def test_an_old_scrypt_hash_still_signs_in_and_is_upgraded_to_argon2(web_server, browser):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(b"erin-pw", salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt$16384$8$1${salt.hex()}${digest.hex()}"
    with sqlite3.connect(_db_path(web_server)) as db:
        db.execute("UPDATE users SET password_hash = ? WHERE tenant_key = 'acme' AND user_id = 'erin'", (legacy,))
    browser().sign_in("acme", "erin", "erin-pw")
    with sqlite3.connect(_db_path(web_server)) as db:
        stored = db.execute("SELECT password_hash FROM users WHERE tenant_key = 'acme' AND user_id = 'erin'").fetchone()[0]
    assert stored.startswith("$argon2id$")
    browser().sign_in("acme", "erin", "erin-pw")  # and the new hash verifies


def test_shenpi_user_set_password_lets_a_user_sign_in(web_server, browser):
    r = subprocess.run([sys.executable, "-m", "shenpi", "user", "set-password", "--db", web_server.db_url,
                        "--tenant", "acme", "frank", "--password-stdin"], input="frank-new-pw\n", text=True,
                       capture_output=True, env={**os.environ}, timeout=60)
    assert r.returncode == 0, r.stderr
    browser().sign_in("acme", "frank", "frank-new-pw")
    bad = subprocess.run([sys.executable, "-m", "shenpi", "user", "set-password", "--db", web_server.db_url,
                          "--tenant", "acme", "nobody", "--password-stdin"], input="x\n", text=True,
                         capture_output=True, timeout=60)
    assert bad.returncode != 0 and "nobody" in bad.stderr


def test_html_asks_get_an_html_404_and_scripts_the_api_json_404(web_server):
    page = httpx.get(web_server.base_url + "/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = httpx.get(web_server.base_url + "/no-such-page")
    assert api.status_code == 404 and api.json()["code"] == 99991201


def test_static_files_ship_with_the_package(web_server):
    for path, kind in (("/static/app.css", "text/css"), ("/static/app.js", "javascript")):
        r = httpx.get(web_server.base_url + path)
        assert r.status_code == 200 and kind in r.headers["content-type"], path


def test_pages_forbid_framing_and_inline_script(browser):
    r = browser().get("/login")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "<script>" not in r.text  # all script is /static/app.js


def test_a_password_is_never_rendered_back(browser):
    r = browser().post("/login", {"tenant_key": "acme", "user_id": "alice", "password": "s3cr3t-typo"},
                       csrf_from="/login")
    assert "s3cr3t-typo" not in r.text

