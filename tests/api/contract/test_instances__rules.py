"""Instance create and specified_rollback, as their reference pages document the request: the free-cc node lists
hold at most 20 entries, the auto-approval list at most 10, uuid 1 to 64 characters; specified_rollback's
task_def_key_list holds 1 to 100 keys, duplicates counted. Each limit is probed on both sides.

Pages: https://open.feishu.cn/document/server-docs/approval-v4/instance/create
       https://open.feishu.cn/document/server-docs/approval-v4/instance/specified_rollback
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from lark_oapi.api.approval.v4 import (
    CreateInstanceRequest,
    InstanceCreate,
    NodeAutoApproval,
    NodeCc,
)

from tests.api.helpers import approve, create_instance, get_instance, pending_task
from tests.api.helpers_ops import rollback

PARAM_INVALID = 1390001
FORM = json.dumps([{"id": "reason", "type": "textarea", "value": "laptop"}])


def create(client: Any, **fields: Any) -> Any:
    b = InstanceCreate.builder().approval_code("CCFLOW").user_id("alice").form(FORM)
    for name, value in fields.items():
        b = getattr(b, name)(value)
    return client.approval.v4.instance.create(CreateInstanceRequest.builder().request_body(b.build()).build())


@pytest.mark.parametrize("field", ["node_cc_user_id_list", "node_cc_open_id_list"])
def test_a_node_cc_list_holds_at_most_20_entries(client, field):
    dana = "dana" if field == "node_cc_user_id_list" else get_instance(client, create_instance(client, user_id="dana"),
                                                                      "open_id").open_id
    entries = [NodeCc.builder().key("first").value([dana]).build()]
    assert create(client, **{field: entries * 20}).code == 0
    assert create(client, **{field: entries * 21}).code == PARAM_INVALID


def test_the_auto_approval_list_holds_at_most_10_nodes(client):
    nodes = [NodeAutoApproval.builder().node_id_type("CUSTOM").node_id("first").build()]
    assert create(client, node_auto_approval_list=nodes * 10).code == 0
    assert create(client, node_auto_approval_list=nodes * 11).code == PARAM_INVALID


def test_an_auto_approval_node_id_type_outside_the_enum_is_1390001(client):
    nodes = [NodeAutoApproval.builder().node_id_type("KEY").node_id("first").build()]
    assert create(client, node_auto_approval_list=nodes).code == PARAM_INVALID


def test_uuid_is_at_most_64_characters(client):
    assert create(client, uuid="u" * 64).code == 0
    assert create(client, uuid="v" * 65).code == PARAM_INVALID


@pytest.fixture
def at_second_step(client) -> tuple[str, str]:
    """A TWOSTEP instance whose first node ("one") has passed: (instance code, carol's pending task)."""
    inst = create_instance(client, "TWOSTEP")
    assert approve(client, "TWOSTEP", inst, "bob", pending_task(client, inst, "bob")).code == 0
    return inst, pending_task(client, inst, "carol")


def test_task_def_key_list_holds_at_most_100_keys_duplicates_counted(client, at_second_step):
    inst, task = at_second_step
    assert rollback(client, "carol", task, ["one"] * 101).code == PARAM_INVALID
    assert rollback(client, "carol", task, ["one"] * 100).code == 0


def test_task_def_key_list_may_not_be_empty(client, at_second_step):
    _, task = at_second_step
    assert rollback(client, "carol", task, []).code == PARAM_INVALID
