"""App-secret guessing is throttled: after 10 wrong secrets for one app id from one client address in a minute, the
token endpoints answer that address 429 / 99991400 for the rest of that minute, counted in the database so that
concurrent guesses cannot pass the limit. Feishu's messages (which tell an unknown app id apart) stay; right secrets
do not count, and a client elsewhere that knows the secret is never held back by someone else's guesses."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from tests.conftest import start_server


@pytest.fixture
def guarded(backend: str, tmp_path: Path) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path, "secrets", backend)
    # The count is per clock minute: start at the beginning of one, so that the guesses all fall in it.
    now_s = srv.admin("GET", "clock")["now_ms"] / 1000
    srv.advance_clock(60 - now_s % 60 + 0.5)
    yield srv
    srv.close()


def token(srv: ShenpiProcess, app_id: str, secret: str, source: str = "127.0.0.1") -> httpx.Response:
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source)) as c:  # the client address: source
        return c.post(f"{srv.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                      json={"app_id": app_id, "app_secret": secret})


def test_ten_wrong_secrets_a_minute_then_429_for_the_rest_of_it(guarded):
    for _ in range(25):  # right secrets do not count against the guesses
        assert token(guarded, "cli_acme", "s3cret").json()["code"] == 0
    for _ in range(10):
        assert token(guarded, "cli_acme", "wrong").json() == {"code": 10014, "msg": "app secret invalid"}
    assert token(guarded, "cli_nope", "x").json() == {"code": 10014, "msg": "app id not exists"}
    for secret in ("wrong", "s3cret"):  # a right secret is not even compared: a guess learns nothing
        r = token(guarded, "cli_acme", secret)
        assert (r.status_code, r.json()["code"]) == (429, 99991400)
        assert 1 <= int(r.headers["x-ogw-ratelimit-reset"]) <= 60 and r.headers["x-tt-logid"]
    oauth = httpx.post(f"{guarded.base_url}/open-apis/authen/v2/oauth/token",
                       json={"grant_type": "client_credentials", "client_id": "cli_acme", "client_secret": "wrong"})
    assert (oauth.status_code, oauth.json()["code"]) == (429, 99991400)  # the same count, whichever endpoint
    assert token(guarded, "cli_acme_ro", "ro").json()["code"] == 0  # another app id is not held back
    guarded.advance_clock(60)
    assert token(guarded, "cli_acme", "s3cret").json()["code"] == 0


def test_concurrent_guesses_check_at_most_ten_secrets(guarded):
    async def guess_all() -> Counter[int]:
        async with httpx.AsyncClient(base_url=guarded.base_url, timeout=30) as c:
            answers = await asyncio.gather(*(c.post("/open-apis/auth/v3/tenant_access_token/internal",
                                                    json={"app_id": "cli_acme", "app_secret": f"guess-{i}"})
                                             for i in range(40)))
        return Counter(r.json()["code"] for r in answers)

    assert asyncio.run(guess_all()) == {10014: 10, 99991400: 30}


def test_a_right_secret_from_another_address_is_not_held_back_by_guesses(guarded):
    for _ in range(11):
        token(guarded, "cli_acme", "wrong", source="127.0.0.1")
    assert token(guarded, "cli_acme", "s3cret", source="127.0.0.1").status_code == 429
    for _ in range(30):  # the app itself, on another host, keeps getting its tokens at its usual pace
        assert token(guarded, "cli_acme", "s3cret", source="127.0.0.2").json()["code"] == 0
    for _ in range(10):  # and that host's own guesses have their own count
        assert token(guarded, "cli_acme", "wrong", source="127.0.0.2").json()["code"] == 10014
    assert token(guarded, "cli_acme", "s3cret", source="127.0.0.2").status_code == 429
