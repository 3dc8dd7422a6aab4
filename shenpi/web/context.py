"""What every view gets: the service, the viewer, the language, the posted form, and a way to render a page.

Views are plain ``async def view(ctx) -> Response`` functions wrapped by :func:`page` (GET, sign-in optional or
required) or :func:`action` (POST: sign-in required unless told otherwise, CSRF and origin always checked).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from shenpi import __version__
from shenpi.app import Shenpi
from shenpi.engine.errors import DomainError
from shenpi.web import i18n
from shenpi.web.session import (
    LANG_COOKIE,
    Viewer,
    anonymous_csrf,
    csrf_ok,
    load_viewer,
    set_anonymous_csrf,
)

_HERE = Path(__file__).parent
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_HERE / "templates")),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt variable fails the page (and the tests), never renders blank
    trim_blocks=True,
    lstrip_blocks=True,
)


def site_path(path: str) -> str:
    """A request's path as a link that stays on this site: one leading slash, then the path percent-encoded.

    The path comes from the request line as sent: ``//evil.example/x`` (or ``/\\evil.example/x``, which browsers
    read the same way) linked as it is would be a scheme-relative URL to another host."""
    return quote("/" + path.lstrip("/\\"), safe="/")


# The highest page number a list page takes: offsets stay far below what a database integer holds (a page number
# of 30 digits made the query overflow). A page past the last one is simply empty.
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1  # the largest id a database column holds


def page_number(raw: str) -> int:
    """The ``page`` query argument: 1 when it is not a number, clamped to 1..MAX_PAGE."""
    try:
        return min(MAX_PAGE, max(1, int(raw)))
    except ValueError:
        return 1


# Two of these per row of every list: read from the C library's local time (time.localtime), what datetime's
# local time and isoformat say, at a third of their cost.
def _iso(ms: int) -> str:
    if not ms:
        return ""
    local = time.localtime(ms // 1000)
    offset = abs(local.tm_gmtoff or 0)
    seconds = f":{offset % 60:02d}" if offset % 60 else ""
    sign = "-" if (local.tm_gmtoff or 0) < 0 else "+"
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', local)}{sign}{offset // 3600:02d}:{offset % 3600 // 60:02d}{seconds}"


def _when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ms // 1000)) if ms else ""


_env.filters["iso"] = _iso
_env.filters["when"] = _when

# Security headers for every page: no framing (clickjacking on the action buttons), no inline script (all of
# it is in /static/app.js), no third-party anything.
_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@dataclass(slots=True)
class Ctx:
    request: Request
    svc: Shenpi
    demo: bool
    viewer: Viewer | None
    lang: str
    lang_from_query: bool
    form: FormData | None = None
    _anon_csrf: tuple[str, bool] | None = field(default=None)

    def t(self, key: str, **kw: Any) -> str:
        return i18n.translate(self.lang, key, **kw)

    @property
    def locale(self) -> str:
        """The definitions' i18n locale for this language."""
        return i18n.LOCALES[self.lang]

    @property
    def me(self) -> Viewer:
        assert self.viewer is not None, "a signed-in view ran without a viewer"
        return self.viewer

    def field(self, name: str, default: str = "") -> str:
        if self.form is None:
            return default
        v = self.form.get(name)
        return v.strip() if isinstance(v, str) else default

    def fields(self, name: str) -> list[str]:
        if self.form is None:
            return []
        return [v.strip() for v in self.form.getlist(name) if isinstance(v, str) and v.strip()]

    def csrf_token(self) -> str:
        if self.viewer is not None:
            return self.viewer.csrf_token
        if self._anon_csrf is None:
            self._anon_csrf = anonymous_csrf(self.request)
        return self._anon_csrf[0]

    def error_text(self, e: DomainError) -> str:
        """A domain error as the API says it: the documented msg and code, then the detail naming the field."""
        return f"{e.msg} ({e.code})" + (f" — {e.detail}" if e.detail and e.detail != e.msg else "")

    def render(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = _env.get_template(template).render(
            t=self.t, lang=self.lang, html_lang=i18n.HTML_LANG[self.lang], viewer=self.viewer, demo=self.demo,
            csrf_token=self.csrf_token(), path=self.request.url.path, version=__version__,
            lang_links=self.lang_links(), **context)
        response = HTMLResponse(html, status_code=status, headers=_HEADERS)
        self.finish(response)
        return response

    def lang_links(self) -> list[dict[str, Any]]:
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "lang"]
        base = site_path(self.request.url.path) + "?" + "&".join(f"{quote(k)}={quote(v)}" for k, v in query)
        sep = "&" if query else ""
        return [{"code": code, "label": label, "href": f"{base}{sep}lang={code}", "current": code == self.lang}
                for code, label in i18n.LANGUAGE_NAMES.items()]

    def finish(self, response: Response) -> None:
        """Cookies a response carries whatever it is: the chosen language, the pre-sign-in CSRF token."""
        if self.lang_from_query:
            response.set_cookie(LANG_COOKIE, self.lang, max_age=365 * 24 * 3600, path="/", samesite="lax")
        if self._anon_csrf is not None and self._anon_csrf[1]:
            set_anonymous_csrf(response, self.request, self._anon_csrf[0])

    def redirect(self, url: str) -> Response:
        response = RedirectResponse(url, status_code=303)
        self.finish(response)
        return response

    def problem(self, status: int, message: str) -> HTMLResponse:
        return self.render("error.html", status=status, message=message)


