"""Headless Chromium (Debian's ``chromium`` package) driven by Playwright for Python, against a real server.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` by ``executable_path``. Where that
binary is missing the tests skip — except under CI (``CI=true``), where ``.ci/run`` installs it and a missing
browser is a failure, not a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shenpi.testing import ShenpiProcess, forget_sdk_tokens
from tests.conftest import start_server
from tests.web.seed import web_seed

CHROMIUM = "/usr/bin/chromium"
# Screenshots go outside the tracked tree, so a test run never rewrites the repository: to a folder named by
# SHENPI_SCREENSHOTS (copy them to docs/screenshots by hand to refresh the README's pictures), or a temporary one.
_SCREENSHOTS_ENV = os.environ.get("SHENPI_SCREENSHOTS", "")


def _need_browser() -> None:
    missing = ""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[test]')"
    if not missing and not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShenpiProcess]:
    _need_browser()
    srv = start_server(tmp_path_factory.mktemp("e2e"), "e2e", seed=web_seed())
    yield srv
    srv.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(_SCREENSHOTS_ENV) if _SCREENSHOTS_ENV else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Module-scoped, not session: Playwright's sync API runs an event loop in this thread while it is open,
    and every later test that calls ``asyncio.run`` would fail until it closes."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI and these machines run as root, where Chromium's sandbox refuses to start.
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Any, e2e_server: ShenpiProcess) -> Iterator[Any]:
    """``new_page()`` opens a fresh browser context (its own cookies: one person) and a page in it."""
    contexts: list[Any] = []

    def make(width: int = 1280, height: int = 860) -> Any:
        ctx = chromium.new_context(base_url=e2e_server.base_url, viewport={"width": width, "height": height},
                                   locale="en-US", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(15_000)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture(scope="session")
def e2e_sdk(e2e_server: ShenpiProcess) -> Iterator[Any]:
    import lark_oapi as lark

    forget_sdk_tokens()
    yield (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(e2e_server.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    forget_sdk_tokens()
