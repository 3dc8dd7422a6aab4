"""Single sign-on settings: which identity providers the sign-in page offers, how their people are matched against
the directory, and whether password sign-in stays on.

Two providers, each on when its client id is set: Feishu / Lark (``feishu``: the authorize page, the OAuth v2 token
endpoint and ``authen/v1/user_info``, against real Feishu or any shenpi) and one generic OpenID Connect provider
(``oidc``: discovery, PKCE, state, nonce, a validated ID token). ``shenpi serve`` options and ``SHENPI_*`` variables
give them (:meth:`SsoConfig.to_env` / :meth:`SsoConfig.from_env` carry them to worker processes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from starlette.requests import Request

# The directory fields a provider's claim can be matched against.
MATCH_FIELDS = ("user_id", "open_id", "union_id", "email")
UNKNOWN_USERS = ("refuse", "provision")
# Whether the authorize page (shenpi acting as an identity provider) lets a person pick who they are: "auto" lets
# a demo or a server with the test control plane (the admin API) do it; "off" always asks for a web sign-in.
AUTHORIZE_PICKER = ("auto", "on", "off")
FEISHU_URL = "https://open.feishu.cn"
# Feishu serves its authorize page on the accounts host, the APIs on the open host.
_ACCOUNTS_HOSTS = {"open.feishu.cn": "accounts.feishu.cn", "open.larksuite.com": "accounts.larksuite.com"}


class SsoConfigError(ValueError):
    """A setting that cannot work, said in one line naming the option."""


@dataclass(frozen=True, slots=True)
class Provider:
    """One configured identity provider, as the sign-in page and the callback see it."""

    key: str  # "feishu" or "oidc": the path segment under /login/sso/
    label: str  # the button's text
    client_id: str
    client_secret: str
    claim: str  # the claim (or Feishu user_info field) that names the person
    match_field: str  # the directory field that claim is compared with


@dataclass(frozen=True, slots=True)
class SsoConfig:
    password_sign_in: bool = True  # the tenant / user / password form; off: only the providers sign people in
    tenant: str = ""  # the tenant people signing in through a provider belong to ("" when there is only one)
    unknown_users: str = "refuse"  # a person the directory lacks: refused with a page, or added to it
    public_url: str = ""  # this server's URL as browsers reach it (for redirect_uri); "" takes the request's
    feishu_app_id: str = ""
    feishu_app_secret: str = ""
    feishu_url: str = FEISHU_URL  # the token and user_info endpoints' base (another shenpi's URL works too)
    feishu_accounts_url: str = ""  # the authorize page's base; "" derives it from feishu_url
    feishu_claim: str = "user_id"
    feishu_match_field: str = ""  # "" is the claim's own name
    feishu_tenant_key: str = ""  # when set, user_info's tenant_key must be this (an app installed by many tenants)
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scope: str = "openid email profile"
    oidc_claim: str = "email"
    oidc_match_field: str = ""  # "" is the claim's name when it is a directory field, else user_id
    oidc_name: str = "OpenID Connect"  # the button says "Sign in with <name>"
    authorize_picker: str = "auto"

    def __post_init__(self) -> None:
        if self.unknown_users not in UNKNOWN_USERS:
            raise SsoConfigError(f"--sso-unknown-users must be one of {', '.join(UNKNOWN_USERS)}")
        if self.authorize_picker not in AUTHORIZE_PICKER:
            raise SsoConfigError(f"--authorize-picker must be one of {', '.join(AUTHORIZE_PICKER)}")
        if self.feishu_app_id and not self.feishu_app_secret:
            raise SsoConfigError("--feishu-app-id needs --feishu-app-secret")
        if self.oidc_client_id and not self.oidc_issuer:
            raise SsoConfigError("--oidc-client-id needs --oidc-issuer")
        for option, url in (("--feishu-url", self.feishu_url), ("--feishu-accounts-url", self.feishu_accounts_url),
                            ("--oidc-issuer", self.oidc_issuer), ("--public-url", self.public_url)):
            if url and urlsplit(url).scheme not in ("http", "https"):
                raise SsoConfigError(f"{option} must be an http(s) URL, not {url!r}")
        for option, claim, field in (("--feishu", self.feishu_claim, self.feishu_match_field),
                                     ("--oidc", self.oidc_claim, self.oidc_match_field)):
            if not claim:
                raise SsoConfigError(f"{option}-claim must name a claim")
            if field and field not in MATCH_FIELDS:
                raise SsoConfigError(f"{option}-match-field must be one of {', '.join(MATCH_FIELDS)}")
        if not self.password_sign_in and not self.providers():
            raise SsoConfigError("--no-password-sign-in needs an identity provider (--feishu-app-id or "
                                 "--oidc-client-id): nobody could sign in")

    @property
    def accounts_url(self) -> str:
        if self.feishu_accounts_url:
            return self.feishu_accounts_url.rstrip("/")
        parts = urlsplit(self.feishu_url)
        host = _ACCOUNTS_HOSTS.get(parts.netloc)
        return f"{parts.scheme}://{host}" if host else self.feishu_url.rstrip("/")

    def providers(self) -> list[Provider]:
        out = []
        if self.feishu_app_id:
            out.append(Provider("feishu", "Feishu / Lark", self.feishu_app_id, self.feishu_app_secret,
                                self.feishu_claim, self.feishu_match_field or _field_for(self.feishu_claim)))
        if self.oidc_client_id:
            out.append(Provider("oidc", self.oidc_name, self.oidc_client_id, self.oidc_client_secret,
                                self.oidc_claim, self.oidc_match_field or _field_for(self.oidc_claim)))
        return out

    def provider(self, key: str) -> Provider | None:
        return next((p for p in self.providers() if p.key == key), None)

    def picker(self, *, demo: bool, control_plane: bool) -> bool:
        """Whether the authorize page may let a person pick who they are (an emulator's page, with no secret)."""
        return self.authorize_picker == "on" or (self.authorize_picker == "auto" and (demo or control_plane))

    def to_env(self) -> dict[str, str]:
        return {_ENV[f.name]: _text(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SsoConfig:
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(_ENV[f.name])
            if raw is not None:
                values[f.name] = raw.strip().lower() in ("1", "true", "yes", "on") if f.type == "bool" else raw
        return cls(**values)  # type: ignore[arg-type]


def settings(request: Request) -> SsoConfig:
    """The running web app's settings (``create_app`` keeps them in the app's state)."""
    sso: SsoConfig = request.app.state.sso
    return sso


def _field_for(claim: str) -> str:
    return claim if claim in MATCH_FIELDS else "user_id"


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


# Each setting's variable: SHENPI_ and the option's name (``--feishu-app-id``: SHENPI_FEISHU_APP_ID), except the
# tenant and the unknown-user rule, whose options say --sso-.
_ENV = {f.name: "SHENPI_" + f.name.upper() for f in dataclasses.fields(SsoConfig)}
_ENV.update(tenant="SHENPI_SSO_TENANT", unknown_users="SHENPI_SSO_UNKNOWN_USERS")
