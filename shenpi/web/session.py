"""Who is asking: sign-in session cookies, CSRF tokens and the viewer a page is rendered for.

Sessions are server-side (``svc.people`` keeps them, see shenpi/app/people.py); the cookie holds only the
session's random secret.

CSRF: a signed-in form carries HMAC(session secret, "csrf") — a value only pages of this origin can read. Forms
shown before sign-in (the login page, the demo user switcher) use a double-submit cookie. Every POST must also pass
an origin check (``Origin`` / ``Sec-Fetch-Site``) when the browser sends those headers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from shenpi.app import Shenpi
from shenpi.app.people import SESSION_LIFETIME_S
from shenpi.engine.directory import Directory, User

SESSION_COOKIE = "shenpi_session"
CSRF_COOKIE = "shenpi_csrf"
LANG_COOKIE = "shenpi_lang"


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


async def load_viewer(svc: Shenpi, request: Request) -> Viewer | None:
    secret = request.cookies.get(SESSION_COOKIE, "")
    if not secret or len(secret) > 200:
        return None
    session = await svc.people.session(secret)
    if session is None:
        return None
    directory = await svc.people.directory(session.tenant_key)
    user = directory.user(session.user_id)
    if user is None:  # removed from the directory since signing in
        return None
    return Viewer(session.tenant_key, user, directory, session.is_admin, session.tenant_name, secret)


async def start_session(svc: Shenpi, response: Response, request: Request, tenant_key: str, user_id: str) -> None:
    secret = await svc.people.start_session(tenant_key, user_id)
    response.set_cookie(SESSION_COOKIE, secret, max_age=SESSION_LIFETIME_S, path="/", httponly=True,
                        samesite="lax", secure=_is_secure(request))


async def end_session(svc: Shenpi, response: Response, request: Request, *,
                      clear_cookie: bool = True) -> None:
    secret = request.cookies.get(SESSION_COOKIE, "")
    if secret:
        await svc.people.end_session(secret)
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
