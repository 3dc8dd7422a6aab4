"""Servers for the single sign-on tests: a shenpi acting as the Feishu identity provider, a shenpi that signs people
in through it or through an OpenID Connect provider, and that provider (the `oidc-provider` npm package, run by
tests/node/oidc_provider.mjs)."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from shenpi.testing import ShenpiProcess
from tests.web.seed import web_seed

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
IDP_APP_ID, IDP_APP_SECRET = "cli_acme_inbox", "inbox-secret"
OIDC_CLIENT_ID, OIDC_CLIENT_SECRET = "shenpi-inbox", "oidc-secret"
# The identity provider's people: alice and bob are in the inbox's directory (the same user ids, other names there),
# zed is not.
IDP_PASSWORDS = {"alice": "alice-at-idp", "bob": "bob-at-idp", "zed": "zed-at-idp"}
EMAILS = {"alice": "alice@acme.example", "bob": "bob@acme.example"}


def idp_seed() -> dict[str, Any]:
    """The identity provider's tenant: its own people and passwords, and the inbox registered as an app."""
    return {"tenants": [{"tenant_key": "corp", "name": "Corp IdP",
                         "apps": [{"app_id": IDP_APP_ID, "app_secret": IDP_APP_SECRET, "name": "Acme approvals"}],
                         "users": [{"user_id": u, "name": f"{u.title()} at the IdP", "password": pw}
                                   for u, pw in IDP_PASSWORDS.items()]}]}


def inbox_seed() -> dict[str, Any]:
    """The web tests' seed, with email addresses for the people the OpenID provider names by email."""
    seed = copy.deepcopy(web_seed())
    for user in seed["tenants"][0]["users"]:
        if user["user_id"] in EMAILS:
            user["email"] = EMAILS[user["user_id"]]
    return seed


def server(workdir: Path, seed: dict[str, Any], args: Sequence[str] = (), *,
           url_host: str = "127.0.0.1") -> ShenpiProcess:
    """A shenpi not started yet (its port is chosen: an OpenID provider can be told its redirect URI first)."""
    workdir.mkdir(parents=True, exist_ok=True)
    return ShenpiProcess(seed, workdir=workdir, args=list(args), url_host=url_host)


def feishu_args(idp: ShenpiProcess, *more: str) -> list[str]:
    """Sign in with Feishu, the identity provider being ``idp``: the browser goes to it as ``localhost`` (its own
    cookies: the inbox is 127.0.0.1), the server calls it on 127.0.0.1."""
    return ["--sso-tenant", "acme", "--feishu-app-id", IDP_APP_ID, "--feishu-app-secret", IDP_APP_SECRET,
            "--feishu-url", f"http://127.0.0.1:{idp.port}", "--feishu-accounts-url", f"http://localhost:{idp.port}",
            *more]


def _need_node() -> str:
    """node, with tests/node installed from its lock file (``npm ci``, as the Node SDK tests do) when the provider
    package is missing; a skip without node, a failure under CI."""
    node, npm = shutil.which("node"), shutil.which("npm")
    missing = "" if node and npm else "node and npm are not installed"
    if not missing and not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        assert npm is not None
        ci = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True,
                            timeout=300)
        if ci.returncode != 0:
            missing = "npm ci in tests/node failed: " + (ci.stdout + ci.stderr)[-2000:]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    assert node is not None
    return node


def issuer(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def oidc_args(port: int, *more: str) -> list[str]:
    """Sign in through the OpenID provider on ``port``."""
    return ["--sso-tenant", "acme", "--oidc-issuer", issuer(port), "--oidc-client-id", OIDC_CLIENT_ID,
            "--oidc-client-secret", OIDC_CLIENT_SECRET, "--oidc-name", "Test IdP", *more]


def callback(srv: ShenpiProcess, provider: str) -> str:
    return f"{srv.base_url}/login/sso/{provider}/callback"


class OidcProvider:
    """The OpenID provider in a child process, for clients redirecting to ``redirect_uris``."""

    def __init__(self, workdir: Path, port: int, redirect_uris: list[str]) -> None:
        node = _need_node()
        self.port = port
        self.issuer = issuer(port)
        config = {"port": self.port, "client_id": OIDC_CLIENT_ID, "client_secret": OIDC_CLIENT_SECRET,
                  "redirect_uris": redirect_uris,
                  "accounts": {u: {"email": e, "name": f"{u.title()} (OIDC)"} for u, e in EMAILS.items()}}
        self.log_path = workdir / "oidc-provider.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([node, "oidc_provider.mjs", json.dumps(config)], cwd=NODE_DIR, stdout=log,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.issuer + "/.well-known/openid-configuration", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.close()
        raise RuntimeError("the OpenID provider did not start:\n" + self.log_path.read_text())

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
