"""Tenants, apps and the directory (users, departments, passwords), cached per process (shenpi/app/registry.py);
and the web inbox's sign-in: password checks and server-side sessions.

Sessions are rows of the ``tokens`` table (kind ``web``), so they survive restarts, are shared by every worker and
end for real at sign-out. The browser holds a random secret; the table holds only its SHA-256 (``ws-`` + hex), so
a copy of the database does not hand out live sessions, and the ``ws-`` prefix never passes the Open API's bearer
check (which takes ``t-``/``u-`` tokens only).
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import secrets
from dataclasses import dataclass

from shenpi.app.context import Context
from shenpi.app.ratelimits import Attempts, SignInLimits, Throttled
from shenpi.engine.directory import Directory, User
from shenpi.platform.passwords import dummy_hash, hash_password, password_needs_rehash, verify_password
from shenpi.store.records import App, Tenant, Token

SESSION_LIFETIME_S = 7 * 24 * 3600  # a work week and a weekend: people sign in on Monday, not every morning
SESSION_KIND = "web"


@dataclass(frozen=True, slots=True)
class WebSession:
    """A live web session: who signed in, in which tenant, and whether they administer it."""

    tenant_key: str
    user_id: str
    tenant_name: str
    is_admin: bool


def _session_token(secret: str) -> str:
    return "ws-" + hashlib.sha256(secret.encode()).hexdigest()


class People:
    def __init__(self, ctx: Context, sign_in_limits: SignInLimits | None = None) -> None:
        self._ctx = ctx
        self.sign_in_limits = sign_in_limits or SignInLimits()
        self._attempts = Attempts(ctx.clock.now_s, ctx.store)

    # -- tenants, apps, the directory -----------------------------------------------------------
    async def directory(self, tenant_key: str) -> Directory:
        return await self._ctx.registry.directory(tenant_key)

    async def app(self, app_id: str) -> App | None:
        """The app as cached in this process (the request path's lookup)."""
        return await self._ctx.registry.app(app_id)

    async def tenant(self, tenant_key: str) -> Tenant | None:
        return await self._ctx.registry.tenant(tenant_key)

    async def tenants(self) -> list[Tenant]:
        async with self._ctx.store.transaction() as tx:
            return await tx.list_tenants()

    async def apps(self, tenant_key: str | None = None) -> list[App]:
        """The apps of a tenant, or of every tenant, read fresh."""
        async with self._ctx.store.transaction() as tx:
            return await tx.list_apps(tenant_key)

    async def fresh_app(self, app_id: str) -> App | None:
        """The app as stored now, not as cached (its event URL, token and key may have just changed)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.get_app(app_id)

    async def apps_with_subscriptions(self, tenant_key: str) -> list[tuple[App, list[str]]]:
        """The tenant's apps, each with the approval codes whose events it subscribed to."""
        async with self._ctx.store.transaction() as tx:
            found = await tx.list_apps(tenant_key)
            subscribed: dict[str, list[str]] = {}
            for d in await tx.list_definitions(tenant_key):
                for app_id in await tx.subscribers(d.code):
                    subscribed.setdefault(app_id, []).append(d.code)
        return [(a, subscribed.get(a.app_id, [])) for a in found]

    async def set_app_events(self, app_id: str, *, event_url: str | None = None,
                             verification_token: str | None = None, encrypt_key: str | None = None,
                             event_mode: str | None = None) -> App | None:
        """Change an app's event configuration (None leaves a setting as it is); None when there is no such app."""
        async with self._ctx.store.transaction() as tx:
            current = await tx.get_app(app_id)
            if current is None:
                return None
            updated = dataclasses.replace(
                current,
                event_url=current.event_url if event_url is None else event_url,
                verification_token=current.verification_token if verification_token is None else verification_token,
                encrypt_key=current.encrypt_key if encrypt_key is None else encrypt_key,
                event_mode=current.event_mode if event_mode is None else event_mode,
            )
            await tx.upsert_app(updated)
        self._ctx.registry.invalidate()
        return updated

    async def is_tenant_admin(self, tenant_key: str, user_id: str) -> bool:
        """Whether the user is an admin (``admin_user_ids`` in the seed) of any app of the tenant."""
        return any(user_id in a.admin_user_ids for a in await self.apps(tenant_key))

    # -- passwords --------------------------------------------------------------------------------
    async def check_password(self, tenant_key: str, user_id: str, password: str) -> User | None:
        """The user, when the password is theirs; None otherwise, after the same work either way, so the answer's
        timing does not tell who exists. A hash made with older parameters is redone now that the password is
        known to be right."""
        user = (await self.directory(tenant_key)).user(user_id) if tenant_key and user_id else None
        stored = ""
        if user is not None:
            async with self._ctx.store.transaction() as tx:
                stored = await tx.password_hash(tenant_key, user_id)
        # argon2 takes tens of milliseconds of CPU: off the event loop, so the Open API keeps answering meanwhile.
        ok = await asyncio.to_thread(verify_password, password, stored or dummy_hash()) and bool(stored)
        if not ok or user is None or not user.is_active:  # a frozen, resigned or unactivated user cannot sign in
            return None
        if password_needs_rehash(stored):
            fresh = await asyncio.to_thread(hash_password, password)
            async with self._ctx.store.transaction() as tx:
                await tx.upsert_user(tenant_key, user, fresh)
        return user

    async def sign_in(self, tenant_key: str, user_id: str, password: str, address: str) -> User | None:
        """check_password, throttled per account and per client address in the database (every worker sees one
        count). The attempt is counted before the password is checked, so concurrent guesses cannot pass the limit;
        a right password gives its slot back. Throttled (with the seconds to wait) once a window is full; made-up
        user names count like real ones, so they neither clear a count nor tell who exists."""
        limits = [(bucket, calls, window) for bucket, (calls, window) in (
            (f"signin|{tenant_key}|{user_id}", self.sign_in_limits.per_account),
            (f"signin-from|{address}", self.sign_in_limits.per_address)) if calls > 0]
        taken = await self._attempts.take(limits)
        if taken.wait_s:
            raise Throttled(taken.wait_s)
        user = await self.check_password(tenant_key, user_id, password)
        if user is not None:
            await self._attempts.give_back(taken)
        return user

    async def set_password(self, tenant_key: str, user_id: str, password: str) -> bool:
        """Set a directory user's web password; False when the tenant has no such user."""
        user = (await self.directory(tenant_key)).user(user_id)
        if user is None:
            return False
        hashed = await asyncio.to_thread(hash_password, password)
        async with self._ctx.store.transaction() as tx:
            await tx.upsert_user(tenant_key, user, hashed)  # the user as the directory has it: only the hash changes
        return True

    # -- web sessions -----------------------------------------------------------------------------
    async def start_session(self, tenant_key: str, user_id: str) -> str:
        """Open a session for the user; the answer is its secret, for the browser's cookie."""
        secret = secrets.token_urlsafe(32)
        now = self._ctx.clock.now_ms()
        async with self._ctx.store.transaction() as tx:
            await tx.insert_token(Token(token=_session_token(secret), kind=SESSION_KIND, app_id="",
                                        tenant_key=tenant_key, expires_at=now + SESSION_LIFETIME_S * 1000,
                                        created_at=now, user_id=user_id))
        return secret

    async def session(self, secret: str) -> WebSession | None:
        """The live session a secret opens, or None (unknown, ended, expired, or its tenant is gone)."""
        async with self._ctx.store.transaction() as tx:
            token = await tx.get_token(_session_token(secret))
            if token is None or token.kind != SESSION_KIND or token.expires_at <= self._ctx.clock.now_ms():
                return None
            tenant = await tx.get_tenant(token.tenant_key)
            apps = await tx.list_apps(token.tenant_key)
        if tenant is None:
            return None
        user = (await self.directory(token.tenant_key)).user(token.user_id)
        if user is None or not user.is_active:  # left or was suspended since signing in
            return None
        return WebSession(token.tenant_key, token.user_id, tenant.name,
                          any(token.user_id in a.admin_user_ids for a in apps))

    async def end_session(self, secret: str) -> None:
        async with self._ctx.store.transaction() as tx:
            await tx.delete_token(_session_token(secret))
