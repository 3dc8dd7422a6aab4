"""delivery: the url_verification handshake, answered by lark-oapi's handler, plain and encrypted."""

from __future__ import annotations

import httpx
import pytest

from shenpi.events.handshake import UrlVerificationError, verify_url
from tests.events.helpers import app, lark_handler, run
from tests.events.receiver import Received, Receiver


async def check(receiver_key: str, receiver_token: str, *, encrypt_key: str, token: str,
                behaviour: str = "ok", timeout_s: float = 1.0) -> tuple[str, Receiver]:
    creds = app(receiver_key)
    creds.verification_token = receiver_token
    handler = lark_handler(creds, [])

    def act(n: int, rec: Received) -> str:
        return behaviour

    async with Receiver(handler, act) as rx, httpx.AsyncClient() as client:
        challenge = await verify_url(rx.url, verification_token=token, encrypt_key=encrypt_key, client=client,
                                     timeout_s=timeout_s)
    return challenge, rx


@pytest.mark.parametrize("key", ["test_encrypt_key_123", ""], ids=["encrypted", "plain"])
def test_handshake_succeeds(key: str) -> None:
    challenge, rx = run(check(key, "vt", encrypt_key=key, token="vt"))
    (r,) = rx.requests
    p = r.plaintext(key)
    assert p == {"challenge": challenge, "token": "vt", "type": "url_verification"}
    assert r.body.startswith(b'{"encrypt":') == bool(key)


def test_wrong_token_fails() -> None:
    with pytest.raises(UrlVerificationError, match="HTTP 500"):
        run(check("", "vt", encrypt_key="", token="other"))


def test_unanswered_handshake_fails_within_the_timeout() -> None:
    with pytest.raises(UrlVerificationError, match="TimeoutError"):
        run(check("", "vt", encrypt_key="", token="vt", behaviour="hang", timeout_s=0.2))


def test_wrong_challenge_fails() -> None:
    async def go() -> None:
        # an endpoint that answers 200 with some other challenge
        transport = httpx.MockTransport(lambda req: httpx.Response(200, json={"challenge": "nope"}))
        async with httpx.AsyncClient(transport=transport) as fake:
            await verify_url("http://127.0.0.1:9/hook", verification_token="vt", client=fake)

    with pytest.raises(UrlVerificationError, match="another challenge"):
        run(go())
