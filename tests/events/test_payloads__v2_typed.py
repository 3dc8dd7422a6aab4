"""payloads: the v2 events parse into lark-oapi's typed event classes with every field we know filled."""

from __future__ import annotations

from lark_oapi.api.approval.v4.model import (
    P2ApprovalApprovalUpdatedV4,
    P2ApprovalInstanceStatusChangedV4,
    P2ApprovalTaskStatusChangedV4,
)
from lark_oapi.core.json import JSON

from shenpi.engine.model import Definition, Settings
from shenpi.events.payloads import approval_updated_from_definition, render
from tests.events.helpers import APPROVAL, TENANT, app, directory, outbox


def test_instance_status_changed_v4() -> None:
    a = app()
    ev = outbox("instance", "PENDING", at=1_700_000_000_123)
    r = render("approval.instance.status_changed_v4", ev, a, directory(), instance_uuid="u-1", start_user_id="alice")
    assert set(r.payload) == {"schema", "header", "event"} and r.payload["schema"] == "2.0"
    d = JSON.unmarshal(r.body().decode(), P2ApprovalInstanceStatusChangedV4)
    h = d.header
    assert (h.event_id, h.token, h.create_time, h.event_type, h.tenant_key, h.app_id) == (
        r.event_id, a.verification_token, "1700000000123", "approval.instance.status_changed_v4", TENANT, a.app_id)
    e = d.event
    assert (e.approval_code, e.instance_code, e.external_id, e.status, e.operate_time) == (
        APPROVAL, "IC-1", "u-1", "PENDING", "1700000000123")
    assert (e.start_user.user_id, e.start_user.open_id, e.start_user.union_id) == ("alice", "ou_alice", "on_alice")
    assert e.subscriber_id_list == []


def test_task_status_changed_v4() -> None:
    ev = outbox("task", "APPROVED", task_id="42", user_id="bob")
    r = render("approval.task.status_changed_v4", ev, app(), directory())
    d = JSON.unmarshal(r.body().decode(), P2ApprovalTaskStatusChangedV4)
    assert (d.event.task_id, d.event.status, d.event.instance_code) == ("42", "APPROVED", "IC-1")
    assert (d.event.assigned_user.user_id, d.event.assigned_user.open_id) == ("bob", "ou_bob")


def test_approval_updated_v4_from_a_definition() -> None:
    body = {
        "approval_name": "@i18n@n",
        "form": '[{"id":"w1","type":"input","name":"@i18n@w"}]',
        "node_list": [{"id": "START"}, {"id": "mgr", "name": "@i18n@m", "node_type": "AND",
                                          "approver": [{"type": "Supervisor", "level": 1}]}, {"id": "END"}],
        "settings": {},
        "i18n_resources": [{"locale": "zh-CN", "is_default": True,
                            "texts": [{"key": "@i18n@n", "value": "报销"}, {"key": "@i18n@w", "value": "事由"},
                                      {"key": "@i18n@m", "value": "主管"}]}],
    }
    definition = Definition(tenant_key=TENANT, code=APPROVAL, approval_id=7001, name="@i18n@n", status="ACTIVE",
                            widgets=[], nodes=[], settings=Settings(), body=body, version=3)
    r = approval_updated_from_definition(app(), definition, 1_700_000_000_999)
    d = JSON.unmarshal(r.body().decode(), P2ApprovalApprovalUpdatedV4)
    o = d.event.object
    assert (o.approval_id, o.approval_code, o.version_id, o.widget_group_type, o.timestamp) == (
        "7001", APPROVAL, "3", 0, "1700000000")
    assert o.form_definition_id.isdigit() and '"mgr"' in o.process_obj
    again = approval_updated_from_definition(app(), definition, 1_800_000_000_000)
    assert again.event_id == r.event_id  # the same version announced twice is the same event
