"""Node SDK: ``@larksuiteoapi/node-sdk`` 1.74.0's EventDispatcher accepts what shenpi sends (encrypted and plain,
v1 and v2, url_verification) and refuses a body that is not compact JSON. pytest builds the deliveries with
shenpi's own code and runs ``node --test`` on them, so the single pytest command covers the Node side too."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from shenpi.engine.directory import Directory, User
from shenpi.engine.model import Definition, Settings
from shenpi.events.crypto import encrypt, signature
from shenpi.events.delivery import build_request
from shenpi.events.handshake import challenge_body
from shenpi.events.payloads import OutboxEvent, approval_updated_from_definition, render
from shenpi.store.records import App
from tests.node.test_node__api import node_tools

HERE = Path(__file__).parent
KEY = "node_encrypt_key_456"
TOKEN = "node_verification_token"
NOW = 1_700_000_000_000
APPROVAL = "7C468A54-8745-2245-9675-08B7C63E7A85"


def _app(key: str) -> App:
    return App(app_id="cli_node", tenant_key="t_node", app_secret="s", event_url="http://x", verification_token=TOKEN,
               encrypt_key=key)


def _row(kind: str, status: str, **kw: Any) -> OutboxEvent:
    return OutboxEvent(id=kw.pop("oid", 1), tenant_key="t_node", approval_code=APPROVAL, instance_code="IC-N",
                       kind=kind, status=status, operate_time=NOW, created_at=NOW, **kw)


def _case(name: str, key: str, plaintext: bytes, expect: dict[str, Any]) -> dict[str, Any]:
    headers, body = build_request(_app(key), plaintext, NOW)
    return {"name": name, "encryptKey": key, "verificationToken": TOKEN, "headers": headers,
            "body": body.decode("utf-8"), "expect": expect}


def fixtures() -> list[dict[str, Any]]:
    users = Directory("t_node", [User("bob", "Bob", "ou_bob", "on_bob", "17bob")], [])
    cases = []
    for key, mode in ((KEY, "encrypted"), ("", "plain")):
        inst = render("approval_instance", _row("instance", "APPROVED"), _app(key), users, instance_uuid="u-9")
        cases.append(_case(f"{mode} v1 approval_instance", key, inst.body(), {
            "handled": True, "type": "approval_instance",
            # the SDK flattens event and envelope; the envelope's uuid (the event id) wins over event.uuid
            "fields": {"instance_code": "IC-N", "status": "APPROVED", "uuid": inst.event_id, "token": TOKEN}}))
        task = render("approval.task.status_changed_v4",
                      _row("task", "PENDING", task_id="88", user_id="bob", oid=2), _app(key), users)
        cases.append(_case(f"{mode} v2 approval.task.status_changed_v4", key, task.body(), {
            "handled": True, "type": "approval.task.status_changed_v4",
            "fields": {"event_id": task.event_id, "task_id": "88", "status": "PENDING",
                       "assigned_user": {"user_id": "bob", "open_id": "ou_bob", "union_id": "on_bob"}}}))
        cases.append(_case(f"{mode} url_verification", key, challenge_body("ch-" + mode, TOKEN),
                           {"challenge": "ch-" + mode}))
    definition = Definition(tenant_key="t_node", code=APPROVAL, approval_id=3, name="n", status="ACTIVE", widgets=[],
                            nodes=[], settings=Settings(), body={"form": "[]", "node_list": [{"id": "审批人"}]})
    upd = approval_updated_from_definition(_app(KEY), definition, NOW)
    cases.append(_case("encrypted v2 approval.approval.updated_v4 with non-ASCII text", KEY, upd.body(), {
        "handled": True, "type": "approval.approval.updated_v4",
        "fields": {"object": json.loads(upd.body())["event"]["object"]}}))
    # Negative control: the same event with ", " / ": " spacing, signed over exactly those bytes. Python's SDK would
    # take it; Node re-serializes the parsed body before checking, so it must refuse it. Shenpi sends compact JSON.
    spaced = json.dumps({"encrypt": encrypt(KEY, inst.body())}, separators=(", ", ": "))
    ts, nonce = "1700000000", "n0nce"
    cases.append({"name": "spaced JSON is refused by the Node verifier", "encryptKey": KEY, "verificationToken": TOKEN,
                  "headers": {"Content-Type": "application/json; charset=utf-8", "X-Lark-Request-Timestamp": ts,
                              "X-Lark-Request-Nonce": nonce,
                              "X-Lark-Signature": signature(ts, nonce, KEY, spaced.encode())},
                  "body": spaced, "expect": {"handled": False}})
    return cases


def test_node_event_dispatcher_accepts_shenpi_deliveries(tmp_path: Path) -> None:
    node, _ = node_tools()
    path = tmp_path / "fixtures.json"
    cases = fixtures()
    path.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([node, "--test", "--test-reporter=spec", "events.test.js"], cwd=HERE, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "SHENPI_FIXTURES": str(path)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"pass {len(cases)}" in proc.stdout and "fail 0" in proc.stdout, proc.stdout
