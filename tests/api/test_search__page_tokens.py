"""page_token of the store's lists: a cursor that walks natives then external instances once each, and that a
list refuses when it did not write it (1390001 naming page_token), through lark-oapi and raw HTTP."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import lark_oapi as lark
import pytest
from lark_oapi.api.approval.v4 import (
    CreateExternalApprovalRequest,
    CreateExternalInstanceRequest,
    ExternalApproval,
    ExternalInstance,
    InstanceSearch,
    QueryInstanceRequest,
)

from tests.api.helpers import create_instance

_I18N = [{"locale": "zh-CN", "is_default": True, "texts": [
    {"key": "@i18n@pages_name", "value": "分页外部审批"}, {"key": "@i18n@pages_title", "value": "分页"}]}]


def _external(client: lark.Client, n: int, now: int) -> None:
    body = {"approval_code": "EXT-PAGES", "status": "PENDING", "extra": "{}", "instance_id": f"EXT-PAGES-{n}",
            "links": {"pc_link": "https://ext.example/pc", "mobile_link": "https://ext.example/m"},
            "title": "@i18n@pages_title", "user_id": "alice", "start_time": str(now), "end_time": "0",
            "update_time": str(now + n), "update_mode": "REPLACE", "task_list": [], "i18n_resources": _I18N}
    put = client.approval.v4.external_instance.create(CreateExternalInstanceRequest.builder()
                                                      .request_body(ExternalInstance(body)).build())
    assert put.code == 0, (put.msg, put.error)


def _page(client: lark.Client, filters: dict[str, Any], token: str | None) -> Any:
    req = QueryInstanceRequest.builder().user_id_type("user_id").page_size(5)
    if token:
        req = req.page_token(token)
    resp = client.approval.v4.instance.query(req.request_body(InstanceSearch(filters)).build())
    assert resp.code == 0, (resp.code, resp.msg)
    return resp.data


def test_instances_query_pages_through_natives_then_externals_once_each(client: lark.Client) -> None:
    made = client.approval.v4.external_approval.create(CreateExternalApprovalRequest.builder().request_body(
        ExternalApproval({"approval_name": "@i18n@pages_name", "approval_code": "EXT-PAGES",
                          "group_code": "GRP-PAGES", "group_name": "@i18n@pages_name",
                          "external": {"biz_name": "@i18n@pages_name", "support_pc": True, "support_mobile": True},
                          "i18n_resources": _I18N})).build())
    assert made.code == 0, (made.msg, made.error)
    start = int(time.time() * 1000) + 1  # the window holds only what this test makes
    natives = [create_instance(client, "AND2") for _ in range(7)]
    for n in range(6):
        _external(client, n, start + 500)
    # approval_code and group_external_id unite: the AND2 instances of the window, then the group's externals
    filters = {"approval_code": "AND2", "group_external_id": "GRP-PAGES",
               "instance_start_time_from": str(start), "instance_start_time_to": str(int(time.time() * 1000) + 1000)}
    seen: list[tuple[bool, str]] = []
    counts = set()
    token = None
    for _ in range(20):
        data = _page(client, filters, token)
        seen += [(i.approval.is_external, i.instance.code) for i in data.instance_list]
        counts.add(data.count)
        if not data.has_more:
            assert data.page_token is None
            break
        token = data.page_token
    assert len(seen) == len(set(seen)), "an item was listed twice"
    listed = [code for external, code in seen if not external]
    assert [code for code in listed if code in natives] == natives[::-1]  # newest first (other tests' may interleave)
    assert [code for external, code in seen if external] == [f"EXT-PAGES-{n}" for n in range(6)]
    assert [external for external, _ in seen] == sorted(external for external, _ in seen)  # natives first
    assert counts == {len(seen)}


def _token(value: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _assert_refused(r: httpx.Response) -> None:
    body = r.json()
    assert (r.status_code, body["code"]) == (400, 1390001), body
    assert "page_token" in [v["field"] for v in body["error"]["field_violations"]], body


@pytest.mark.parametrize("token", [
    _token(["cc.search", 5, 1_700_000_000_000, 3]),  # another list's cursor
    _token(["instances.query", 5, "1700000000000", "CODE"]),  # a key of the wrong type
    _token(["instances.query", -1, 1_700_000_000_000, "CODE"]),  # no position is negative
    _token(["instances.query", 5, 1_700_000_000_000]),  # a key short
    _token(["instances.query/x", 5, 9]),  # further into the externals than rows served
    _token(["instances.query", 5, 2**70, "CODE"]),  # past what the database holds
    _token(["instances.query", 5, 1, "x" * 300]),  # longer than any key
    "A" * 600, "not base64!", "",
])
def test_tokens_this_list_did_not_write_are_1390001(server, token: str) -> None:
    r = httpx.post(f"{server.base_url}/open-apis/auth/v3/tenant_access_token/internal",
                   json={"app_id": "cli_acme", "app_secret": "s3cret"})
    headers = {"Authorization": f"Bearer {r.json()['tenant_access_token']}"}
    answer = httpx.post(f"{server.base_url}/open-apis/approval/v4/instances/query",
                        params={"page_token": token, "page_size": 5, "user_id_type": "user_id"},
                        json={"approval_code": "AND2"}, headers=headers)
    if token == "":
        assert answer.json()["code"] == 0  # no token: the first page
    else:
        _assert_refused(answer)
