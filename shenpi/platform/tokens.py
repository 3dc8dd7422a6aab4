"""Access tokens as the Open Platform rules them: how long they live, when asking again gives a new one, which
prefix each kind carries, and which token an API accepts. Pure: issuing and looking tokens up is
shenpi/app/tokens.py.

A tenant_access_token or app_access_token lives two hours; asking for one again while the current one has more
than half an hour left answers that same token, and with less a new one (the old one stays valid until it ends).

Tenant and app tokens prove themselves: ``t-`` and 40 base32 characters (Feishu's shape and length) carrying the
token's kind, a tag of its app id, its expiry and a nonce, sealed by an HMAC keyed from the app's id, tenant and
secret. So any shenpi that knows the app (same id, tenant and secret) accepts the token until it expires, by its own
clock: lark-oapi keeps one tenant token per app id for the whole process, whichever server issued it, and a second
server (a fresh database, another backend) must take it. Changing the secret or moving the app to another tenant
invalidates every token it had. User tokens, refresh tokens and OAuth codes stay rows in the store: they stand for
a grant a person gave on one server.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

from shenpi.platform.errors import (
    BadTokenPrefix,
    InvalidAppToken,
    InvalidTenantToken,
    InvalidUserToken,
    NeedToken,
    PlatformError,
)

LIFETIME_S = 7200
RENEW_WITHIN_S = 30 * 60  # with less than this left, asking again gives a new token; the old one stays valid
# A new token lives this much beyond its lifetime, so that its remaining lifetime, rounded down when the answer is
# written a few ms after the token was stamped, still says the whole lifetime; under a second, so it never lives a
# whole second longer.
ANSWER_MARGIN_MS = 999
_PREFIX = {"user": "u-", "refresh": "ur-", "code": "", "tenant": "t-", "app": "t-"}


# kind (1 byte), app tag (4), expires_at ms (6), nonce (2), then the MAC (12): 25 bytes, 40 base32 characters.
_SIGNED_KINDS = {"tenant": 0x11, "app": 0x12}  # high nibble: the format's version
_KIND_OF_BYTE = {v: k for k, v in _SIGNED_KINDS.items()}
_BODY = struct.Struct(">B4s6s2s")
_MAC_BYTES = 12  # 96 bits: a forgery is one guess in 2**96, and every guess is a request that answers 99991663
_SIGNED_CHARS = 40


@dataclass(frozen=True, slots=True)
class SignedToken:
    """What a self-verifying token says about itself (its MAC not yet checked)."""

    kind: str
    app_tag: bytes
    expires_at: int  # ms, on the issuing server's clock
    body: bytes
    mac: bytes


def is_signed_kind(kind: str) -> bool:
    """Whether tokens of this kind prove themselves (tenant and app tokens) rather than live in the store."""
    return kind in _SIGNED_KINDS


def app_tag(app_id: str) -> bytes:
    """Four bytes that name the app in its tokens (the verifier finds the app's secret by them)."""
    return hashlib.sha256(b"shenpi app tag|" + app_id.encode()).digest()[:4]


def signing_key(app_id: str, tenant_key: str, app_secret: str) -> bytes:
    """The key an app's tokens are sealed with: from its secret, bound to its id and tenant."""
    info = f"shenpi access token v1|{app_id}|{tenant_key}".encode()
    return hmac.new(app_secret.encode(), info, hashlib.sha256).digest()


def seal(kind: str, app_id: str, expires_at_ms: int, key: bytes) -> str:
    """A new self-verifying token of ``kind`` (tenant or app) for the app, expiring at ``expires_at_ms``."""
    body = _BODY.pack(_SIGNED_KINDS[kind], app_tag(app_id), expires_at_ms.to_bytes(6, "big"), secrets.token_bytes(2))
    mac = hmac.new(key, body, hashlib.sha256).digest()[:_MAC_BYTES]
    return prefix(kind) + base64.b32encode(body + mac).decode()


def unseal(value: str) -> SignedToken | None:
    """Read a self-verifying token, or None when ``value`` is not one (then it may be a stored token)."""
    if len(value) != 2 + _SIGNED_CHARS or not value.startswith("t-"):
        return None
    try:
        raw = base64.b32decode(value[2:])
    except ValueError:
        return None
    body, mac = raw[:_BODY.size], raw[_BODY.size:]
    kind_byte, tag, expires, _nonce = _BODY.unpack(body)
    kind = _KIND_OF_BYTE.get(kind_byte)
    if kind is None:
        return None
    return SignedToken(kind, tag, int.from_bytes(expires, "big"), body, mac)


def sealed_by(token: SignedToken, key: bytes) -> bool:
    """Whether ``key`` sealed the token."""
    return hmac.compare_digest(hmac.new(key, token.body, hashlib.sha256).digest()[:_MAC_BYTES], token.mac)


def issued_at(expires_at_ms: int, lifetime_s: int = LIFETIME_S) -> int:
    """When a token that expires at ``expires_at_ms`` was stamped (the inverse of :func:`expires_at`)."""
    return expires_at_ms - lifetime_s * 1000 - ANSWER_MARGIN_MS


def prefix(kind: str) -> str:
    """What a new token of this kind starts with (authorization codes have no prefix)."""
    return _PREFIX.get(kind, "t-")


def expires_at(now_ms: int, lifetime_s: int) -> int:
    """When a token stamped at ``now_ms`` expires."""
    return now_ms + lifetime_s * 1000 + ANSWER_MARGIN_MS


def remaining_s(expires_at_ms: int, now_ms: int) -> int:
    """Whole seconds a token has left, rounded down: a client that trusts this number never holds a token the
    server already considers expired."""
    return max(0, (expires_at_ms - now_ms) // 1000)


def reusable(expires_at_ms: int, now_ms: int) -> bool:
    """Whether the current token is still answered when its owner asks for one again."""
    return expires_at_ms - now_ms >= RENEW_WITHIN_S * 1000


def bearer(authorization: str | None) -> str:
    """The token an ``Authorization`` header carries (``Bearer`` optional); raises when there is none or its
    prefix is not one the Open API takes (``t-`` or ``u-``)."""
    if not authorization:
        raise NeedToken()
    scheme, _, value = authorization.partition(" ")
    value = value.strip() if scheme.lower() == "bearer" else authorization.strip()
    if not value:
        raise NeedToken()
    if not value.startswith(("t-", "u-")):
        raise BadTokenPrefix()
    return value


def refusal(value: str, kind: str | None, expires_at_ms: int, now_ms: int, *, accept_user: bool,
            accept_tenant: bool, accept_app: bool) -> PlatformError | None:
    """The error an API that accepts the given token kinds answers for this token (``kind`` None: no such token),
    or None when the token opens it."""
    is_user = value.startswith("u-")
    if kind is None or expires_at_ms <= now_ms:
        return InvalidUserToken() if is_user else InvalidTenantToken()
    if kind == "app":  # an app_access_token opens only the APIs that ask for one
        return None if accept_app else InvalidTenantToken()
    if accept_app and not (accept_tenant or accept_user):
        return InvalidAppToken()
    if is_user and not accept_user:
        # A user token on an API that takes only tenant tokens is refused with 99991668 "user access token not
        # support".
        return InvalidUserToken("user access token not support")
    if not is_user and not accept_tenant:
        return InvalidTenantToken()
    return None
