"""A definition saved in the web admin's editor reaches a subscribed app as ``approval.approval.updated_v4``:
queued in the transaction that saves it, sent by the delivery worker, and decoded by lark-oapi's own handler."""

from __future__ import annotations

import asyncio
import html
import json
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import SubscribeApprovalRequest

from shenpi.store.records import App
from shenpi.testing import forget_sdk_tokens
from tests.conftest import start_server
from tests.events.helpers import lark_handler
from tests.events.receiver import Receiver
from tests.web.helpers import WebClient
from tests.web.seed import web_seed

KEY, TOKEN = "web_definition_key", "web_definition_token"


class Setup:
    def __init__(self, tmp: Any, backend: str) -> None:
        self.events: list[tuple[str, Any]] = []
        app = App(app_id="cli_web", tenant_key="acme", app_secret="", encrypt_key=KEY, verification_token=TOKEN)
        self.receiver = Receiver(lark_handler(app, self.events))
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self.receiver.__aenter__(), self.loop).result(5)
        seed = web_seed()
        for a in seed["tenants"][0]["apps"]:
            if a["app_id"] == "cli_web":
                a.update(event_url=self.receiver.url, encrypt_key=KEY, verification_token=TOKEN)
        self.server = start_server(tmp, "web-events", backend, seed)

    def close(self) -> None:
        self.server.close()
        asyncio.run_coroutine_threadsafe(self.receiver.__aexit__(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def setup(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    s = Setup(tmp_path_factory.mktemp("web-events"), backend)
    yield s
    s.close()
    forget_sdk_tokens()


def _editor_body(page: str) -> dict[str, Any]:
    text = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert text is not None
    body: dict[str, Any] = json.loads(html.unescape(text.group(1)))
    return body


def test_a_definition_saved_in_the_web_admin_reaches_a_subscribed_app(setup):
    forget_sdk_tokens()
    sdk = (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(setup.server.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    assert sdk.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("BACK").build()).code == 0

    dana = WebClient(setup.server.base_url)
    try:
        dana.sign_in("acme", "dana", "dana-pw")
        body = _editor_body(dana.page("/admin/definitions/BACK"))
        r = dana.post("/admin/definitions/BACK", {"format": "json", "body": json.dumps(body), "do": "save"})
        assert r.status_code == 303
        version = re.search(r"Version (\d+)", dana.page("/admin/definitions/BACK?lang=en"))
        assert version is not None
    finally:
        dana.close()

    deadline = time.time() + 20
    while time.time() < deadline and not setup.events:
        time.sleep(0.05)
    assert [t for t, _ in setup.events] == ["approval.approval.updated_v4"]
    data = setup.events[0][1]  # lark-oapi's typed P2ApprovalApprovalUpdatedV4, decrypted and verified by the SDK
    assert data.header.app_id == "cli_web" and data.header.tenant_key == "acme"
    assert data.event.object.approval_code == "BACK"
    assert data.event.object.version_id == version.group(1)

    # It went through the queue the delivery worker drains (marked delivered once the receiver answered 200).
    def deliveries() -> list[tuple[str, str]]:
        items = httpx.get(setup.server.base_url + "/_shenpi/deliveries", params={"app_id": "cli_web"},
                          headers={"Authorization": f"Bearer {setup.server.admin_token}"}).json()["data"]["items"]
        return [(d["event_type"], d["state"]) for d in items]

    while time.time() < deadline and deliveries() != [("approval.approval.updated_v4", "delivered")]:
        time.sleep(0.05)
    assert deliveries() == [("approval.approval.updated_v4", "delivered")]


def test_a_version_published_in_the_designer_reaches_a_subscribed_app(setup):
    from tests.web.designer_form import Designer

    forget_sdk_tokens()
    sdk = (lark.Client.builder().app_id("cli_web").app_secret("web-secret").domain(setup.server.base_url)
           .log_level(lark.LogLevel.ERROR).build())
    subscribed = sdk.approval.v4.approval.subscribe(SubscribeApprovalRequest.builder().approval_code("BACK").build())
    assert subscribed.code in (0, 1390007)  # 1390007: the test above subscribed it already
    before = len(setup.events)
    dana = WebClient(setup.server.base_url)
    try:
        dana.sign_in("acme", "dana", "dana-pw")
        designer = Designer(dana, "BACK")
        designer.press("publish", name_en="Send-back flow, redesigned")
        assert designer.status == 303, designer.errors()
        version = re.search(r"Version (\d+)", dana.page("/admin/definitions/BACK?lang=en"))
        assert version is not None
    finally:
        dana.close()
    deadline = time.time() + 20
    while time.time() < deadline and len(setup.events) == before:
        time.sleep(0.05)
    assert [t for t, _ in setup.events[before:]] == ["approval.approval.updated_v4"]
    assert setup.events[-1][1].event.object.version_id == version.group(1)
