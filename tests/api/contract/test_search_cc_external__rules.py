"""instances/search_cc lists the CC entries of external (三方) instances beside native ones, driven through lark-oapi.

The search_cc page (https://open.feishu.cn/document/server-docs/approval-v4/instance/search_cc) answers
``approval.is_external`` and ``group.external_id`` for each item and takes ``instance_external_id`` and
``group_external_id`` as filters: its list holds external approvals' CC entries too. The CC entries are the
``cc_list`` an external instance is synced with
(https://open.feishu.cn/document/server-docs/approval-v4/external_instance/create).
"""

from __future__ import annotations

import time
from typing import Any

import lark_oapi as lark
from lark_oapi.api.approval.v4 import (
    CcSearch,
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExternalApproval,
    ExternalInstance,
    SearchCcInstanceRequest,
)

from tests.api.helpers import create_instance
from tests.api.helpers_ops import cc

I18N = [{"locale": "zh-CN", "is_default": True, "texts": [
    {"key": "@i18n@cc_name", "value": "外部报销"}, {"key": "@i18n@cc_title", "value": "报销单"}]}]


def synced(client: lark.Client, instance_id: str, read_status: str) -> None:
    """An external instance of EXT-CC (group GRP-CC) by alice, CC'd to dana."""
    approval = ExternalApproval({"approval_name": "@i18n@cc_name", "approval_code": "EXT-CC", "group_code": "GRP-CC",
                                 "group_name": "@i18n@cc_name", "external": {"support_pc": True},
                                 "i18n_resources": I18N})
    made = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder()
                                                       .request_body(approval).build())
    assert made.code == 0, made.msg
    now = str(int(time.time() * 1000))
    body = {"approval_code": "EXT-CC", "status": "PENDING", "instance_id": instance_id, "title": "@i18n@cc_title",
            "links": {"pc_link": f"https://ext.example/{instance_id}"}, "user_id": "alice", "start_time": now,
            "end_time": "0", "update_time": now, "i18n_resources": I18N,
            "cc_list": [{"cc_id": f"{instance_id}-cc", "user_id": "dana", "read_status": read_status,
                         "title": "@i18n@cc_title", "links": {"pc_link": f"https://ext.example/{instance_id}/cc"},
                         "create_time": now, "update_time": now}]}
    put = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder()
                                                      .request_body(ExternalInstance(body)).build())
    assert put.code == 0, put.msg


def search_cc(client: lark.Client, **filters: Any) -> Any:
    resp = client.approval.v4.instance.search_cc(SearchCcInstanceRequest.builder().user_id_type("user_id")
                                                 .page_size(200).request_body(CcSearch(filters)).build())
    assert resp.code == 0, resp.msg
    return resp.data


def test_search_cc_lists_external_cc_entries_beside_native_ones(client: lark.Client):
    tag = str(time.time_ns())
    synced(client, f"EXT-CC-{tag}-unread", "UNREAD")
    synced(client, f"EXT-CC-{tag}-read", "READ")
    native = create_instance(client, "AND2")
    assert cc(client, "AND2", native, "alice", ["dana"]).code == 0
    # approval_code and group_external_id match as a union: the native approval and the external group
    found = search_cc(client, user_id="dana", approval_code="AND2", group_external_id="GRP-CC")
    assert native in [i.instance.code for i in found.cc_list if not i.approval.is_external]
    mine = {i.instance.external_id: i for i in found.cc_list if i.instance.external_id.startswith(f"EXT-CC-{tag}")}
    assert set(mine) == {f"EXT-CC-{tag}-unread", f"EXT-CC-{tag}-read"}
    item = mine[f"EXT-CC-{tag}-unread"]
    assert (item.approval.is_external, item.group.external_id, item.cc.user_id, item.cc.read_status,
            item.cc.title, item.cc.link.pc_link) == (True, "GRP-CC", "dana", "unread", "报销单",
                                                       f"https://ext.example/EXT-CC-{tag}-unread/cc")
    unread = search_cc(client, user_id="dana", group_external_id="GRP-CC", read_status="UNREAD")
    assert {i.instance.external_id for i in unread.cc_list if i.instance.external_id.startswith(f"EXT-CC-{tag}")} \
        == {f"EXT-CC-{tag}-unread"}
    assert search_cc(client, user_id="erin", instance_external_id=f"EXT-CC-{tag}-read").cc_list in (None, [])
