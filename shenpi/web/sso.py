"""Single sign-on for the web inbox: "Sign in with Feishu / Lark" and one OpenID Connect provider.

``GET /login/sso/<provider>`` sends the browser to the provider with a fresh state (and, for OIDC, a nonce), a
PKCE verifier's challenge and where to come back; those travel in a short-lived cookie bound to this browser
(HttpOnly, SameSite=Lax so that it comes back with the provider's redirect, path /login/sso/). ``GET
/login/sso/<provider>/callback`` checks the state against the cookie, exchanges the code, learns who the person
is, finds them in the directory by the configured claim (or adds them, when so configured), and opens a web
session. Every failure is a page that says what happened and links back to the sign-in page.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shenpi.app.sso_users import UserTaken
from shenpi.engine.directory import User
from shenpi.web import sso_clients
from shenpi.web.context import Ctx, page
from shenpi.web.session import end_session, start_session
from shenpi.web.sso_clients import SsoFailure
from shenpi.web.sso_config import Provider, SsoConfig, settings
from shenpi.web.views.auth import safe_next

log = logging.getLogger("shenpi.web.sso")
FLOW_COOKIE = "shenpi_sso"
FLOW_COOKIE_PATH = "/login/sso/"
FLOW_LIFETIME_S = 600  # the person has ten minutes at the provider


def _redirect_uri(request: Request, config: SsoConfig, provider: Provider) -> str:
    base = config.public_url.rstrip("/") if config.public_url else str(request.base_url).rstrip("/")
    return f"{base}/login/sso/{provider.key}/callback"


def _failed(ctx: Ctx, status: int, message: str) -> Response:
    response = ctx.render("sso_error.html", status=status, message=message)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
    return response


def _reason(provider: Provider, e: Exception) -> str:
    if isinstance(e, SsoFailure):
        log.warning("sso: %s: %s", provider.key, e)
        return str(e)
    log.exception("sso: %s: unexpected failure", provider.key)
    return type(e).__name__


@page(signed_in=False)
async def start(ctx: Ctx) -> Response:
    config = settings(ctx.request)
    provider = config.provider(ctx.request.path_params.get("provider", ""))
    if provider is None:
        return ctx.problem(404, ctx.t("Page not found."))
    state, verifier, nonce = sso_clients.new_secret(), sso_clients.new_secret(), sso_clients.new_secret()
    redirect_uri = _redirect_uri(ctx.request, config, provider)
    try:
        if provider.key == "feishu":
            url = sso_clients.feishu_authorize_url(config, provider, redirect_uri, state, verifier)
        else:
            url = await sso_clients.oidc_authorize_url(config, provider, redirect_uri, state, verifier, nonce)
    except Exception as e:  # SsoFailure says why; anything else is logged whole, and the page says it briefly
        reason = _reason(provider, e)
        return _failed(ctx, 502, ctx.t("Sign-in with {provider} is not available now: {reason}",
                                       provider=ctx.t(provider.label), reason=reason))
    flow = {"p": provider.key, "state": state, "verifier": verifier, "nonce": nonce,
            "next": safe_next(ctx.request.query_params.get("next", "/inbox"))}
    response = ctx.redirect(url)
    response.status_code = 302
    response.set_cookie(FLOW_COOKIE, base64.urlsafe_b64encode(json.dumps(flow).encode()).decode(),
                        max_age=FLOW_LIFETIME_S, path=FLOW_COOKIE_PATH, httponly=True, samesite="lax",
                        secure=ctx.request.url.scheme == "https")
    return response


def _flow(request: Request, provider: str) -> dict[str, str] | None:
    raw = request.cookies.get(FLOW_COOKIE, "")
    try:
        flow = json.loads(base64.urlsafe_b64decode(raw.encode())) if 0 < len(raw) <= 2000 else None
    except ValueError:
        return None
    if not isinstance(flow, dict) or flow.get("p") != provider or not all(
            isinstance(flow.get(k), str) for k in ("state", "verifier", "nonce", "next")):
        return None
    return flow


@page(signed_in=False)
async def callback(ctx: Ctx) -> Response:
    config = settings(ctx.request)
    provider = config.provider(ctx.request.path_params.get("provider", ""))
    if provider is None:
        return ctx.problem(404, ctx.t("Page not found."))
    q = ctx.request.query_params
    flow = _flow(ctx.request, provider.key)
    if flow is None or not q.get("state") or q.get("state") != flow["state"]:
        return _failed(ctx, 400, ctx.t("This sign-in did not start here, or took too long. Please try again."))
    if q.get("error"):
        reason = q.get("error_description") or q.get("error", "")
        return _failed(ctx, 401, ctx.t("{provider} did not sign you in: {reason}", provider=ctx.t(provider.label),
                                       reason=reason[:300]))
    if not q.get("code"):
        return _failed(ctx, 400, ctx.t("{provider} sent no authorization code.", provider=ctx.t(provider.label)))
    redirect_uri = _redirect_uri(ctx.request, config, provider)
    try:
        if provider.key == "feishu":
            claims = await sso_clients.feishu_identity(config, provider, q["code"], redirect_uri, flow["verifier"])
        else:
            claims = await sso_clients.oidc_identity(config, provider, q["code"], redirect_uri, flow["verifier"],
                                                     flow["nonce"])
    except Exception as e:  # as in start
        return _failed(ctx, 502, ctx.t("Sign-in with {provider} failed: {reason}", provider=ctx.t(provider.label),
                                       reason=_reason(provider, e)))
    return await _sign_in(ctx, config, provider, claims, flow["next"])


async def _tenant(ctx: Ctx, config: SsoConfig) -> str:
    if config.tenant:
        return config.tenant
    tenants = await ctx.svc.people.tenants()
    return tenants[0].tenant_key if len(tenants) == 1 else ""


async def _sign_in(ctx: Ctx, config: SsoConfig, provider: Provider, claims: dict[str, Any], target: str) -> Response:
    value = claims.get(provider.claim)
    if not isinstance(value, str) or not value:
        return _failed(ctx, 403, ctx.t("{provider} did not say who you are ({claim} is missing).",
                                       provider=ctx.t(provider.label), claim=provider.claim))
    if provider.match_field == "email" and claims.get("email_verified") is False:
        return _failed(ctx, 403, ctx.t("{provider} has not verified the email address {value}.",
                                       provider=ctx.t(provider.label), value=value))
    if provider.key == "feishu" and config.feishu_tenant_key and claims.get("tenant_key") != config.feishu_tenant_key:
        log.info("sso: feishu: a person of tenant %s refused (only %s)", claims.get("tenant_key"),
                 config.feishu_tenant_key)
        return _failed(ctx, 403, ctx.t("{provider} signed you in to another organization.",
                                       provider=ctx.t(provider.label)))
    tenant_key = await _tenant(ctx, config)
    if not tenant_key:
        return _failed(ctx, 500, ctx.t("Single sign-on has no tenant configured (--sso-tenant)."))
    user = await ctx.svc.sso_users.find(tenant_key, provider.match_field, value)
    if user is None and config.unknown_users == "provision":
        user = await _provision(ctx, tenant_key, provider, claims, value)
    if user is None:
        log.info("sso: %s: no directory user has %s=%s; refused", provider.key, provider.match_field, value)
        return _failed(ctx, 403, ctx.t("{value} has no account in this shenpi. Ask an administrator to add you.",
                                       value=value))
    response = ctx.redirect(target)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
    await end_session(ctx.svc, response, ctx.request, clear_cookie=False)  # a new cookie replaces it
    await start_session(ctx.svc, response, ctx.request, tenant_key, user.user_id)
    return response


async def _provision(ctx: Ctx, tenant_key: str, provider: Provider, claims: dict[str, Any], value: str) -> User | None:
    """A new directory user: the matched field set to the claim, a user id from the claim (or the provider's own
    user id / subject), the name and email the provider gave."""
    def text(key: str) -> str:
        v = claims.get(key)
        return v if isinstance(v, str) else ""

    fields = {provider.match_field: value}
    user_id = fields.get("user_id") or text("user_id") or text("preferred_username") or text("sub") or value
    email = fields.get("email") or text("email")
    try:
        user = await ctx.svc.sso_users.provision(tenant_key, user_id=user_id, name=text("name") or value, email=email,
                                                 open_id=fields.get("open_id", ""), union_id=fields.get("union_id", ""))
    except UserTaken:
        log.warning("sso: %s: cannot add %s=%s: user id %s is taken", provider.key, provider.match_field, value,
                    user_id)
        return None
    log.info("sso: %s: added %s (%s=%s) to tenant %s", provider.key, user.user_id, provider.match_field, value,
             tenant_key)
    return user
