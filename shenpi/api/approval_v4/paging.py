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
    # Tokens are offsets this server wrote: ASCII digits (str.isdigit also takes other scripts' digits), and no
    # larger than a database offset can be.
    if not (token.isascii() and token.isdigit()) or len(token) > 9:
        raise ParamInvalid("page_token is not a token this server issued", field="page_token")
    return int(token), size


_MAX_INT64 = 2**63 - 1


def query_int(query: dict[str, str], name: str, default: int = 0) -> int:
    """An integer query parameter (a timestamp in ms): ASCII digits within a 64-bit integer, else 1390001."""
    raw = query.get(name, "")
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > _MAX_INT64:
        raise ParamInvalid(f"{name} must be a non-negative integer", field=name)
    return int(raw)


def next_token(offset: int, size: int, has_more: bool) -> dict[str, object]:
    """Feishu returns page_token only while has_more is true."""
    out: dict[str, object] = {"has_more": has_more}
    if has_more:
        out["page_token"] = str(offset + size)
    return out
