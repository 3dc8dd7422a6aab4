"""Pieces of the web app that need no server: translations, passwords, the form's messages."""

from __future__ import annotations

import ast
import hashlib
import json
import re
import secrets
from pathlib import Path

import pytest

from shenpi.engine.definitions import build_definition
from shenpi.engine.errors import ParamInvalid
from shenpi.engine.form import parse_form
from shenpi.seed import hash_password, password_needs_rehash, verify_password
from shenpi.web import i18n
from shenpi.web.forms import build_fields
from tests.web.seed import web_seed

WEB = Path(__file__).resolve().parents[2] / "shenpi" / "web"


def _template_strings() -> set[str]:
    found: set[str] = set()
    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', text))
        found |= set(re.findall(r"\bt\('((?:[^'\\]|\\.)*)'", text))
    return found


def _python_strings() -> set[str]:
    """Literals passed to ctx.t(...) / t(...) in the views, and the label tables they look up."""
    found: set[str] = set()
    for path in WEB.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                    and ((isinstance(node.func, ast.Attribute) and node.func.attr == "t")
                         or (isinstance(node.func, ast.Name) and node.func.id == "t"))):
                found.add(node.args[0].value)
    from shenpi.web.views.inbox import TABS
    from shenpi.web.views.instance import CHOOSE, FLASH

    found |= {label for _, label in TABS} | set(FLASH.values()) | {missing for _, _, missing in CHOOSE.values()}
    found |= set(i18n.INSTANCE_STATUS.values()) | set(i18n.TASK_STATUS.values()) | set(i18n.NODE_TYPE.values())
    found |= {"approved", "rejected", "transferred"}
    return found


def test_every_string_has_a_chinese_translation():
    wanted = _template_strings() | _python_strings()
    assert len(wanted) > 150
    missing = sorted(s for s in wanted if s not in i18n.ZH)
    assert missing == []


def test_translations_keep_their_placeholders():
    for en, zh in i18n.ZH.items():
        assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh)), en


def test_the_english_action_names_are_fixed():
    html = (WEB / "templates" / "instance.html").read_text(encoding="utf-8")
    for name in ("Approve", "Reject", "Transfer", "Add approver", "Roll back", "CC", "Comment", "Cancel", "Resubmit"):
        assert f'{{{{ t("{name}") }}}}</button>' in html, name


def test_language_from_the_browser():
    assert i18n.from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert i18n.from_accept_language("zh-TW") == "zh"
    assert i18n.from_accept_language("en-US,en;q=0.9,zh;q=0.8") == "en"
    assert i18n.from_accept_language("") == "en"


def test_new_passwords_are_argon2id_and_old_scrypt_ones_still_verify():
    new = hash_password("pw")
    assert new.startswith("$argon2id$") and verify_password("pw", new) and not verify_password("PW", new)
    assert not password_needs_rehash(new)
    salt = secrets.token_bytes(16)
    old = f"scrypt$16384$8$1${salt.hex()}${hashlib.scrypt(b'pw', salt=salt, n=2**14, r=8, p=1, dklen=32).hex()}"
    assert verify_password("pw", old) and not verify_password("px", old) and password_needs_rehash(old)
    for broken in ("", "garbage", "$argon2id$broken", "scrypt$x$y$z$00$00"):
        assert not verify_password("pw", broken)


def test_the_browser_messages_are_the_apis():
    body = web_seed()["tenants"][0]["approvals"][0]
    d = build_definition(body, tenant_key="acme", approval_code="LEAVE", approval_id=1)
    fields = {f.widget.id: f for f in build_fields(d, "en-US")}
    for wid, msgs in (("days", {"required", "number"}), ("amount", {"required", "number"}), ("reason", {"required"})):
        assert set(fields[wid].messages) >= msgs
    cases = {"number": [{"id": "days", "type": "number", "value": "x"}],
             "required": [{"id": "reason", "type": "textarea"}]}
    for kind, form in cases.items():
        with pytest.raises(ParamInvalid) as e:
            parse_form(d, json.dumps(form))
        assert fields[form[0]["id"]].messages[kind] == e.value.detail


def test_templates_and_static_files_are_package_data():
    import tomllib

    pyproject = tomllib.loads((WEB.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    data = pyproject["tool"]["setuptools"]["package-data"]["shenpi"]
    assert "web/templates/*.html" in data and "web/static/*" in data
    # "web/static/*" takes every file there but no folder: each area's file sits directly in static/.
    names = {p.name for p in (WEB / "static").iterdir()}
    assert {"app.css", "app.js", "designer.js", "inbox.js", "notifications.js"} <= names
    assert all(p.is_file() for p in (WEB / "static").iterdir())
