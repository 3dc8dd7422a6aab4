"""The web sign-in is throttled in the database, per account (5 passwords per 15 minutes) and per client address
(30 a minute; 6 here), atomically: concurrent guesses cannot check more passwords than the limit, made-up names do
not clear a count, and a throttled answer is 429 with Retry-After until the window ends."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from tests.conftest import start_server
from tests.web.helpers import WebClient, csrf_of
from tests.web.seed import web_seed


@pytest.fixture
def site(tmp_path: Path) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path, "throttle", seed=web_seed(), args=["--sign-in-address-limit", "60/60"])
    # Windows are clock-aligned: start at the beginning of a 15-minute one, so the guesses all fall in it.
    now_s = srv.now_ms() / 1000
    srv.advance_clock(900 - now_s % 900 + 0.5)
    yield srv
    srv.close()


def _guess(c: WebClient, user_id: str, password: str, csrf: str) -> httpx.Response:
    return c.http.post("/login", data={"csrf_token": csrf, "tenant_key": "acme", "user_id": user_id,
                                       "password": password})


def test_concurrent_guesses_check_at_most_five_passwords_per_account(site):
    async def guess_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=site.base_url, timeout=60, headers={"Accept": "text/html"}) as c:
            csrf = csrf_of((await c.get("/login")).text)
            return await asyncio.gather(*(c.post("/login", data={"csrf_token": csrf, "tenant_key": "acme",
                                                                 "user_id": "bob", "password": f"guess-{i}"})
                                          for i in range(40)))

    answers = asyncio.run(guess_all())
    assert Counter(r.status_code for r in answers) == {401: 5, 429: 35}
    assert all(1 <= int(r.headers["Retry-After"]) <= 900 for r in answers if r.status_code == 429)
    c = WebClient(site.base_url)
    try:
        csrf = csrf_of(c.page("/login"))
        assert _guess(c, "bob", "bob-pw", csrf).status_code == 429  # the right password waits too
        for i in range(10):  # made-up names count on their own; they do not clear bob's count
            assert _guess(c, f"nobody-{i}", "x", csrf).status_code == 401
        assert _guess(c, "bob", "bob-pw", csrf).status_code == 429
        site.advance_clock(900)
        assert _guess(c, "bob", "bob-pw", csrf).status_code == 303
    finally:
        c.close()


def test_right_passwords_do_not_count(site):
    c = WebClient(site.base_url)
    try:
        csrf = csrf_of(c.page("/login"))
        for _ in range(4):
            assert _guess(c, "carol", "wrong", csrf).status_code == 401
        for _ in range(8):
            c.http.cookies.clear()
            csrf = csrf_of(c.page("/login"))
            assert _guess(c, "carol", "carol-pw", csrf).status_code == 303
    finally:
        c.close()


def test_a_flood_from_one_address_is_throttled(tmp_path):
    srv = start_server(tmp_path, "address", seed=web_seed(), args=["--sign-in-address-limit", "6/60"])
    c = WebClient(srv.base_url)
    try:
        srv.advance_clock(60 - srv.now_ms() / 1000 % 60 + 0.5)
        csrf = csrf_of(c.page("/login"))
        assert [_guess(c, f"made-up-{i}", "x", csrf).status_code for i in range(6)] == [401] * 6
        r = _guess(c, "dana", "dana-pw", csrf)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 60
        assert "Too many failed attempts" in r.text
    finally:
        c.close()
        srv.close()
