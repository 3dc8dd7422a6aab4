"""User sign-in as Feishu's OAuth does it: authorize → code → user_access_token (+ refresh), and user_info.

``GET /open-apis/authen/v1/authorize`` is a page, not an API: it lets a person of the app's tenant pick
who they are (an emulator has no Feishu login) and redirects to ``redirect_uri`` with ``code`` and
``state``. Tests skip the page with ``&user_id=<user id>``. Codes last 5 minutes and work once; user
tokens 2 hours; refresh tokens 30 days, each used once (a refresh returns a new one).
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec

from shenpi import ids
from shenpi.api.auth.errors import (
    AppDisabled,
    AuthenError,
    CodeExpired,
    CodeInvalid,
    GrantOfAnotherApp,
    GrantTypeUnsupported,
    InvalidRequest,
    NoUserToken,
    RefreshTokenExpired,
    RefreshTokenInvalid,
    RefreshTokenNotFound,
    UserFrozen,
    UserGone,
    UserNotRegistered,
    UserResigned,
)
from shenpi.api.validation import SchemaRefusal
from shenpi.api.wire import Call, Receive, Route, Scope, Send, client_host, decode_json, envelope, read_body, respond
from shenpi.app import Shenpi
from shenpi.engine.directory import FROZEN, RESIGNED, UNACTIVATED, User
from shenpi.engine.errors import DomainError
from shenpi.platform.errors import RateLimited
from shenpi.platform.tokens import prefix as token_prefix
from shenpi.store.records import App, Token

CODE_LIFETIME_S = 300
REFRESH_LIFETIME_S = 30 * 24 * 3600
_enc = msgspec.json.Encoder()


def _invalid_request(exc: DomainError) -> DomainError:
    return exc if isinstance(exc, AuthenError) else InvalidRequest(exc.detail or exc.msg, field=exc.field)


def oidc_error(exc: DomainError) -> DomainError:
    """The OIDC token pages' mapping: a grant_type out of its enum is 20036, any other invalid request 20001;
    the grant's own errors (20003/20004, 20024, 20026/20037/20038) are already theirs."""
    if isinstance(exc, SchemaRefusal) and exc.field == "grant_type" and exc.rule != "required":
        return GrantTypeUnsupported(exc.detail, field=exc.field)
    return _invalid_request(exc)


def legacy_error(exc: DomainError) -> DomainError:
    """The v1 access_token / refresh_access_token pages list fewer codes: a bad request (grant_type included) is
    20001, and a code or refresh token that yields no token (unknown, used, expired) is 20007."""
    if isinstance(exc, (CodeInvalid, CodeExpired, RefreshTokenInvalid, RefreshTokenExpired, RefreshTokenNotFound)):
        return NoUserToken(exc.detail or exc.msg, field=exc.field)
    return _invalid_request(exc)


async def _page(send: Send, status: int, body: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = body.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"Content-Type", b"text/html; charset=utf-8"), (b"Content-Length", str(len(data)).encode()),
        *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


async def authorize(svc: Shenpi, scope: Scope, receive: Receive, send: Send) -> None:
    """The consent page: pick a user of the app's tenant, then go back to the app with a code."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if scope["method"] == "POST":
        query.update(parse_qsl((await read_body(receive)).decode("utf-8")))
    app = await svc.registry.app(query.get("app_id") or query.get("client_id", ""))
    redirect_uri = query.get("redirect_uri", "")
    if app is None or not redirect_uri:
        await _page(send, 400, "<!doctype html><title>shenpi</title><p>Unknown app_id, or redirect_uri missing.</p>")
        return
    directory = await svc.directory(app.tenant_key)
    chosen = query.get("user_id", "")
    if chosen and directory.user(chosen) is not None:
        code = await svc.tokens.issue(app, "code", chosen, lifetime_s=CODE_LIFETIME_S, reuse=False)
        sep = "&" if "?" in redirect_uri else "?"
        target = redirect_uri + sep + urlencode({"code": code.token, "state": query.get("state", "")})
        await _page(send, 302, "", [(b"Location", target.encode())])
        return
    keep = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                   for k, v in query.items() if k != "user_id")
    options = "".join(f'<option value="{html.escape(u.user_id)}">{html.escape(u.name)} ({html.escape(u.user_id)})</option>'
                      for u in directory.users.values() if u.is_active)  # only who can sign in
    await _page(send, 200, f"""<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in — shenpi</title>
