"""Access tokens, user tokens and OAuth codes: issue them, check them, use a code once.

Tokens live in the store, so they survive a restart and are shared by every worker; a per-process cache keeps the
lookup off the hot path (a token's owner and expiry never change once issued). The rules (lifetime, renewal,
prefixes, which token an API takes) are shenpi/platform/tokens.py.
"""

from __future__ import annotations

from shenpi import ids
from shenpi.app.context import Context
from shenpi.platform import tokens as rules
from shenpi.store.records import App, Token


class Tokens:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._cache: dict[str, Token] = {}

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
        return await self._live(value, kind, use_up=False)

    async def consume(self, value: str, kind: str) -> Token | None:
        """Like lookup, but the token can be used only once (authorization codes, refresh tokens)."""
        return await self._live(value, kind, use_up=True)

    async def _live(self, value: str, kind: str, *, use_up: bool) -> Token | None:
        async with self._ctx.store.transaction() as tx:
            token = await tx.get_token(value)
            if token is None or token.kind != kind or token.expires_at <= self._ctx.clock.now_ms():
                return None
            if use_up:  # in the transaction that read it: two requests racing with one code cannot both use it
                await tx.delete_token(value)
        return token

    def forget(self) -> None:
        """Drop the cache (after a restore replaced the tokens table's rows)."""
        self._cache.clear()
