"""Admin pages: only the app's admins; definitions with a validating JSON/YAML editor; apps; the outbox."""

from __future__ import annotations

import json
import re

import yaml

from tests.web.instances import create


def test_only_admins_get_in(browser):
    alice = browser("alice")
    for path in ("/admin/definitions", "/admin/definitions/LEAVE", "/admin/apps", "/admin/outbox"):
        assert alice.get(path).status_code == 403, path
    r = alice.post("/admin/definitions/LEAVE", {"format": "json", "body": "{}", "do": "save"}, csrf_from="/inbox")
    assert r.status_code == 403
    assert "/admin/" not in alice.page("/inbox")  # no admin link either
    assert 'href="/admin/definitions"' in browser("dana").page("/inbox")


def test_definitions_list_and_detail(browser):
    dana = browser("dana")
    html = dana.page("/admin/definitions?lang=en")
    assert {"LEAVE", "BACK", "PRIVATE"} <= set(re.findall(r'href="/admin/definitions/([A-Z-]+)"', html))
    assert "G-LEAVE" not in html  # another tenant's
    detail = dana.page("/admin/definitions/LEAVE?lang=en")
    body = re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', detail, re.S).group(1)
    assert json.loads(body.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                      .replace("&gt;", ">").replace("&#39;", "'"))["approval_code"] == "LEAVE"
    as_yaml = dana.page("/admin/definitions/LEAVE?format=yaml")
    assert "approval_code: LEAVE" in as_yaml
    assert dana.get("/admin/definitions/G-LEAVE").status_code == 404


def _editor_text(html: str) -> str:
    import html as h

    return h.unescape(re.search(r'<textarea id="body"[^>]*>(.*?)</textarea>', html, re.S).group(1))


def test_the_editor_validates_and_saves(browser, sdk):
    dana = browser("dana")
    body = json.loads(_editor_text(dana.page("/admin/definitions/BACK")))
    broken = {**body, "node_list": body["node_list"][1:]}  # START missing
    r = dana.post("/admin/definitions/BACK", {"format": "json", "body": json.dumps(broken), "do": "validate"})
    assert r.status_code == 400 and "param is invalid (1390001) — node_list[0].id must be START" in r.text
    r = dana.post("/admin/definitions/BACK", {"format": "json", "body": "{not json", "do": "validate"},
                  csrf_from="/admin/definitions/BACK")
    assert r.status_code == 400 and "The text is not valid JSON" in r.text
    r = dana.post("/admin/definitions/BACK", {"format": "yaml", "body": "- a list", "do": "save"},
                  csrf_from="/admin/definitions/BACK")
    assert r.status_code == 400 and "A definition is an object" in r.text
    r = dana.post("/admin/definitions/BACK", {"format": "json", "body": json.dumps(body), "do": "validate"},
                  csrf_from="/admin/definitions/BACK")
    assert r.status_code == 200 and "The definition is valid." in r.text
    before = int(re.search(r"Version (\d+)", dana.page("/admin/definitions/BACK?lang=en")).group(1))
    renamed = {**body, "approval_code": "IGNORED", "settings": {"reject_option": 1, "revert_interval": 60}}
    r = dana.post("/admin/definitions/BACK", {"format": "yaml", "body": yaml.safe_dump(renamed), "do": "save"},
                  csrf_from="/admin/definitions/BACK")
    assert r.status_code == 303 and r.headers["location"].startswith("/admin/definitions/BACK?ok=1")
    after = dana.page(r.headers["location"] + "&lang=en")
    assert f"Saved as version {before + 1}." in after
    create(sdk, approval_code="BACK")  # still works after the overwrite


def test_a_new_definition_gets_a_new_code(browser):
    dana = browser("dana")
    text = _editor_text(dana.page("/admin/definitions/new"))
    body = json.loads(text)
    body["approval_name"] = "Laptop request"
    r = dana.post("/admin/definitions/new", {"format": "json", "body": json.dumps(body), "do": "save"})
    assert r.status_code == 303
    code = r.headers["location"].split("/admin/definitions/")[1].split("?")[0]
    assert re.fullmatch(r"[0-9A-F-]{36}", code)
    assert "Laptop request" in browser("alice").page("/start")


def test_apps_show_event_configuration_without_secrets(browser):
    html = browser("dana").page("/admin/apps?lang=en")
    assert "cli_web" in html and "http://127.0.0.1:9/events" in html
    assert "Callback to the event URL" in html  # how its events reach it (an app with a URL: by callback)
    assert "vt-1…" in html and "vt-1234567890" not in html
    assert "web-secret" not in html
    assert "cli_globex" not in html


def test_the_outbox_lists_events_and_takes_redelivery_requests(browser, sdk):
    code = create(sdk)
    dana = browser("dana")
    html = dana.page(f"/admin/outbox?instance={code}&lang=en")
    ids = re.findall(r'name="outbox_id" value="(\d+)"', html)
    assert ids, html[-3000:]
    r = dana.post(f"/admin/outbox?instance={code}", {"outbox_id": ids[:2]}, csrf_from="/admin/outbox")
    assert r.status_code == 303
    after = dana.page(r.headers["location"] + f"&instance={code}&lang=en")
    assert "Redelivery requested for 2 events." in after
    assert len(re.findall(r"<td><time", after)) >= 2  # the requested-at column is filled in
    r = dana.post("/admin/outbox", {}, csrf_from="/admin/outbox")
    assert r.status_code == 400


def test_redelivery_stays_inside_the_tenant(browser, web_server):
    import sqlite3

    import httpx
    import pytest

    if not web_server.db_url.startswith("sqlite:///"):
        pytest.skip("reads another tenant's outbox ids from the SQLite file")
    token = httpx.post(web_server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_globex", "app_secret": "globex-secret"}).json()["tenant_access_token"]
    created = httpx.post(web_server.base_url + "/open-apis/approval/v4/instances",
                         headers={"Authorization": f"Bearer {token}"},
                         json={"approval_code": "G-LEAVE", "user_id": "gus",
                               "form": json.dumps([{"id": "reason", "type": "textarea", "value": "x"}])}).json()
    assert created["code"] == 0, created
    with sqlite3.connect(web_server.db_url.removeprefix("sqlite:///")) as db:
        foreign = db.execute("SELECT MIN(id) FROM outbox WHERE tenant_key = 'globex'").fetchone()[0]
    dana = browser("dana")
    r = dana.post("/admin/outbox", {"outbox_id": [str(foreign)]}, csrf_from="/admin/outbox")
    assert r.headers["location"] == "/admin/outbox?redelivered=0"
    assert f'value="{foreign}"' not in dana.page("/admin/outbox")
