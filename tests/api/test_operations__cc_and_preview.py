"""instances/cc and instances/preview through the SDK."""

from __future__ import annotations

import json

from lark_oapi.api.approval.v4 import PreviewInstanceRequest, PreviewInstanceRequestBody

from tests.api.helpers import create_instance, get_instance, pending_task
from tests.api.helpers_ops import cc


def test_cc_adds_a_timeline_entry_and_a_cc_record(client):
    inst = create_instance(client, "AND2")
    resp = cc(client, "AND2", inst, "alice", ["dana", "erin"], comment="fyi")
    assert resp.code == 0, (resp.msg, resp.error)
    entry = get_instance(client, inst).timeline[-1]
    assert entry.type == "CC" and sorted(u.user_id for u in entry.cc_user_list) == ["dana", "erin"]
    assert cc(client, "AND2", inst, "alice", ["ghost"]).code == 1390004
    assert cc(client, "AND2", "nope", "alice", ["dana"]).code == 1390003


def preview(client, **fields):
    b = PreviewInstanceRequestBody.builder()
    for k, v in fields.items():
        b = getattr(b, k)(v)
    return client.approval.v4.instance.preview(PreviewInstanceRequest.builder().user_id_type("user_id")
                                               .request_body(b.build()).build())


def test_preview_before_submission_follows_branches(client):
    form = json.dumps([{"id": "amount", "type": "amount", "value": 5000}])
    resp = preview(client, approval_code="EXPENSE", user_id="alice", form=form)
    assert resp.code == 0, (resp.msg, resp.error)
    nodes = [(n.custom_node_id, n.node_type, n.user_id_list) for n in resp.data.preview_nodes]
    assert nodes[0][0] == "START" and nodes[-1][0] == "END"
    assert ("director", "AND", ["bob", "erin"]) in nodes
    small = preview(client, approval_code="EXPENSE", user_id="alice",
                    form=json.dumps([{"id": "amount", "type": "amount", "value": 10}]))
    assert "director" not in [n.custom_node_id for n in small.data.preview_nodes]
    notify = [n for n in small.data.preview_nodes if n.custom_node_id == "notify"][0]
    assert notify.end_cc_id_list == ["alice"]


def test_preview_of_an_instance_by_its_approver(client):
    inst = create_instance(client, "AND2")
    task = pending_task(client, inst, "bob")
    resp = preview(client, instance_code=inst, user_id="bob", task_id=task)
    assert resp.code == 0 and [n.custom_node_id for n in resp.data.preview_nodes] == ["START", "both", "END"]
    assert preview(client, instance_code=inst, user_id="dana", task_id=task).code == 1390009
    assert preview(client, approval_code="NOPE", user_id="alice").code == 1390002
