"""/docs in headless Chromium: the page draws every endpoint from /openapi.json (its scopes, fields and codes) and
asks nothing of any other origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from shenpi.api.app import ROUTES
from shenpi.testing import ShenpiProcess


def test_the_docs_page_draws_every_endpoint_from_the_document(new_page: Any, e2e_server: ShenpiProcess) -> None:
    page = new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/docs")
    page.wait_for_selector("section.op")
    assert page.locator("section.op").count() == len(ROUTES)
    for route in ROUTES:
        assert page.locator(f'section[id="{route.endpoint}"] h2').inner_text() == route.endpoint

    reject = page.locator('section[id="approval.v4.task.reject"]')
    text = reject.inner_text()
    for shown in ("/open-apis/approval/v4/tasks/reject", "approval:task", "tenant_access_token", "instance_code",
                  "1390010", "user_id_type"):
        assert shown in text, shown
    assert reject.get_by_role("link", name="Feishu's reference page").get_attribute("href") == (
        "https://open.feishu.cn/document/server-docs/approval-v4/task/reject")

    page.get_by_label("Filter endpoints").fill("apaas.v1.user_task.query")
    assert page.locator("section.op:visible").count() == 1
    assert errors == []
    own = urlsplit(e2e_server.base_url).netloc
    assert requested and all(urlsplit(url).netloc == own for url in requested), requested
