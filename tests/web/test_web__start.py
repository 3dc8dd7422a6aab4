"""Starting a request from a definition's widgets: who sees which definition, and the API's own messages."""

from __future__ import annotations

import json
import re

import httpx

from tests.web.instances import get


def _starts(html: str) -> set[str]:
    return set(re.findall(r'href="/start/([^"]+)"', html))


def test_the_start_list_follows_the_definitions_viewers(browser):
    # (other tests may add definitions the whole tenant sees: compare what these three say about each)
    alice, erin, dana = (_starts(browser(u).page("/start")) for u in ("alice", "erin", "dana"))
    assert {"LEAVE", "BACK"} <= alice and "PRIVATE" not in alice
    assert {"LEAVE", "BACK", "PRIVATE"} <= erin  # viewer_user_id erin
    assert {"LEAVE", "BACK", "PRIVATE"} <= dana  # admins see every one
    assert _starts(browser("gus", tenant_key="globex").page("/start")) == {"G-LEAVE"}
    assert browser("alice").get("/start/PRIVATE").status_code == 404
    assert browser("gus", tenant_key="globex").get("/start/LEAVE").status_code == 404


def test_every_widget_type_is_rendered_with_a_label(browser):
    html = browser("alice").page("/start/LEAVE?lang=en")
    for kind in ("textarea", "number", "amount", "radioV2", "checkboxV2", "date", "dateInterval", "input", "contact"):
        assert f'data-field="{kind}"' in html, kind
    for label in ("Reason", "Days", "Amount", "Kind", "Tags", "Start date", "Period", "Note", "Backup"):
        assert f"{label} <span" in html or f">{label}</label>" in html or f"<legend>{label}" in html, label
    assert 'data-msg-required="控件= reason: value is required"' in html
    assert 'data-msg-number="控件= days: value must be a number"' in html


def test_submitting_every_widget_type(browser, sdk):
    alice = browser("alice")
    form = {"title": "Everything", "w.reason": "a\nb", "w.days": "1.5", "w.amount": "99.9", "w.amount.currency": "USD",
            "w.kind": "annual", "w.tags": ["a", "b"], "w.start": "2025-04-01", "w.period.start": "2025-04-01",
            "w.period.end": "2025-04-02", "w.note": "n", "w.backup": ["carol", "erin"]}
    r = alice.post("/start/LEAVE", form)
    assert r.status_code == 303, r.text[:2000]
    code = r.headers["location"].split("/instances/")[1].split("?")[0]
    data = get(sdk, code)
    values = {e["id"]: e for e in json.loads(data.form)}
    assert values["reason"]["value"] == "a\nb" and values["days"]["value"] == 1.5
    assert (values["amount"]["value"], values["amount"]["currency"]) == (99.9, "USD")
    assert values["kind"]["value"] == "annual" and values["tags"]["value"] == ["a", "b"]
    assert values["start"]["value"].startswith("2025-04-01T00:00:00")
    assert values["period"]["value"]["interval"] == 2
    assert len(values["backup"]["value"]) == 2 and all(v.startswith("ou_") for v in values["backup"]["value"])
    html = alice.page(f"/instances/{code}?lang=en")
    for shown in ("99.90 USD", "Annual", "Alpha", "Beta", "2025-04-01 – 2025-04-02 · 2 days", "Carol", "Erin"):
        assert shown in html, shown


def test_missing_and_wrong_values_get_the_api_messages(browser, web_server):
    alice = browser("alice")
    r = alice.post("/start/LEAVE", {"w.reason": "", "w.days": "two"})
    assert r.status_code == 400
    errors = re.findall(r'class="field-error"[^>]*>([^<]+)<', r.text)
    assert errors == ["控件= reason: value is required", "控件= days: value must be a number"]
    # the Open API says the same about the same value
    token = httpx.post(web_server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_web", "app_secret": "web-secret"}).json()["tenant_access_token"]
    api = httpx.post(web_server.base_url + "/open-apis/approval/v4/instances",
                     headers={"Authorization": f"Bearer {token}"},
                     json={"approval_code": "LEAVE", "user_id": "alice",
                           "form": json.dumps([{"id": "days", "type": "number", "value": "two"}])}).json()
    assert api["code"] == 1390001 and api["error"]["message"] == "控件= days: value must be a number"
    r = alice.post("/start/LEAVE", {"w.reason": "x", "w.days": "two"})
    assert "param is invalid (1390001) — 控件= days: value must be a number" in r.text
    r = alice.post("/start/LEAVE", {"w.reason": "x", "w.days": "1", "w.period.start": "2025-05-02",
                                    "w.period.end": "2025-05-01"})
    assert r.status_code == 400 and "控件= period: end must not be before start" in r.text


def test_a_failed_submit_keeps_what_was_typed(browser):
    r = browser("alice").post("/start/LEAVE", {"w.reason": "keep me", "w.days": "", "w.kind": "sick",
                                               "w.tags": ["b"]})
    assert r.status_code == 400
    assert ">keep me</textarea>" in r.text
    assert re.search(r'value="sick"\s+checked', r.text) and re.search(r'value="b"\s+checked', r.text)
