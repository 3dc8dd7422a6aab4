"""Districts (行政区划) for address widgets: a small built-in tree (China's provincial-level divisions, a few
cities)."""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.api.approval_v4.paging import next_token, page
from shenpi.api.wire import Call, Route
from shenpi.engine.errors import ParamInvalid

VERSION = "shenpi-1"
# (id, zh name, en name, parent id); level 1 = country, 2 = province-level
_DISTRICTS = [
    ("CN", "中国", "China", ""),
    ("CN-BJ", "北京市", "Beijing", "CN"), ("CN-SH", "上海市", "Shanghai", "CN"), ("CN-TJ", "天津市", "Tianjin", "CN"),
    ("CN-CQ", "重庆市", "Chongqing", "CN"), ("CN-GD", "广东省", "Guangdong", "CN"), ("CN-ZJ", "浙江省", "Zhejiang", "CN"),
    ("CN-JS", "江苏省", "Jiangsu", "CN"), ("CN-SC", "四川省", "Sichuan", "CN"), ("CN-HB", "湖北省", "Hubei", "CN"),
    ("CN-FJ", "福建省", "Fujian", "CN"), ("CN-SD", "山东省", "Shandong", "CN"), ("CN-HK", "香港", "Hong Kong", "CN"),
    ("CN-HE", "河北省", "Hebei", "CN"), ("CN-SX", "山西省", "Shanxi", "CN"),
    ("CN-NM", "内蒙古自治区", "Inner Mongolia", "CN"),
    ("CN-LN", "辽宁省", "Liaoning", "CN"), ("CN-JL", "吉林省", "Jilin", "CN"), ("CN-HL", "黑龙江省", "Heilongjiang", "CN"),
    ("CN-AH", "安徽省", "Anhui", "CN"), ("CN-JX", "江西省", "Jiangxi", "CN"), ("CN-HA", "河南省", "Henan", "CN"),
    ("CN-HN", "湖南省", "Hunan", "CN"), ("CN-GX", "广西壮族自治区", "Guangxi", "CN"), ("CN-HI", "海南省", "Hainan", "CN"),
    ("CN-GZ", "贵州省", "Guizhou", "CN"), ("CN-YN", "云南省", "Yunnan", "CN"), ("CN-XZ", "西藏自治区", "Tibet", "CN"),
    ("CN-SN", "陕西省", "Shaanxi", "CN"), ("CN-GS", "甘肃省", "Gansu", "CN"), ("CN-QH", "青海省", "Qinghai", "CN"),
    ("CN-NX", "宁夏回族自治区", "Ningxia", "CN"), ("CN-XJ", "新疆维吾尔自治区", "Xinjiang", "CN"),
    ("CN-MO", "澳门", "Macao", "CN"), ("CN-TW", "台湾", "Taiwan", "CN"),
    ("CN-GD-SZ", "深圳市", "Shenzhen", "CN-GD"), ("CN-GD-GZ", "广州市", "Guangzhou", "CN-GD"),
    ("CN-ZJ-HZ", "杭州市", "Hangzhou", "CN-ZJ"),
]
_BY_ID = {d[0]: d for d in _DISTRICTS}


def _parents(d: tuple[str, str, str, str], locale: str) -> list[dict[str, str]]:
    """The district's ancestors, from its parent up to the root."""
    out: list[dict[str, str]] = []
    p = _BY_ID.get(d[3])
    while p is not None:
        out.append({"id": p[0], "name": p[2] if locale.startswith("en") else p[1]})
        p = _BY_ID.get(p[3])
    return out


def _item(d: tuple[str, str, str, str], locale: str, *, with_parents: bool = True,
          root_first: bool = True) -> dict[str, Any]:
    name = d[2] if locale.startswith("en") else d[1]
    parents = _parents(d, locale)
    item: dict[str, Any] = {"id": d[0], "name": name, "level": str(len(parents) + 1),
                            "has_sub_district": any(c[3] == d[0] for c in _DISTRICTS)}
    if with_parents:
        item["parent_districts"] = parents[::-1] if root_first else parents
    return item


def _leaves_below(root: str) -> list[tuple[str, str, str, str]]:
    """Every district without sub-districts that lies below ``root`` (below the top when ``root`` is empty)."""
    def below(d: tuple[str, str, str, str]) -> bool:
        p = _BY_ID.get(d[3])
        while p is not None:
            if p[0] == root:
                return True
            p = _BY_ID.get(p[3])
        return not root
    return [d for d in _DISTRICTS if not any(c[3] == d[0] for c in _DISTRICTS) and d[0] != root and below(d)]


async def list_(call: Call) -> dict[str, Any]:
    offset, size = page(call.query, default=20, low=1, high=100)  # the list page: 20 by default, at most 100
    root = call.query.get("root_district_id", "")
    if root and root not in _BY_ID:
        raise ParamInvalid(f"root_district_id {root} is not a district", field="root_district_id")
    # sub_level (the default) is the next level below the root; leaf_level every leaf below it, and only those
    # carry parent_districts, from the leaf's parent up to the root.
    leaf_level = call.query.get("list_type") == "leaf_level"
    chosen = _leaves_below(root) if leaf_level else [d for d in _DISTRICTS if d[3] == root]
    locale = call.query.get("locale", "zh-CN")
    items = [_item(d, locale, with_parents=leaf_level, root_first=False) for d in chosen[offset:offset + size]]
    return {"version": VERSION, "items": items, **next_token(offset, size, offset + size < len(chosen))}


class SearchBody(msgspec.Struct):
    district_ids: list[str] = []
    keyword: str = ""


async def search(call: Call) -> dict[str, Any]:
    b: SearchBody = call.body(SearchBody)  # neither ids nor keyword (the page requires neither): nothing matches
    locale = call.query.get("locale", "zh-CN")
    found = [d for d in _DISTRICTS
             if (d[0] in b.district_ids) or (b.keyword and (b.keyword in d[1] or b.keyword.lower() in d[2].lower()))]
    return {"version": VERSION, "items": [_item(d, locale) for d in found], "has_more": False}


ROUTES = [
    Route("GET", "/open-apis/approval/v4/districts", "approval.v4.district.list", list_, tokens=("tenant", "user"),
          user_id_type=False),
    Route("POST", "/open-apis/approval/v4/districts/search", "approval.v4.district.search", search,
          tokens=("tenant", "user"), user_id_type=False),
]
