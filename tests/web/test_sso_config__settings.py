"""Single sign-on settings: what each option means, what cannot work (a one-line usage error naming the option),
and how they reach worker processes (SHENPI_* variables)."""

from __future__ import annotations

import dataclasses

import click
import pytest
from click.testing import CliRunner

from shenpi.cli import main, sso_options
from shenpi.server import ServerConfig
from shenpi.web import sso_config
from shenpi.web.sso_config import SsoConfig, SsoConfigError

FEISHU = {"feishu_app_id": "cli_x", "feishu_app_secret": "s"}
OIDC = {"oidc_issuer": "https://idp.example", "oidc_client_id": "shenpi", "oidc_client_secret": "s"}


def test_by_default_no_provider_and_passwords_on():
    config = SsoConfig()
    assert config.providers() == [] and config.password_sign_in


@pytest.mark.parametrize(("settings", "says"), [
    ({"unknown_users": "invite"}, "--sso-unknown-users"),
    ({"feishu_app_id": "cli_x"}, "--feishu-app-secret"),
    ({"oidc_client_id": "shenpi"}, "--oidc-issuer"),
    ({**OIDC, "oidc_issuer": "idp.example"}, "--oidc-issuer must be an http(s) URL"),
    ({**FEISHU, "feishu_url": "ftp://open.feishu.cn"}, "--feishu-url"),
    ({**OIDC, "oidc_match_field": "phone"}, "--oidc-match-field"),
    ({**FEISHU, "feishu_claim": ""}, "--feishu-claim"),
    ({"password_sign_in": False}, "nobody could sign in"),
    ({"authorize_picker": "maybe"}, "--authorize-picker"),
])
def test_a_setting_that_cannot_work_is_refused_naming_the_option(settings, says):
    with pytest.raises(SsoConfigError, match=says.replace("(", r"\(").replace(")", r"\)")):
        SsoConfig(**settings)


def test_feishu_authorize_page_is_on_the_accounts_host():
    assert SsoConfig(**FEISHU).accounts_url == "https://accounts.feishu.cn"
    assert SsoConfig(**FEISHU, feishu_url="https://open.larksuite.com").accounts_url == "https://accounts.larksuite.com"
    # another shenpi serves both on its own URL; an explicit accounts URL wins
    assert SsoConfig(**FEISHU, feishu_url="http://127.0.0.1:9000/").accounts_url == "http://127.0.0.1:9000"
    assert SsoConfig(**FEISHU, feishu_accounts_url="http://a.test/").accounts_url == "http://a.test"


def test_the_claim_is_matched_with_the_field_of_its_name_else_user_id():
    feishu, oidc = SsoConfig(**FEISHU, **OIDC).providers()
    assert (feishu.key, feishu.claim, feishu.match_field) == ("feishu", "user_id", "user_id")
    assert (oidc.key, oidc.claim, oidc.match_field) == ("oidc", "email", "email")
    (oidc,) = SsoConfig(**OIDC, oidc_claim="preferred_username").providers()
    assert oidc.match_field == "user_id"
    (oidc,) = SsoConfig(**OIDC, oidc_claim="sub", oidc_match_field="open_id").providers()
    assert oidc.match_field == "open_id"


def test_the_authorize_picker_is_an_emulators_only_unless_told():
    auto = SsoConfig()
    assert auto.picker(demo=True, control_plane=False) and auto.picker(demo=False, control_plane=True)
    assert not auto.picker(demo=False, control_plane=False)
    assert not SsoConfig(authorize_picker="off").picker(demo=True, control_plane=True)
    assert SsoConfig(authorize_picker="on").picker(demo=False, control_plane=False)


def test_settings_travel_to_worker_processes_through_the_environment():
    config = ServerConfig(sso=SsoConfig(**FEISHU, **OIDC, password_sign_in=False, tenant="acme",
                                        unknown_users="provision", oidc_name="Okta", authorize_picker="off"))
    env = config.to_env()
    assert env["SHENPI_FEISHU_APP_ID"] == "cli_x" and env["SHENPI_PASSWORD_SIGN_IN"] == "0"
    assert env["SHENPI_SSO_TENANT"] == "acme" and env["SHENPI_SSO_UNKNOWN_USERS"] == "provision"
    assert ServerConfig.from_env(env).sso == config.sso
    assert ServerConfig.from_env({}).sso == SsoConfig()


def test_the_commands_options_agree_with_the_settings():
    """``shenpi serve`` repeats the choices so that --help does not load the web app: they must not drift."""
    assert sso_options.MATCH_FIELDS == sso_config.MATCH_FIELDS
    assert sso_options.UNKNOWN_USERS == sso_config.UNKNOWN_USERS
    assert sso_options.AUTHORIZE_PICKER == sso_config.AUTHORIZE_PICKER
    assert sso_options.FEISHU_URL == sso_config.FEISHU_URL
    fields = {f.name: f.default for f in dataclasses.fields(SsoConfig)}
    serve = main.commands["serve"] if isinstance(main, click.Group) else None
    assert serve is not None
    params = {p.name: p for p in serve.params if p.name in fields}
    assert set(params) == set(fields)
    for name, param in params.items():
        assert param.default == fields[name], name
        # the option's variable is the one worker processes read the setting from
        assert param.envvar in SsoConfig().to_env(), name
        base = SsoConfig(**FEISHU, **OIDC)
        changed = {"password_sign_in": "0", "unknown_users": "provision", "authorize_picker": "off",
                   "feishu_match_field": "open_id", "oidc_match_field": "open_id"}.get(
            name, "https://changed.example" if name.endswith(("_url", "_issuer")) else "changed")
        read = SsoConfig.from_env({**base.to_env(), param.envvar: changed})
        assert getattr(read, name) != getattr(base, name), name
    assert "SHENPI_SSO_TENANT" == params["tenant"].envvar


@pytest.mark.parametrize(("args", "env", "says"), [
    (["--no-password-sign-in"], {}, "nobody could sign in"),
    (["--feishu-app-id", "cli_x"], {}, "--feishu-app-id needs --feishu-app-secret"),
    ([], {"SHENPI_OIDC_CLIENT_ID": "shenpi"}, "--oidc-client-id needs --oidc-issuer"),
    (["--sso-unknown-users", "invite"], {}, "'invite' is not one of 'refuse', 'provision'"),
])
def test_serve_refuses_settings_that_cannot_work_before_starting(args, env, says, tmp_path):
    result = CliRunner().invoke(main, ["serve", "--db", f"sqlite:///{tmp_path / 'x.db'}", "--port", "0", *args],
                                env=env)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not (tmp_path / "x.db").exists()
