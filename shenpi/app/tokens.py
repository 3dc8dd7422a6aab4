"""Access tokens, user tokens and OAuth codes: issue them, check them, use a code once.

Tokens live in the store, so they survive a restart and are shared by every worker; a per-process cache keeps the
lookup off the hot path (a token's owner and expiry never change once issued). The rules (lifetime, renewal,
prefixes, which token an API takes) are shenpi/platform/tokens.py.
"""

from __future__ import annotations

import hmac
import ipaddress

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


class Tokens:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._cache: dict[str, Token] = {}
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
            if reuse and current is not None and rules.reusable(current.expires_at, now):
                return current
            token = Token(token=ids.access_token(rules.prefix(kind)), kind=kind, app_id=app.app_id,
                          tenant_key=app.tenant_key, expires_at=rules.expires_at(now, lifetime_s), created_at=now,
                          user_id=user_id)
            await tx.insert_token(token)
        self._cache[token.token] = token
        return token

    def remaining_s(self, token: Token) -> int:
        """Whole seconds the token has left, rounded down (what ``expire`` / ``expires_in`` answer)."""
        return rules.remaining_s(token.expires_at, self._ctx.clock.now_ms())

    async def authenticate(self, authorization: str | None, *, accept_user: bool = False,
                           accept_tenant: bool = True, accept_app: bool = False) -> Token:
        """Check an ``Authorization: Bearer`` header and return the token it carries."""
        value = rules.bearer(authorization)
        token = self._cache.get(value)
        if token is None:
            async with self._ctx.store.transaction() as tx:
                token = await tx.get_token(value)
            if token is not None:
                self._cache[value] = token
        error = rules.refusal(value, token.kind if token else None, token.expires_at if token else 0,
                              self._ctx.clock.now_ms(), accept_user=accept_user, accept_tenant=accept_tenant,
                              accept_app=accept_app)
        if error is not None:
            raise error
        assert token is not None  # refusal answers an error for a missing token
        return token

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
        """Drop the cache (after a restore replaced the tokens table's rows)."""
        self._cache.clear()
