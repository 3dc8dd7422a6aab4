"""The two sign-in protocols, as the callback needs them: where to send the browser, and what a code proves.

Feishu / Lark: its authorize page (``/open-apis/authen/v1/authorize`` on the accounts host), the OAuth v2 token
endpoint (``/open-apis/authen/v2/oauth/token``, JSON body, client credentials in it) and ``/open-apis/authen/v1/
user_info``. Written by hand on httpx: the token endpoint takes JSON, which generic OAuth clients do not send.

OpenID Connect: Authlib's OAuth 2 protocol functions (the authorization URL, the token request's body and its
client authentication) over the provider's discovery document, sent with httpx (Authlib's own httpx client now
warns that it moves to another HTTP library), and joserfc (Authlib's JOSE library) for the ID token: signature
against the provider's JWKS, ``iss``, ``aud``, ``exp`` and ``nonce``. Claims the ID token lacks come from the
userinfo endpoint (same ``sub``). PKCE S256 on both protocols.

Every failure is an :class:`SsoFailure` whose text the callback shows; none is a traceback.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shenpi.web.sso_config import Provider, SsoConfig

log = logging.getLogger("shenpi.web.sso")
TIMEOUT_S = 10.0
_DISCOVERY_TTL_S = 300.0
_discovered: dict[str, tuple[float, dict[str, Any], KeySet]] = {}  # issuer → (when, metadata, keys)


class SsoFailure(Exception):
    """The sign-in could not complete; ``str()`` says why, for the page (no secret, no token in it)."""


def new_secret() -> str:
    return str(generate_token(43))  # 43 characters: RFC 7636's shortest code verifier, and as good a state or nonce


def _s256(verifier: str) -> str:
    """RFC 7636's S256 challenge: the verifier's SHA-256, base64url without padding."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _json(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SsoFailure(f"{what} answered HTTP {response.status_code} without a JSON object")
    return body


# -- Feishu / Lark -------------------------------------------------------------------------------------------------
def feishu_authorize_url(config: SsoConfig, provider: Provider, redirect_uri: str, state: str, verifier: str) -> str:
    return config.accounts_url + "/open-apis/authen/v1/authorize?" + urlencode({
        "client_id": provider.client_id, "response_type": "code", "redirect_uri": redirect_uri, "state": state,
        "code_challenge": _s256(verifier), "code_challenge_method": "S256"})


async def feishu_identity(config: SsoConfig, provider: Provider, code: str, redirect_uri: str,
                          verifier: str) -> dict[str, Any]:
    """The person's user_info (open_id, union_id, user_id, email, name, tenant_key...) for an authorization code."""
    base = config.feishu_url.rstrip("/")
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        try:
            r = await http.post(base + "/open-apis/authen/v2/oauth/token", json={
                "grant_type": "authorization_code", "client_id": provider.client_id,
                "client_secret": provider.client_secret, "code": code, "redirect_uri": redirect_uri,
                "code_verifier": verifier})
        except httpx.HTTPError as e:
            raise SsoFailure(f"the token endpoint could not be reached ({type(e).__name__})") from e
        token = _json(r, "the token endpoint")
        if token.get("code") != 0 or not token.get("access_token"):
            raise SsoFailure("the code was not accepted: " + str(token.get("error_description") or token.get("msg")
                                                                  or token.get("error") or f"HTTP {r.status_code}"))
        try:
            r = await http.get(base + "/open-apis/authen/v1/user_info",
                               headers={"Authorization": f"Bearer {token['access_token']}"})
        except httpx.HTTPError as e:
            raise SsoFailure(f"user_info could not be reached ({type(e).__name__})") from e
    info = _json(r, "user_info")
    if info.get("code") != 0 or not isinstance(info.get("data"), dict):
        raise SsoFailure(f"user_info refused the token: {info.get('msg') or info.get('code')}")
    data: dict[str, Any] = info["data"]
    return data


