"""A real shenpi server with the web seed, shared by the web tests (they create their own instances)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import lark_oapi as lark
import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.web.helpers import WebClient
from tests.web.seed import web_seed

PASSWORDS = {(t["tenant_key"], u["user_id"]): u.get("password", "") for t in web_seed()["tenants"] for u in t["users"]}


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    srv = start_server(tmp_path_factory.mktemp("web"), "web", seed=web_seed())
    yield srv
    srv.close()


@pytest.fixture
def browser(web_server: ShenpiProcess) -> Iterator[Callable[..., WebClient]]:
    """``browser("alice")`` is a client signed in as that user (tenant acme unless given)."""
    made: list[WebClient] = []

    def make(user_id: str | None = None, tenant_key: str = "acme") -> WebClient:
        c = WebClient(web_server.base_url)
        made.append(c)
        if user_id is not None:
            c.sign_in(tenant_key, user_id, PASSWORDS[(tenant_key, user_id)])
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture(scope="session")
def sdk(web_server: ShenpiProcess) -> Iterator[lark.Client]:
    forget_sdk_tokens()
    yield (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(web_server.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    forget_sdk_tokens()
