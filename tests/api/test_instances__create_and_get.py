"""Instance create and get: uuid idempotency, lookup by uuid, validation, serial numbers."""

from __future__ import annotations

import json
import uuid

from lark_oapi.api.approval.v4 import CreateInstanceRequest, GetInstanceRequest, InstanceCreate

from tests.api.helpers import create_instance, get_instance


def test_get_by_code_or_by_uuid(client):
    key = str(uuid.uuid4())
    code = create_instance(client, uuid=key)
    assert get_instance(client, key).instance_code == code
    assert get_instance(client, key.upper()).instance_code == code  # uuids are case-insensitive


def test_uuid_reuse_is_60012(client):
    key = str(uuid.uuid4())
    create_instance(client, uuid=key)
    body = InstanceCreate.builder().approval_code("LEAVE").user_id("alice").form("[]").uuid(key).build()
    resp = client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(body).build())
    assert resp.code == 60012


def test_create_errors(client):
    def create(**fields):
        b = InstanceCreate.builder()
        for k, v in fields.items():
            b = getattr(b, k)(v)
        return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(b.build()).build())

    assert create(user_id="alice", form="[]").code == 1390001  # no approval_code
    assert create(approval_code="NOPE", user_id="alice", form="[]").code == 1390002
    assert create(approval_code="LEAVE", user_id="ghost", form="[]").code == 1390004
    assert create(approval_code="LEAVE", form="[]").code == 1390001  # no submitter
    bad_form = create(approval_code="LEAVE", user_id="alice", form='[{"id":"days","type":"number","value":"x"}]')
    assert bad_form.code == 1390001 and "days" in bad_form.error["message"]
    assert create(approval_code="LEAVE", open_id="ou_alice", form="[]").code == 0  # required widgets may be left out


def test_get_unknown_is_1390003(client):
    resp = client.approval.v4.instance.get(GetInstanceRequest.builder().instance_id("nope").build())
    assert resp.code == 1390003


def test_serial_numbers_grow_in_submission_order(client):
    a = get_instance(client, create_instance(client)).serial_number
    b = get_instance(client, create_instance(client)).serial_number
    assert int(b) > int(a)


def test_form_round_trips_with_widget_names(client):
    code = create_instance(client, form=[{"id": "reason", "type": "textarea", "value": "trip"}])
    form = json.loads(get_instance(client, code).form)
    assert form == [{"id": "reason", "type": "textarea", "value": "trip", "name": "原因"}]