# -- OpenID Connect ------------------------------------------------------------------------------------------------
async def _discover(issuer: str) -> tuple[dict[str, Any], KeySet]:
    """The provider's metadata and signing keys, kept a few minutes (a key rotation is picked up after that)."""
    now = time.monotonic()
    cached = _discovered.get(issuer)
    if cached is not None and now - cached[0] < _DISCOVERY_TTL_S:
        return cached[1], cached[2]
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        try:
            meta = _json(await http.get(issuer.rstrip("/") + "/.well-known/openid-configuration"), "discovery")
            if meta.get("issuer") != issuer:
                raise SsoFailure(f"the discovery document names issuer {meta.get('issuer')!r}, not {issuer!r}")
            keys = KeySet.import_key_set(_json(await http.get(str(meta["jwks_uri"])), "the JWKS"))  # type: ignore[arg-type]
        except (httpx.HTTPError, KeyError, ValueError, JoseError) as e:
            raise SsoFailure(f"the provider's discovery failed ({type(e).__name__}: {e})") from e
    _discovered[issuer] = (now, meta, keys)
    return meta, keys


def forget_discovery() -> None:
    _discovered.clear()


async def oidc_authorize_url(config: SsoConfig, provider: Provider, redirect_uri: str, state: str, verifier: str,
                             nonce: str) -> str:
    meta, _ = await _discover(config.oidc_issuer)
    return str(prepare_grant_uri(str(meta["authorization_endpoint"]), provider.client_id, "code", redirect_uri=redirect_uri,
                             scope=config.oidc_scope, state=state, nonce=nonce, code_challenge=_s256(verifier),
                             code_challenge_method="S256"))


async def oidc_identity(config: SsoConfig, provider: Provider, code: str, redirect_uri: str, verifier: str,
                        nonce: str) -> dict[str, Any]:
    """The person's claims for an authorization code: the validated ID token's, then the userinfo endpoint's."""
    meta, keys = await _discover(config.oidc_issuer)
    # client_secret_basic, the default of OpenID Connect's token_endpoint_auth_method (the secret form-encoded as
    # RFC 6749 2.3.1 asks, then base64ed)
    body = prepare_token_request("authorization_code", code=code, redirect_uri=redirect_uri, code_verifier=verifier)
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        try:
            r = await http.post(str(meta["token_endpoint"]), content=body, auth=(
                quote_plus(provider.client_id), quote_plus(provider.client_secret)), headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
        except httpx.HTTPError as e:
            raise SsoFailure(f"the token endpoint could not be reached ({type(e).__name__})") from e
        token = _json(r, "the token endpoint")
        if r.status_code != 200 or "error" in token:
            log.warning("sso: token exchange with %s failed: HTTP %s %s", config.oidc_issuer, r.status_code, token)
            raise SsoFailure("the code was not accepted: " + str(token.get("error_description") or token.get("error")
                                                                  or f"HTTP {r.status_code}"))
        claims = _validated(token.get("id_token"), keys, config.oidc_issuer, provider.client_id, nonce)
        if provider.claim not in claims and meta.get("userinfo_endpoint") and token.get("access_token"):
            try:
                r = await http.get(str(meta["userinfo_endpoint"]),
                                   headers={"Authorization": f"Bearer {token['access_token']}"})
            except httpx.HTTPError as e:
                raise SsoFailure(f"the userinfo endpoint could not be reached ({type(e).__name__})") from e
            info = _json(r, "the userinfo endpoint")
            if info.get("sub") != claims["sub"]:
                raise SsoFailure("the userinfo endpoint answered for another subject")
            claims = {**info, **claims}
    return claims


def _validated(id_token: object, keys: KeySet, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    if not isinstance(id_token, str):
        raise SsoFailure("the provider answered without an ID token (is 'openid' among the scopes?)")
    try:
        decoded = jwt.decode(id_token, keys)
        jwt.JWTClaimsRegistry(leeway=60, iss={"essential": True, "value": issuer},
                              aud={"essential": True, "value": client_id}, sub={"essential": True},
                              exp={"essential": True}, nonce={"essential": True, "value": nonce},
                              ).validate(decoded.claims)
    except (JoseError, ValueError) as e:
        raise SsoFailure(f"the ID token is not valid ({type(e).__name__}: {e})") from e
    return dict(decoded.claims)
