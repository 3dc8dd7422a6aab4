"""Feishu's ``url_verification`` handshake: an app's event URL must echo a challenge before events go there."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx

from shenpi.events.crypto import dumps
from shenpi.events.delivery import _wall_ms, build_request
from shenpi.events.posting import HttpxPoster
from shenpi.store.records import App

CHALLENGE_TIMEOUT_S = 1.0  # the URL check must be answered within 1 s


class UrlVerificationError(Exception):
    pass


def challenge_body(challenge: str, verification_token: str) -> bytes:
    """The plaintext of Feishu's handshake (encrypted like any event when the app has a key)."""
    return dumps({"challenge": challenge, "token": verification_token, "type": "url_verification"})


async def verify_url(
    url: str,
    *,
    verification_token: str,
    encrypt_key: str = "",
    client: httpx.AsyncClient | None = None,
    timeout_s: float = CHALLENGE_TIMEOUT_S,
    now_ms: Callable[[], int] = _wall_ms,
) -> str:
    """Send Feishu's ``url_verification`` handshake and check the echoed challenge; returns the challenge.

    Raises :class:`UrlVerificationError` when the URL does not answer 200 ``{"challenge": ...}`` in time.
    """
    challenge = str(uuid.uuid4())
    app = App(app_id="", tenant_key="", app_secret="", verification_token=verification_token, encrypt_key=encrypt_key)
    headers, body = build_request(app, challenge_body(challenge, verification_token), now_ms())
    poster = HttpxPoster(httpx.AsyncClient(), owned=True) if client is None else HttpxPoster(client)
    try:
        status, answer = await poster(url, headers, body, timeout_s)
    except Exception as e:  # timeout, refused, bad URL: all mean the handshake was not answered
        raise UrlVerificationError(f"Challenge code 没有返回: {type(e).__name__}: {e}") from e
    finally:
        await poster.aclose()
    if status != 200:
        raise UrlVerificationError(f"Challenge code 没有返回: HTTP {status}")
    try:
        echoed = json.loads(answer).get("challenge")
    except (ValueError, AttributeError) as e:
        raise UrlVerificationError("Challenge code 没有返回: the reply is not a JSON object") from e
    if echoed != challenge:
        raise UrlVerificationError("Challenge code 没有返回: the reply carries another challenge")
    return challenge