def _choose_lang(request: Request) -> tuple[str, bool]:
    asked = request.query_params.get("lang", "")
    if asked in i18n.LANGUAGE_NAMES:
        return asked, True
    cookie = request.cookies.get(LANG_COOKIE, "")
    if cookie in i18n.LANGUAGE_NAMES:
        return cookie, False
    return i18n.from_accept_language(request.headers.get("accept-language", "")), False


async def build_ctx(request: Request) -> Ctx:
    svc: Shenpi = request.app.state.svc
    lang, from_query = _choose_lang(request)
    viewer = await load_viewer(svc, request)
    return Ctx(request, svc, bool(request.app.state.demo), viewer, lang, from_query)


View = Callable[[Ctx], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _login_url(request: Request) -> str:
    target = site_path(request.url.path) + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


# What a view's decorator checks before the view runs: a response that refuses the request, or None to go on.
Check = Callable[[Ctx, Request], Awaitable[Response | None]]


def _guarded(check: Check, admin: bool) -> Callable[[View], Endpoint]:
    """The endpoint for a view: the context built, ``check`` passed, and for an admin page the viewer an admin."""

    def wrap(view: View) -> Endpoint:
        @functools.wraps(view)
        async def endpoint(request: Request) -> Response:
            ctx = await build_ctx(request)
            refusal = await check(ctx, request)
            if refusal is None and admin and not ctx.me.is_admin:
                refusal = ctx.problem(403, ctx.t("Only the app's admins may open this page."))
            return refusal if refusal is not None else await view(ctx)

        return endpoint

    return wrap


def page(*, signed_in: bool = True, admin: bool = False) -> Callable[[View], Endpoint]:
    """A GET view. Without a session it redirects to the sign-in page (and back here afterwards)."""

    async def check(ctx: Ctx, request: Request) -> Response | None:
        if signed_in and ctx.viewer is None:
            return ctx.redirect(_login_url(request))
        return None

    return _guarded(check, admin)


def action(*, signed_in: bool = True, admin: bool = False) -> Callable[[View], Endpoint]:
    """A POST view: the form is read once, the CSRF token and the origin checked before the view runs."""

    async def check(ctx: Ctx, request: Request) -> Response | None:
        if signed_in and ctx.viewer is None:
            return ctx.problem(403, ctx.t("Please sign in first."))
        try:
            ctx.form = await request.form(max_files=20, max_fields=2000)  # files: attachment and image widgets
        except Exception:  # a malformed or oversized body: the form parser's errors vary by version
            return ctx.problem(400, ctx.t("The form could not be read."))
        posted = ctx.form.get("csrf_token")
        if not csrf_ok(request, posted if isinstance(posted, str) else "", ctx.viewer):
            return ctx.problem(403, ctx.t("The form has expired or did not come from this site. "
                                          "Reload the page and try again."))
        return None

    return _guarded(check, admin)
