"""The web start form holds each value to its widget's settings — limits, decimal places, negative amounts,
lengths, currencies — and says so naming the field, in the page's language; the Open API keeps to its contract and
accepts what it always did (an amount of -5.00 CNY)."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from shenpi.web import i18n
from shenpi.web.field_rules import setting_problem
from shenpi.web.views.inbox import SORTS
from shenpi.web.views.instance import LAST_FLASH, NEXT_FLASH


def _errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]+)<', html)


def test_a_negative_amount_is_refused_on_the_web_naming_the_field(browser, web_server):
    alice = browser("alice")
    base = {"w.reason": "taxi", "w.days": "1", "w.amount.currency": "CNY"}
    r = alice.post("/start/LEAVE?lang=en", {**base, "w.amount": "-5.00"}, csrf_from="/start/LEAVE")
    assert r.status_code == 400 and _errors(r.text) == ["Amount: must not be negative."]
    r = alice.post("/start/LEAVE?lang=zh", {**base, "w.amount": "-5.00"}, csrf_from="/start/LEAVE")
    assert r.status_code == 400 and _errors(r.text) == ["金额：不能为负数。"]
    r = alice.post("/start/LEAVE?lang=en", {**base, "w.amount": "1.234"}, csrf_from="/start/LEAVE")
    assert _errors(r.text) == ["Amount: at most 2 decimal places."]
    r = alice.post("/start/LEAVE?lang=zh", {**base, "w.amount": "1.234"}, csrf_from="/start/LEAVE")
    assert _errors(r.text) == ["金额：最多 2 位小数。"]
    r = alice.post("/start/LEAVE?lang=en", {**base, "w.amount": "5", "w.amount.currency": "XYZ"},
                   csrf_from="/start/LEAVE")
    assert _errors(r.text) == ["Amount: choose one of the currencies CNY, USD, EUR, JPY, HKD, GBP, SGD."]
    r = alice.post("/start/LEAVE?lang=en", {**base, "w.amount": "5.10"}, csrf_from="/start/LEAVE")
    assert r.status_code == 303  # within the settings: submitted
    # The Open API is not the web form: its contract takes the negative amount, as it did.
    token = httpx.post(web_server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                       json={"app_id": "cli_web", "app_secret": "web-secret"}).json()["tenant_access_token"]
    api = httpx.post(web_server.base_url + "/open-apis/approval/v4/instances",
                     headers={"Authorization": f"Bearer {token}"},
                     json={"approval_code": "LEAVE", "user_id": "alice", "form": json.dumps(
                         [{"id": "reason", "type": "textarea", "value": "x"}, {"id": "days", "type": "number",
                                                                              "value": 1},
                          {"id": "amount", "type": "amount", "value": -5.0, "currency": "CNY"}])}).json()
    assert api["code"] == 0


def _problem(kind: str, raw: dict[str, Any], value: Any, lang: str = "en", currency: str = "") -> str:
    return setting_problem(kind=kind, raw=raw, label="Fee", lang=lang, value=value, currency=currency)


def test_each_setting_and_its_message():
    assert _problem("amount", {}, 0) == "" and _problem("amount", {}, "12.30") == ""
    assert _problem("amount", {"allowNegative": True}, -5) == ""
    assert _problem("amount", {"min": -10}, -5) == ""
    assert _problem("amount", {"min": -10}, -11) == "Fee: must be at least -10."
    assert _problem("number", {}, -5) == ""  # a number may be negative unless told otherwise
    assert _problem("number", {"allowNegative": False}, -5) == "Fee: must not be negative."
    assert _problem("number", {"minValue": 1}, 0) == "Fee: must be at least 1."
    assert _problem("number", {"max": 10}, 10) == "" and _problem("number", {"max": 10}, 10.5) == \
        "Fee: must be at most 10."
    assert _problem("number", {"maxValue": "1e3"}, 1001, "zh") == "Fee：不能大于 1000。"
    assert _problem("number", {"precision": 0}, 1.5) == "Fee: must be a whole number."
    assert _problem("number", {"decimals": 1}, "1.25", "zh") == "Fee：最多 1 位小数。"
    assert _problem("amount", {"precision": 4}, "1.2345") == ""
    assert _problem("amount", {"currencies": ["USD"]}, 1, currency="CNY") == \
        "Fee: choose one of the currencies USD."
    assert _problem("input", {"maxLength": 3}, "abcd") == "Fee: at most 3 characters."
    assert _problem("textarea", {"min_length": 2}, "a", "zh") == "Fee：至少 2 个字符。"
    assert _problem("input", {"maxLength": 3}, "出差费") == ""  # characters, not bytes
    assert _problem("number", {}, "two") == ""  # not a number at all: the API's own message says so


def test_the_inbox_strings_have_chinese():
    tables = [*NEXT_FLASH.values(), *LAST_FLASH.values(), *(label for _, label in SORTS)]
    source = (i18n.__file__.rsplit("/", 1)[0]) + "/field_rules.py"
    tables += re.findall(r'say\("((?:[^"\\]|\\.)*)"', open(source, encoding="utf-8").read())
    assert len(tables) > 15
    assert [s for s in tables if s not in i18n.ZH] == []
