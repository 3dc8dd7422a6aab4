"""page_size / page_token as Feishu takes them: opaque tokens (here the next offset), bounded sizes."""

from __future__ import annotations

from shenpi.engine.errors import ParamInvalid


def page(query: dict[str, str], *, default: int, low: int, high: int) -> tuple[int, int]:
    """(offset, size) from ``page_token`` and ``page_size``; out-of-range values are 1390001."""
    raw_size = query.get("page_size", "")
    try:
        size = int(raw_size) if raw_size else default
    except ValueError:
        raise ParamInvalid("page_size must be a number", field="page_size") from None
    if not low <= size <= high:
        raise ParamInvalid(f"page_size must be between {low} and {high}", field="page_size")
    token = query.get("page_token", "")
    if not token:
        return 0, size
    if not token.isdigit():
        raise ParamInvalid("page_token is not a token this server issued", field="page_token")
    return int(token), size


def next_token(offset: int, size: int, has_more: bool) -> dict[str, object]:
    """Feishu returns page_token only while has_more is true."""
    out: dict[str, object] = {"has_more": has_more}
    if has_more:
        out["page_token"] = str(offset + size)
    return out
