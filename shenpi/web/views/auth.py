"""Sign-in (a password, an identity provider — see shenpi.web.sso — or in demo mode a user switcher), sign-out."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from shenpi.app.ratelimits import Throttled
from shenpi.web.context import Ctx, action, build_ctx, page
from shenpi.web.session import csrf_ok, end_session, start_session
from shenpi.web.sso_config import settings as sso_settings


def safe_next(target: str) -> str:
    """Only a path on this site: never ``//evil.example`` or ``https://…`` (an open redirect), nor a path with a
    control character or a space (browsers drop tabs and newlines, so ``/<tab>/evil.example`` is ``//evil.example``)."""
    if (target.startswith("/") and not target.startswith("//") and "\\" not in target
            and all(" " < ch != "\x7f" for ch in target)):
        return target
    return "/inbox"


async def _users_by_tenant(ctx: Ctx) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for tenant in sorted(await ctx.svc.people.tenants(), key=lambda x: x.tenant_key):
        directory = await ctx.svc.people.directory(tenant.tenant_key)
        users = sorted(directory.users.values(), key=lambda u: u.user_id)
        out.append({"tenant": tenant, "users": users})
    return out


def _providers(ctx: Ctx, target: str) -> list[dict[str, str]]:
    """The identity providers' buttons: a link each, carrying where to go after signing in."""
    return [{"key": p.key, "label": ctx.t(p.label), "href": f"/login/sso/{p.key}?" + urlencode({"next": target})}
            for p in sso_settings(ctx.request).providers()]


def _login_page(ctx: Ctx, *, status: int = 200, error: str = "", target: str, tenant_key: str, user_id: str,
                switcher: list[dict[str, object]] | None, bye: bool) -> Response:
    return ctx.render("login.html", status=status, error=error, next=target, tenant_key=tenant_key, user_id=user_id,
                      switcher=switcher, bye=bye, providers=_providers(ctx, target),
                      password_sign_in=sso_settings(ctx.request).password_sign_in)


@page(signed_in=False)
async def login_form(ctx: Ctx) -> Response:
    switcher = await _users_by_tenant(ctx) if ctx.demo else None
    return _login_page(ctx, target=safe_next(ctx.request.query_params.get("next", "/inbox")),
                       tenant_key=ctx.request.query_params.get("tenant_key", ""), user_id="", switcher=switcher,
                       bye=ctx.request.query_params.get("bye") == "1")


@action(signed_in=False)
async def login(ctx: Ctx) -> Response:
    tenant_key, user_id, password = ctx.field("tenant_key"), ctx.field("user_id"), ctx.field("password")
    target = safe_next(ctx.field("next", "/inbox"))
    switcher = await _users_by_tenant(ctx) if ctx.demo else None
    address = ctx.request.client.host if ctx.request.client else ""

    def refuse(message: str, status: int) -> Response:
        return _login_page(ctx, status=status, error=message, target=target, tenant_key=tenant_key, user_id=user_id,
                           switcher=switcher, bye=False)

    if not sso_settings(ctx.request).password_sign_in:  # turned off: only the identity providers sign people in
        return refuse(ctx.t("Password sign-in is turned off here. Sign in with your identity provider."), 403)
    try:
        user = await ctx.svc.people.sign_in(tenant_key, user_id, password, address)
    except Throttled as e:
        refused = refuse(ctx.t("Too many failed attempts. Wait a minute and try again."), 429)
        refused.headers["Retry-After"] = str(e.wait_s)
        return refused
    if user is None:
        return refuse(ctx.t("Wrong tenant, user or password."), 401)
    response = ctx.redirect(target)
    await end_session(ctx.svc, response, ctx.request, clear_cookie=False)  # a new cookie replaces it
    await start_session(ctx.svc, response, ctx.request, tenant_key, user_id)
    return response


@action(signed_in=False)
async def switch_user(ctx: Ctx) -> Response:
    """Demo mode only: sign in as anyone of the directory without a password (an emulator has no secrets)."""
    if not ctx.demo:
        return ctx.problem(403, ctx.t("Sign-in by user switcher is only available in demo mode."))
    tenant_key, user_id = ctx.field("tenant_key"), ctx.field("user_id")
    if (await ctx.svc.people.directory(tenant_key)).user(user_id) is None:
        return ctx.problem(400, ctx.t("Wrong tenant, user or password."))
    response = ctx.redirect(safe_next(ctx.field("next", "/inbox")))
    await end_session(ctx.svc, response, ctx.request, clear_cookie=False)  # a new cookie replaces it
    await start_session(ctx.svc, response, ctx.request, tenant_key, user_id)
    return response


async def logout(request: Request) -> Response:
    """Sign out. An already-ended session just goes to the sign-in page (nothing left to protect)."""
    ctx = await build_ctx(request)
    if ctx.viewer is None:
        return ctx.redirect("/login?bye=1")
    form = await request.form(max_files=0, max_fields=20)
    posted = form.get("csrf_token")
    if not csrf_ok(request, posted if isinstance(posted, str) else "", ctx.viewer):
        return ctx.problem(403, ctx.t("The form has expired or did not come from this site. "
                                      "Reload the page and try again."))
    response = ctx.redirect("/login?bye=1")
    await end_session(ctx.svc, response, request)
    return response
