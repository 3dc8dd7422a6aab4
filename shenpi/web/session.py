"""Who is asking: sign-in sessions, CSRF tokens and the viewer a page is rendered for.

Sessions are server-side rows in the store's ``tokens`` table (kind ``web``), so they survive restarts, are shared
by every worker and end for real at logout. The cookie holds a random secret; the table holds only its SHA-256
(``ws-`` + hex), so a copy of the database does not hand out live sessions, and the ``ws-`` prefix can never pass
the Open API's bearer check (which takes ``t-``/``u-`` tokens only).

CSRF: a signed-in form carries HMAC(session secret, "csrf") — a value only pages of this origin can read. Forms
shown before sign-in (the login page, the demo user switcher) use a double-submit cookie. Every POST must also pass
an origin check (``Origin`` / ``Sec-Fetch-Site``) when the browser sends those headers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Protocol, cast

from starlette.requests import Request
from starlette.responses import Response

from shenpi.app import Shenpi
from shenpi.engine.directory import Directory, User
from shenpi.store.base import Tx
from shenpi.store.queries import QueryMixin
from shenpi.store.records import Token

SESSION_COOKIE = "shenpi_session"
CSRF_COOKIE = "shenpi_csrf"
LANG_COOKIE = "shenpi_lang"
SESSION_LIFETIME_S = 7 * 24 * 3600  # a work week and a weekend: people sign in on Monday, not every morning
SESSION_KIND = "web"


class _PasswordTx(Protocol):
    async def password_hash(self, tenant_key: str, user_id: str) -> str: ...


def queries(tx: Tx) -> QueryMixin:
    """The store transaction as the shared-SQL mixin both backends inherit (the web's own reads live there)."""
    if not isinstance(tx, QueryMixin):
        raise TypeError(f"{type(tx).__name__} does not provide the shared queries")
    return tx


async def password_hash(tx: Tx, tenant_key: str, user_id: str) -> str:
    """The stored password hash ("" when the user has none); every backend's transaction has it."""
    return await cast(_PasswordTx, tx).password_hash(tenant_key, user_id)


def _db_token(secret: str) -> str:
    return "ws-" + hashlib.sha256(secret.encode()).hexdigest()


def _is_secure(request: Request) -> bool:
    return request.url.scheme == "https"


@dataclass(slots=True)
class Viewer:
    """The signed-in person a page is rendered for."""

    tenant_key: str
    user: User
    directory: Directory
    is_admin: bool
    tenant_name: str
    session_secret: str = field(repr=False, default="")

    @property
    def user_id(self) -> str:
        return self.user.user_id

    def name(self, user_id: str) -> str:
        """A user's display name; ids of users gone from the directory show as themselves."""
        u = self.directory.user(user_id) or self.directory.resolve(user_id, "open_id")
        return u.name if u is not None else user_id

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.session_secret.encode(), b"shenpi-csrf", hashlib.sha256).hexdigest()


async def is_tenant_admin(svc: Shenpi, tenant_key: str, user_id: str) -> bool:
    """App-level admins from the seed file (``App.admin_user_ids``) of any app of the tenant."""
    async with svc.store.transaction() as tx:
        apps = await tx.list_apps(tenant_key)
    return any(user_id in a.admin_user_ids for a in apps)


async def load_viewer(svc: Shenpi, request: Request) -> Viewer | None:
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret or len(secret) > 200:
        return None
    async with svc.store.transaction() as tx:
        token = await tx.get_token(_db_token(secret))
        if token is None or token.kind != SESSION_KIND or token.expires_at <= svc.clock.now_ms():
            return None
        tenant = await tx.get_tenant(token.tenant_key)
        apps = await tx.list_apps(token.tenant_key)
    directory = await svc.directory(token.tenant_key)
    user = directory.user(token.user_id)
    if user is None or tenant is None:  # removed from the directory since signing in
        return None
    return Viewer(token.tenant_key, user, directory, any(user.user_id in a.admin_user_ids for a in apps),
                  tenant.name, secret)


async def start_session(svc: Shenpi, response: Response, request: Request, tenant_key: str, user_id: str) -> None:
    secret = secrets.token_urlsafe(32)
    now = svc.clock.now_ms()
    async with svc.store.transaction() as tx:
        await tx.insert_token(Token(token=_db_token(secret), kind=SESSION_KIND, app_id="", tenant_key=tenant_key,
                                    expires_at=now + SESSION_LIFETIME_S * 1000, created_at=now, user_id=user_id))
    response.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_LIFETIME_S, path="/", httponly=True,
                        samesite="lax", secure=_is_secure(request))


async def end_session(svc: Shenpi, response: Response, request: Request, *,
                      clear_cookie: bool = True) -> None:
    secret = request.cookies.get(SESSION_COOKIE, "")
    if secret:
        async with svc.store.transaction() as tx:
            await tx.delete_token(_db_token(secret))
    if clear_cookie:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                               secure=_is_secure(request))


def anonymous_csrf(request: Request) -> tuple[str, bool]:
    """The double-submit token for forms shown before sign-in, and whether the cookie must be (re)set."""
    current = request.cookies.get(CSRF_COOKIE, "")
    if 20 <= len(current) <= 100:
        return current, False
    return secrets.token_urlsafe(24), True


def set_anonymous_csrf(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, max_age=24 * 3600, path="/", httponly=True, samesite="strict",
                        secure=_is_secure(request))


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site. Only the host is compared, so a
    TLS-terminating proxy in front (https outside, http here) does not break every form."""
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        return False
    origin = request.headers.get("origin", "")
    if origin and origin != "null":
        host = origin.split("://", 1)[-1]
        return host == request.headers.get("host", "")
    return origin != "null"


def csrf_ok(request: Request, posted: str, viewer: Viewer | None) -> bool:
    if not same_origin(request) or not posted:
        return False
    if viewer is not None:
        return hmac.compare_digest(posted, viewer.csrf_token)
    cookie = request.cookies.get(CSRF_COOKIE, "")
    return bool(cookie) and hmac.compare_digest(posted, cookie)