<main style="font-family:sans-serif;max-width:28rem;margin:3rem auto">
<h1>Sign in to {html.escape(app.name or app.app_id)}</h1>
<form method="post"><label for="user_id">Who are you?</label><br><select id="user_id" name="user_id">{options}</select>
{keep}<button type="submit">Authorize</button></form></main></html>""")


_NOT_ACTIVE = {RESIGNED: UserResigned, FROZEN: UserFrozen, UNACTIVATED: UserNotRegistered}


def _check_active(user: User, field: str) -> None:
    """A user who is not active gets no token and no profile: 20021 resigned, 20022 frozen, 20023 not registered
    (never activated), as the token pages and user_info list them."""
    refusal = _NOT_ACTIVE.get(user.status)
    if refusal is not None:
        raise refusal(f"the user is {user.status}", field=field)


def _user_token_data(svc: Shenpi, access: Token, refresh: Token, app: App) -> dict[str, Any]:
    return {"access_token": access.token, "refresh_token": refresh.token, "token_type": "Bearer",
            "expires_in": svc.tokens.remaining_s(access), "refresh_expires_in": svc.tokens.remaining_s(refresh),
            "scope": " ".join(app.scopes)}


async def _grant(svc: Shenpi, app: App, grant_type: str, code: str, refresh_token: str) -> tuple[Token, Token]:
    if not app.enabled:  # disabled since its app token was issued: nobody signs in through it, and no grant is used up
        raise AppDisabled("the app is disabled", field="app_access_token")
    if grant_type == "authorization_code":
        grant = await svc.tokens.redeem(code, "code") if code else "unknown"
        if grant == "expired":
            raise CodeExpired("the code has expired (codes last 5 minutes)", field="code")
        if not isinstance(grant, Token):
            raise CodeInvalid("the code is unknown or was already used", field="code")
    elif grant_type == "refresh_token":
        if not refresh_token.startswith(token_prefix("refresh")):
            raise RefreshTokenInvalid("this is not a refresh token", field="refresh_token")
        grant = await svc.tokens.redeem(refresh_token, "refresh")
        if grant == "expired":
            raise RefreshTokenExpired("the refresh token has expired", field="refresh_token")
        if not isinstance(grant, Token):
            raise RefreshTokenNotFound("the refresh token is unknown or was already used", field="refresh_token")
    else:
        raise GrantTypeUnsupported("grant_type must be authorization_code or refresh_token", field="grant_type")
    if grant.app_id != app.app_id:
        raise GrantOfAnotherApp("the grant was issued to another app", field="code" if grant_type ==
                                "authorization_code" else "refresh_token")
    field = "code" if grant_type == "authorization_code" else "refresh_token"
    user = (await svc.directory(app.tenant_key)).user(grant.user_id)
    if user is None:  # left the directory since the grant
        raise UserGone("the grant's user is gone from the directory", field=field)
    _check_active(user, field)
    access = await svc.tokens.issue(app, "user", grant.user_id, reuse=False)
    refresh = await svc.tokens.issue(app, "refresh", grant.user_id, lifetime_s=REFRESH_LIFETIME_S, reuse=False)
    return access, refresh


class GrantBody(msgspec.Struct):
    grant_type: str = ""
    code: str = ""
    refresh_token: str = ""


async def oidc_token(call: Call) -> dict[str, Any]:
    b: GrantBody = call.body(GrantBody)
    access, refresh = await _grant(call.svc, call.app, b.grant_type, b.code, b.refresh_token)
    return _user_token_data(call.svc, access, refresh, call.app)


async def legacy_token(call: Call) -> dict[str, Any]:
    b: GrantBody = call.body(GrantBody)
    access, refresh = await _grant(call.svc, call.app, b.grant_type, b.code, b.refresh_token)
    # The v1 answer carries the user's profile but neither scope (the OIDC answer's) nor employee_no (user_info's):
    # the v1 page and the SDKs' declarations list neither.
    data = {k: v for k, v in _user_token_data(call.svc, access, refresh, call.app).items() if k != "scope"}
    profile = {k: v for k, v in (await _user_info(call, access.user_id)).items() if k != "employee_no"}
    return {**data, **profile}


async def _user_info(call: Call, user_id: str) -> dict[str, Any]:
    directory = await call.svc.directory(call.tenant_key)
    u = directory.user(user_id)
    if u is None:
        raise UserGone("the token's user is gone from the directory", field="user_access_token")
    _check_active(u, "user_access_token")
    return {"name": u.name, "en_name": u.name, "open_id": u.open_id, "union_id": u.union_id, "email": u.email,
            "user_id": u.user_id, "tenant_key": call.tenant_key, "avatar_url": "", "avatar_thumb": "", "avatar_middle": "",
            "avatar_big": "", "mobile": "", "employee_no": ""}


async def user_info(call: Call) -> dict[str, Any]:
    return await _user_info(call, call.token.user_id)


async def oauth_v2_token(svc: Shenpi, scope: Scope, receive: Receive, send: Send) -> None:
    """``POST /open-apis/authen/v2/oauth/token``: client credentials in the body, answer not wrapped."""
    log_id = ids.log_id()
    try:
        body = decode_json(await read_body(receive) or b"{}")
    except msgspec.DecodeError:
        body = None
    if not isinstance(body, dict):
        await respond(send, 400, _enc.encode({"code": 20001, "error": "invalid_request",
                                               "error_description": "the body must be a JSON object"}), log_id)
        return
    try:
        app = await svc.tokens.app_for_secret(str(body.get("client_id", "")), body.get("client_secret"),
                                               client_host(scope))
    except RateLimited as e:  # too many wrong secrets for this app id this minute
        await respond(send, e.http_status, envelope(e.code, e.msg, None, {"log_id": log_id}), log_id, e.headers)
        return
    if isinstance(app, str):
        await respond(send, 401, _enc.encode({"code": 20002, "error": "invalid_client",
                                               "error_description": "client_id or client_secret is wrong"}), log_id)
        return
    try:
        access, refresh = await _grant(svc, app, str(body.get("grant_type", "")), str(body.get("code", "")),
                                       str(body.get("refresh_token", "")))
    except DomainError as e:
        error = "unsupported_grant_type" if isinstance(e, GrantTypeUnsupported) else "invalid_grant"
        await respond(send, 400, _enc.encode({"code": e.code, "error": error,
                                               "error_description": e.detail or e.msg}), log_id)
        return
    await respond(send, 200, _enc.encode({
        "code": 0, "access_token": access.token, "expires_in": svc.tokens.remaining_s(access),
        "refresh_token": refresh.token, "refresh_token_expires_in": svc.tokens.remaining_s(refresh),
        "token_type": "Bearer", "scope": " ".join(app.scopes)}), log_id)


ROUTES = [
    Route("POST", "/open-apis/authen/v1/oidc/access_token", "authen.v1.oidc_access_token.create", oidc_token,
          errors=oidc_error, tokens=("app",), user_id_type=False),
    Route("POST", "/open-apis/authen/v1/oidc/refresh_access_token", "authen.v1.oidc_refresh_access_token.create",
          oidc_token, errors=oidc_error, tokens=("app",), user_id_type=False),
    Route("POST", "/open-apis/authen/v1/access_token", "authen.v1.access_token.create", legacy_token,
          errors=legacy_error, tokens=("app",), user_id_type=False),
    Route("POST", "/open-apis/authen/v1/refresh_access_token", "authen.v1.refresh_access_token.create",
          legacy_token, errors=legacy_error, tokens=("app",), user_id_type=False),
    Route("GET", "/open-apis/authen/v1/user_info", "authen.v1.user_info.get", user_info, errors=_invalid_request,
          tokens=("user",), user_id_type=False),
]
