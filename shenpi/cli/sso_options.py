"""``shenpi serve``'s single sign-on options, gathered into a :class:`~shenpi.web.sso_config.SsoConfig`.

Each option is also a ``SHENPI_*`` variable (shown in ``--help``); the command line wins. Kept apart from
``serve.py`` so the command's own list stays readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from shenpi.web.sso_config import SsoConfig

F = TypeVar("F", bound=Callable[..., Any])
# shenpi.web.sso_config's choices, repeated here so that ``shenpi --help`` does not load the web app (a test checks
# that the two agree).
MATCH_FIELDS = ("user_id", "open_id", "union_id", "email")
UNKNOWN_USERS = ("refuse", "provision")
AUTHORIZE_PICKER = ("auto", "on", "off")
FEISHU_URL = "https://open.feishu.cn"

# (field of SsoConfig, option declaration, click attributes)
_OPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("password_sign_in", "--password-sign-in/--no-password-sign-in",
     {"default": True, "help": "offer the tenant / user / password form (off: only identity providers sign in)"}),
    ("tenant", "--sso-tenant", {"default": "", "help": "the tenant people signing in through an identity provider "
                                "belong to (may be left out when there is one tenant)"}),
    ("unknown_users", "--sso-unknown-users", {"default": "refuse", "type": click.Choice(UNKNOWN_USERS),
                                              "help": "a person the directory lacks: refused, or added to it"}),
    ("feishu_app_id", "--feishu-app-id", {"default": "", "help": "offer \"Sign in with Feishu / Lark\" as this app"}),
    ("feishu_app_secret", "--feishu-app-secret", {"default": "", "help": "that app's secret"}),
    ("feishu_url", "--feishu-url", {"default": FEISHU_URL, "help": "Feishu's API base (https://open.larksuite.com for "
                                    "Lark, or another shenpi's URL)"}),
    ("feishu_accounts_url", "--feishu-accounts-url", {"default": "", "help": "the authorize page's base (default: "
                                                      "accounts.feishu.cn / accounts.larksuite.com, else --feishu-url)"}),
    ("feishu_claim", "--feishu-claim", {"default": "user_id", "help": "the user_info field that names the person"}),
    ("feishu_match_field", "--feishu-match-field", {"default": "", "type": click.Choice(("", *MATCH_FIELDS)),
                                                    "help": "the directory field it is matched with (default: same)"}),
    ("feishu_tenant_key", "--feishu-tenant-key", {"default": "", "help": "take only people of this Feishu tenant "
                                                  "(user_info's tenant_key; for an app several tenants install)"}),
    ("oidc_issuer", "--oidc-issuer", {"default": "", "help": "an OpenID Connect provider's issuer URL (discovery)"}),
    ("oidc_client_id", "--oidc-client-id", {"default": "", "help": "offer sign-in with that provider as this client"}),
    ("oidc_client_secret", "--oidc-client-secret", {"default": "", "help": "that client's secret"}),
    ("oidc_scope", "--oidc-scope", {"default": "openid email profile", "help": "the scopes asked for"}),
    ("oidc_claim", "--oidc-claim", {"default": "email", "help": "the claim that names the person (email, sub, ...)"}),
    ("oidc_match_field", "--oidc-match-field", {"default": "", "type": click.Choice(("", *MATCH_FIELDS)),
                                                "help": "the directory field it is matched with (default: the claim's "
                                                "name when it is one, else user_id)"}),
    ("oidc_name", "--oidc-name", {"default": "OpenID Connect", "help": "the provider's name on the sign-in button"}),
    ("authorize_picker", "--authorize-picker", {"default": "auto", "type": click.Choice(AUTHORIZE_PICKER),
                                                "help": "as an identity provider, let /open-apis/authen/v1/authorize "
                                                "pick a user without a password (auto: in --demo or with "
                                                "--admin-token)"}),
]


def sso_options(command: F) -> F:
    """Add every option to ``command``; it receives them as keyword arguments named after SsoConfig's fields."""
    for name, decl, attrs in reversed(_OPTIONS):
        command = click.option(decl, name, envvar=env_name(name), show_envvar=True,
                               show_default=attrs.get("default") not in ("", None), **attrs)(command)
    return command


def env_name(name: str) -> str:
    """The variable of SsoConfig's field ``name``: SHENPI_ and the option's name."""
    return {"tenant": "SHENPI_SSO_TENANT", "unknown_users": "SHENPI_SSO_UNKNOWN_USERS"}.get(
        name, "SHENPI_" + name.upper())


def sso_config(values: dict[str, Any], public_url: str = "") -> SsoConfig:
    """The options' values as a config; a setting that cannot work is a usage error naming the option.
    ``public_url`` is ``serve``'s own ``--public-url`` (mail links use it too): the providers' redirect_uri base."""
    from shenpi.web.sso_config import SsoConfig, SsoConfigError

    try:
        return SsoConfig(public_url=public_url, **{name: values[name] for name, _, _ in _OPTIONS})
    except SsoConfigError as e:
        raise click.UsageError(str(e)) from None
