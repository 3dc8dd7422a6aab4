"""Access tokens, user tokens and OAuth codes: issue them, check them, use a code once.

Tenant and app tokens prove themselves (an HMAC keyed from the app's secret, shenpi/platform/tokens.py), so every
worker, a restarted server and any other shenpi that knows the app accepts them; the store keeps the app's latest
one only so that asking again answers it (the 30-minute renewal rule). User tokens, refresh tokens and OAuth codes
live in the store, shared by every worker. A per-process cache keeps checking off the hot path: a token's owner and
expiry never change once issued, and a cached tenant or app token is rechecked only when its app's row changed.
The rules (lifetime, renewal, prefixes, which token an API takes) are shenpi/platform/tokens.py.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from shenpi import ids
from shenpi.app.context import Context
from shenpi.app.ratelimits import Attempts
from shenpi.platform import tokens as rules
from shenpi.platform.errors import RateLimited
from shenpi.store.records import App, Token

# Wrong app secrets one client address may send for one app id per minute; then that address's every call with
# the app id answers 429 for the rest of the minute (the secret is not even compared, or a guess would still be told
# right or wrong). Counted per address, not per app id alone: a count any client could fill would let anyone who
# knows an app id (no secret) lock the app out; this way an app that knows its secret is only held to Feishu's token
# limits, whoever guesses elsewhere. Right secrets do not count.
SECRET_GUESSES_PER_MIN = 10
# A token naming an app tag this process does not know makes it list the apps again, at most this often (a new app
# saved by another process is found; a stream of forged tokens costs one query a second, not one each).
TAG_RELOAD_S = 1.0
# Verified tokens kept in this process; past it the cache starts again (a token is re-verified in microseconds).
CACHE_LIMIT = 100_000


def guess_source(address: str) -> str:
    """Whose guesses count together: an IPv4 address, or an IPv6 /64 (one host may hold a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _sealed_with(value: str, key: bytes) -> bool:
    sealed = rules.unseal(value)
    return sealed is not None and rules.sealed_by(sealed, key)


class Tokens:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        # token → (the token, the app row it was verified against; None for a stored token)
        self._cache: dict[str, tuple[Token, App | None]] = {}
        self._apps_by_tag: dict[bytes, list[App]] = {}
        self._tags_loaded_at = -TAG_RELOAD_S
        self._attempts = Attempts(ctx.clock.now_s, ctx.store)

    async def app_for_secret(self, app_id: str, secret: object, address: str = "") -> App | str:
        """The app if ``secret`` is its secret, else Feishu's message: ``app id not exists`` (Feishu tells an unknown
        app id apart) or ``app secret invalid``. RateLimited once ``address`` (the client's; see guess_source) sent
        too many wrong secrets for the app id this minute."""
        app = await self._ctx.registry.app(app_id)
        if app is None:
            return "app id not exists"
        taken = await self._attempts.take([(f"secret|{app_id}|{guess_source(address)}", SECRET_GUESSES_PER_MIN, 60)])
        if taken.wait_s:
            raise RateLimited(headers={"x-ogw-ratelimit-limit": str(SECRET_GUESSES_PER_MIN),
                                       "x-ogw-ratelimit-reset": str(taken.wait_s), "Retry-After": str(taken.wait_s)})
        if not isinstance(secret, str) or not hmac.compare_digest(secret.encode(), app.app_secret.encode()):
            return "app secret invalid"
        await self._attempts.give_back(taken)
        return app

    async def issue(self, app: App, kind: str, user_id: str = "", *, lifetime_s: int = rules.LIFETIME_S,
                    reuse: bool = True) -> Token:
        """The app's current token of this kind, or a new one once the current has < 30 minutes left
        (``reuse=False``: always a new one, as for user tokens, refresh tokens and OAuth codes)."""
        now = self._ctx.clock.now_ms()
        async with self._ctx.store.transaction() as tx:
            current = await tx.latest_token(app.app_id, kind, user_id)
            key = rules.signing_key(app.app_id, app.tenant_key, app.app_secret) if rules.is_signed_kind(kind) else b""
            if reuse and current is not None and rules.reusable(current.expires_at, now) and (
                    not key or _sealed_with(current.token, key)):  # not one sealed before the secret changed
                return current
            expires_at = rules.expires_at(now, lifetime_s)
            if key:
                value = rules.seal(kind, app.app_id, expires_at, key)
            else:
                value = ids.access_token(rules.prefix(kind))
            token = Token(token=value, kind=kind, app_id=app.app_id, tenant_key=app.tenant_key, expires_at=expires_at,
                          created_at=now, user_id=user_id)
            await tx.insert_token(token)
        self._remember(token, app if key else None)
        return token

    def remaining_s(self, token: Token) -> int:
        """Whole seconds the token has left, rounded down (what ``expire`` / ``expires_in`` answer)."""
        return rules.remaining_s(token.expires_at, self._ctx.clock.now_ms())

    async def authenticate(self, authorization: str | None, *, accept_user: bool = False,
                           accept_tenant: bool = True, accept_app: bool = False) -> Token:
        """Check an ``Authorization: Bearer`` header and return the token it carries."""
        value = rules.bearer(authorization)
        token = await self._known(value)
        error = rules.refusal(value, token.kind if token else None, token.expires_at if token else 0,
                              self._ctx.clock.now_ms(), accept_user=accept_user, accept_tenant=accept_tenant,
                              accept_app=accept_app)
        if error is not None:
            raise error
        assert token is not None  # refusal answers an error for a missing token
        return token

    async def _known(self, value: str) -> Token | None:
        """The token ``value`` is, whether or not it is still live: from the cache, by its seal, or from the store."""
        cached = self._cache.get(value)
        if cached is not None:
            token, verified_with = cached
            # A stored token never changes; a sealed one holds while its app's row is the one it was checked against
            # (the registry hands out the same object until an app changes).
            if verified_with is None or await self._ctx.registry.app(token.app_id) is verified_with:
                return token
            # Other requests for this token wait on the same registry read and may have dropped it already.
            self._cache.pop(value, None)
        sealed = rules.unseal(value)
        if sealed is not None:
            verified = await self._verify(value, sealed)
            if verified is not None:
                return verified
            # This process's view of the apps may lag another process's commits (another worker seeded or changed
            # the app a moment ago): check the seal once more against the app's row as the store has it now.
            async with self._ctx.store.transaction() as tx:
                stored = await tx.get_token(value)
                app = await tx.get_app(stored.app_id) if stored is not None else None
            if stored is None or app is None:
                return None
            if not rules.sealed_by(sealed, rules.signing_key(app.app_id, app.tenant_key, app.app_secret)):
                return None
            return stored
        async with self._ctx.store.transaction() as tx:  # a user token, or a tenant token issued before seals
            stored = await tx.get_token(value)
        if stored is not None:
            self._remember(stored, None)
        return stored

    async def _verify(self, value: str, sealed: rules.SignedToken) -> Token | None:
        for candidate in await self._apps_tagged(sealed.app_tag):
            app = await self._ctx.registry.app(candidate.app_id)  # the registry's row: the one later checks compare
            if app is None:
                continue
            if rules.sealed_by(sealed, rules.signing_key(app.app_id, app.tenant_key, app.app_secret)):
                token = Token(token=value, kind=sealed.kind, app_id=app.app_id, tenant_key=app.tenant_key,
                              expires_at=sealed.expires_at, created_at=rules.issued_at(sealed.expires_at))
                self._remember(token, app)
                return token
        return None

    async def _apps_tagged(self, tag: bytes) -> list[App]:
        apps = self._apps_by_tag.get(tag)
        if apps is None and time.monotonic() - self._tags_loaded_at >= TAG_RELOAD_S:
            self._tags_loaded_at = time.monotonic()
            async with self._ctx.store.transaction() as tx:
                listed = await tx.list_apps()
            self._apps_by_tag = {}
            for app in listed:
                self._apps_by_tag.setdefault(rules.app_tag(app.app_id), []).append(app)
            apps = self._apps_by_tag.get(tag)
        return apps or []

    def _remember(self, token: Token, verified_with: App | None) -> None:
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[token.token] = (token, verified_with)

    async def lookup(self, value: str, kind: str) -> Token | None:
        """A live token of the given kind (authorization codes, refresh tokens), or None."""
        token = await self._live(value, kind, use_up=False)
        return token if isinstance(token, Token) else None

    async def consume(self, value: str, kind: str) -> Token | None:
        """Like lookup, but the token can be used only once (authorization codes, refresh tokens)."""
        token = await self.redeem(value, kind)
        return token if isinstance(token, Token) else None

    async def redeem(self, value: str, kind: str) -> Token | str:
        """Use a once-only token (an authorization code, a refresh token), or say why not: ``"expired"`` for a
        token of this kind past its time, ``"unknown"`` otherwise (never issued, of another kind, or used: a used
        token is gone)."""
        return await self._live(value, kind, use_up=True)

    async def _live(self, value: str, kind: str, *, use_up: bool) -> Token | str:
        async with self._ctx.store.transaction() as tx:
            token = await tx.get_token(value)
            if token is None or token.kind != kind:
                return "unknown"
            if token.expires_at <= self._ctx.clock.now_ms():
                return "expired"
            if use_up:  # in the transaction that read it: two requests racing with one code cannot both use it
                await tx.delete_token(value)
        return token

    def forget(self) -> None:
        """Drop the caches (after a restore replaced the tokens table's rows, or the apps)."""
        self._cache.clear()
        self._apps_by_tag.clear()
        self._tags_loaded_at = -TAG_RELOAD_S
