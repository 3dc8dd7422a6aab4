"""The documented request rules of the district (地理库) endpoints, driven through lark-oapi.

Each expected code is read off the endpoint's Feishu reference page, named in the test's docstring; 1390001 (HTTP
400) is the page's code for a parameter of the wrong type or out of its range.
"""

from __future__ import annotations

from lark_oapi.api.approval.v4 import ListDistrictRequest, SearchDistrictRequest, SearchDistrictRequestBody

PARAM_INVALID = (400, 1390001)


def answer(resp) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return resp.raw.status_code, resp.code


def test_list_page_size_is_at_most_100(client):
    """page_size is at most 100.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/list
    """
    districts = client.approval.v4.district
    assert answer(districts.list(ListDistrictRequest.builder().page_size(100).build())) == (200, 0)
    assert answer(districts.list(ListDistrictRequest.builder().page_size(101).build())) == PARAM_INVALID


def test_list_type_is_sub_level_or_leaf_level(client):
    """list_type is sub_level or leaf_level.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/list
    """
    districts = client.approval.v4.district
    assert answer(districts.list(ListDistrictRequest.builder().list_type("sub_level").build())) == (200, 0)
    assert answer(districts.list(ListDistrictRequest.builder().list_type("all").build())) == PARAM_INVALID


def test_list_locale_is_zh_cn_or_en_us(client):
    """locale is zh-CN or en-US.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/list
    """
    districts = client.approval.v4.district
    assert answer(districts.list(ListDistrictRequest.builder().locale("en-US").build())) == (200, 0)
    assert answer(districts.list(ListDistrictRequest.builder().locale("fr-FR").build())) == PARAM_INVALID


def search(client, ids: list[str]):  # type: ignore[no-untyped-def]
    return client.approval.v4.district.search(SearchDistrictRequest.builder().request_body(
        SearchDistrictRequestBody.builder().district_ids(ids).build()).build())


def test_search_takes_30_district_ids_and_refuses_31(client):
    """district_ids holds at most 30 ids.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/search
    """
    ids = [f"CN-{n}" for n in range(31)]
    assert answer(search(client, ids[:30])) == (200, 0)
    assert answer(search(client, ids)) == PARAM_INVALID


def test_search_locale_is_zh_cn_or_english(client):
    """locale is zh-CN or English.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/search
    """
    body = SearchDistrictRequestBody.builder().keyword("Beijing").build()
    districts = client.approval.v4.district
    assert answer(districts.search(SearchDistrictRequest.builder().locale("en-US").request_body(body).build())) == (
        200, 0)
    assert answer(districts.search(SearchDistrictRequest.builder().locale("fr-FR").request_body(body).build())) == (
        PARAM_INVALID)


def test_list_leaf_level_answers_the_leaves_with_their_parents_up_to_the_root(client):
    """list_type leaf_level lists every leaf below root_district_id, each with parent_districts ordered from the
    leaf's parent to the root; sub_level (the default) lists the next level and answers no parent_districts.

    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/list
    """
    districts = client.approval.v4.district
    leaves = districts.list(ListDistrictRequest.builder().root_district_id("CN").list_type("leaf_level")
                            .page_size(100).build())
    assert answer(leaves) == (200, 0)
    by_id = {d.id: d for d in leaves.data.items}
    assert "CN-GD-SZ" in by_id and "CN-GD" not in by_id and "CN-BJ" in by_id
    assert [p.id for p in by_id["CN-GD-SZ"].parent_districts] == ["CN-GD", "CN"]
    sub = districts.list(ListDistrictRequest.builder().root_district_id("CN").list_type("sub_level")
                         .page_size(100).build())
    assert answer(sub) == (200, 0) and "CN-GD" in [d.id for d in sub.data.items]
    assert all(d.parent_districts is None for d in sub.data.items)


def test_list_page_size_is_20_by_default(client):
    """page_size is 20 when left out (the country has more provincial divisions than that: the rest is on the next
    page). Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/list
    """
    districts = client.approval.v4.district
    first = districts.list(ListDistrictRequest.builder().root_district_id("CN").build())
    assert answer(first) == (200, 0), first.msg
    assert len(first.data.items) == 20 and first.data.has_more and first.data.page_token
    rest = districts.list(ListDistrictRequest.builder().root_district_id("CN").page_token(first.data.page_token)
                          .build())
    assert rest.code == 0 and rest.data.items
    assert not {d.id for d in rest.data.items} & {d.id for d in first.data.items}


def test_search_requires_neither_ids_nor_keyword(client):
    """The page makes both district_ids and keyword optional: a body with neither is answered (nothing matches).
    Page: https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/approval-v4/district/search
    """
    resp = client.approval.v4.district.search(SearchDistrictRequest.builder().request_body(
        SearchDistrictRequestBody.builder().build()).build())
    assert answer(resp) == (200, 0), resp.msg
    assert not resp.data.items
