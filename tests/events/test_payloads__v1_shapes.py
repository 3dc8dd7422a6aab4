"""payloads: the v1 events (approval_instance, approval_task, approval_cc) carry exactly Feishu's fields, each with
the JSON type Feishu sends (times are strings of ms, except a reverted instance's operate_time, which is a number)."""

from __future__ import annotations

import json

from shenpi.engine.definitions import node_system_id
from shenpi.events.payloads import render
from tests.events.helpers import APPROVAL, TENANT, app, directory, outbox


def test_approval_instance() -> None:
    a = app()
    ev = outbox("instance", "APPROVED", at=1_666_079_207_003)
    p = render("approval_instance", ev, a, directory(), instance_uuid="6525bffb").payload
    assert set(p) == {"ts", "uuid", "token", "type", "event"}
    assert p["type"] == "event_callback" and p["token"] == a.verification_token
    assert p["ts"] == "1666079207.0030000" and len(p["uuid"]) == 32
    assert p["event"] == {
        "app_id": a.app_id, "tenant_key": TENANT, "type": "approval_instance", "approval_code": APPROVAL,
        "instance_code": "IC-1", "status": "APPROVED", "operate_time": "1666079207003",
        "instance_operate_time": "1666079207003", "uuid": "6525bffb",
    }


def test_approval_instance_reverted_has_int_operate_time() -> None:
    p = render("approval_instance", outbox("instance", "REVERTED", at=5), app(), directory()).payload
    assert p["event"]["operate_time"] == 5 and p["event"]["instance_operate_time"] == "5"


def test_approval_task() -> None:
    ev = outbox("task", "PENDING", task_id="12345", user_id="alice", node_key="manager", at=1_502_199_207_000)
    p = render("approval_task", ev, app(), directory()).payload
    assert p["event"] == {
        "app_id": "cli_events", "open_id": "ou_alice", "tenant_key": TENANT, "type": "approval_task",
        "approval_code": APPROVAL, "instance_code": "IC-1", "task_id": "12345", "user_id": "alice",
        "status": "PENDING", "operate_time": "1502199207000", "custom_key": "manager",
        "def_key": node_system_id(APPROVAL, "manager"),
    }


def test_approval_task_extra_is_a_json_string_and_auto_pass_has_no_user() -> None:
    extra = {"rollback_node_ids": ["nodeid"], "rollback_custom_node_ids": ["customnodeid"]}
    ev = outbox("task", "ROLLBACK", task_id="1", user_id="", node_key="n", extra=extra)
    e = render("approval_task", ev, app(), directory()).payload["event"]
    assert json.loads(e["extra"]) == extra and isinstance(e["extra"], str)
    assert e["open_id"] == "" and e["user_id"] == ""


def test_approval_cc() -> None:
    ev = outbox("cc", "CREATE", user_id="carol", extra={"from": "alice", "id": "777"}, at=1_502_199_207_000)
    p = render("approval_cc", ev, app(), directory()).payload
    assert p["event"] == {
        "app_id": "cli_events", "tenant_key": TENANT, "type": "approval_cc", "approval_code": APPROVAL,
        "instance_code": "IC-1", "id": "777", "user_id": "carol", "create_time": 1502199207000,
        "operate": "CREATE", "from": "alice",
    }


def test_from_row_reads_the_table_row_and_the_flattened_dict() -> None:
    from shenpi.events.payloads import OutboxEvent

    payload = {"task_id": "9", "user_id": "bob", "node_key": "k", "operate_time": 42, "extra": {}}
    table = {"id": 3, "tenant_key": TENANT, "approval_code": APPROVAL, "instance_code": "IC-9", "kind": "task",
             "status": "PENDING", "payload": json.dumps(payload), "created_at": 42}
    flat = {k: v for k, v in table.items() if k not in ("payload", "tenant_key")} | payload
    assert OutboxEvent.from_row(table) == OutboxEvent.from_row(flat, tenant_key=TENANT)
    assert OutboxEvent.from_row(table).user_id == "bob"
