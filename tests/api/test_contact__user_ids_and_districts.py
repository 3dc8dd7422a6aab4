"""contact/v3 user lookups (id mapping) and the districts endpoints."""

from __future__ import annotations

import httpx
from lark_oapi.api.approval.v4 import ListDistrictRequest, SearchDistrictRequest, SearchDistrictRequestBody


def token(server, app_id="cli_acme", secret="s3cret") -> str:
    return httpx.post(server.base_url + "/open-apis/auth/v3/tenant_access_token/internal",
                      json={"app_id": app_id, "app_secret": secret}).json()["tenant_access_token"]


def test_contact_user_maps_ids(server):
    h = {"Authorization": f"Bearer {token(server, 'cli_contact', 'contact')}"}
    r = httpx.get(server.base_url + "/open-apis/contact/v3/users/alice?user_id_type=user_id", headers=h).json()
    assert r["code"] == 0 and r["data"]["user"]["open_id"] == "ou_alice" and r["data"]["user"]["union_id"] == "on_alice"
    r = httpx.get(server.base_url + "/open-apis/contact/v3/users/ou_alice", headers=h).json()
    assert r["data"]["user"]["user_id"] == "alice"
    missing = httpx.get(server.base_url + "/open-apis/contact/v3/users/ou_nobody", headers=h)
    assert missing.status_code == 400 and missing.json()["code"] != 0


def test_districts(client):
    top = client.approval.v4.district.list(ListDistrictRequest.builder().build())
    assert top.code == 0 and [d.id for d in top.data.items] == ["CN"]
    sub = client.approval.v4.district.list(ListDistrictRequest.builder().root_district_id("CN").page_size(3).build())
    assert sub.code == 0 and len(sub.data.items) == 3 and sub.data.has_more
    found = client.approval.v4.district.search(SearchDistrictRequest.builder().request_body(
        SearchDistrictRequestBody.builder().keyword("深圳").build()).build())
    assert [d.id for d in found.data.items] == ["CN-GD-SZ"]
    assert [p.id for p in found.data.items[0].parent_districts] == ["CN", "CN-GD"]
