"""Access tokens: issue, renew and check them.

A token lives 7200 s; asking again returns the same token until fewer than 30 minutes are left, then a new one (the
old one stays valid to its end), as Feishu does. Tokens live in the store, so they survive a restart and are shared
by every worker; a process-local cache keeps the lookup off the hot path (a token's owner and expiry never change once
issued)."""

from __future__ import annotations

from shenpi import ids
from shenpi.clock import Clock
from shenpi.platform.errors import BadTokenPrefix, InvalidAppToken, InvalidTenantToken, InvalidUserToken, NeedToken
from shenpi.store.base import Store
from shenpi.store.records import App, Token

LIFETIME_S = 7200
RENEW_WITHIN_S = 30 * 60  # with less than this left, asking again gives a new token; the old one stays valid
# A new token lives this much beyond its lifetime, so that ``expire``, rounded down when the answer is written a few
# ms after the token was stamped, still says the whole lifetime; under a second, so it never lives a second longer.
_ANSWER_MARGIN_MS = 999
_PREFIX = {"user": "u-", "refresh": "ur-", "code": "", "tenant": "t-", "app": "t-"}


class TokenService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._cache: dict[str, Token] = {}

    async def issue(self, app: App, kind: str, user_id: str = "", *, lifetime_s: int = LIFETIME_S,
                    reuse: bool = True) -> Token:
        """The app's current token of this kind, or a new one once the current has < 30 minutes left."""
        now = self._clock.now_ms()
        async with self._store.transaction() as tx:
            current = await tx.latest_token(app.app_id, kind, user_id)
            if reuse and current is not None and current.expires_at - now >= RENEW_WITHIN_S * 1000:
                return current
            token = Token(
                token=ids.access_token(_PREFIX.get(kind, "t-")),
                kind=kind,
                app_id=app.app_id,
                tenant_key=app.tenant_key,
                expires_at=now + lifetime_s * 1000 + _ANSWER_MARGIN_MS,
                created_at=now,
                user_id=user_id,
            )
            await tx.insert_token(token)
        self._cache[token.token] = token
        return token

    def remaining_s(self, token: Token) -> int:
        # Rounded down: a client that trusts ``expire`` must never hold a token the server already considers expired.
        # A new token still says its whole lifetime (7200 s, as Feishu's do) because ``issue`` gives it 999 ms
        # on top, which covers the few ms between stamping it and answering.
        return max(0, (token.expires_at - self._clock.now_ms()) // 1000)

    async def authenticate(self, authorization: str | None, *, accept_user: bool = False,
                           accept_tenant: bool = True, accept_app: bool = False) -> Token:
        """Check an ``Authorization: Bearer`` header and return the token it carries."""
        if not authorization:
            raise NeedToken()
        scheme, _, value = authorization.partition(" ")
        value = value.strip() if scheme.lower() == "bearer" else authorization.strip()
        if not value:
            raise NeedToken()
        if not value.startswith(("t-", "u-")):
            raise BadTokenPrefix()
        token = self._cache.get(value)
        if token is None:
            async with self._store.transaction() as tx:
                token = await tx.get_token(value)
            if token is not None:
                self._cache[value] = token
        is_user = value.startswith("u-")
        if token is None or token.expires_at <= self._clock.now_ms():
            raise InvalidUserToken() if is_user else InvalidTenantToken()
        if token.kind == "app":  # an app_access_token opens only the APIs that ask for one
            if accept_app:
                return token
            raise InvalidTenantToken()
        if accept_app and not (accept_tenant or accept_user):
            raise InvalidAppToken()
        if is_user and not accept_user:
            # Feishu answers a user token on a tenant-only API with 99991668 "user access token not support".
            raise InvalidUserToken("user access token not support")
        if not is_user and not accept_tenant:
            raise InvalidTenantToken()
        return token

    async def lookup(self, value: str, kind: str) -> Token | None:
        """A live token of the given kind (authorization codes, refresh tokens), or None."""
        async with self._store.transaction() as tx:
            token = await tx.get_token(value)
        if token is None or token.kind != kind or token.expires_at <= self._clock.now_ms():
            return None
        return token

    async def consume(self, value: str, kind: str) -> Token | None:
        """Like lookup, but the token can be used only once (authorization codes, refresh tokens)."""
        async with self._store.transaction() as tx:
            token = await tx.get_token(value)
            if token is None or token.kind != kind or token.expires_at <= self._clock.now_ms():
                return None
            await tx.delete_token(value)
        return token

    def forget(self) -> None:
        self._cache.clear()
