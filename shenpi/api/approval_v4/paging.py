"""page_size / page_token as Feishu takes them: opaque tokens, bounded sizes.

The store's lists (instances, tasks, CC records, external instances) page by keyset: their token is the store's
:class:`Cursor` (the last row's sort key and how many rows came before), tagged with the list it belongs to, as
base64url JSON. Lists read whole in memory (districts, one instance's comments) keep the next offset as their token.
A token is a short-lived cursor, not a bookmark: one this server did not write, or wrote for another list, is
1390001 on page_token (docs/compatibility.md).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from shenpi.app import Cursor
from shenpi.engine.errors import ParamInvalid

_MAX_TOKEN = 512  # characters: a cursor holds a few short keys


def _size(query: dict[str, str], default: int, low: int, high: int) -> int:
    raw_size = query.get("page_size", "")
    try:
        size = int(raw_size) if raw_size else default
    except ValueError:
        raise ParamInvalid("page_size must be a number", field="page_size") from None
    if not low <= size <= high:
        raise ParamInvalid(f"page_size must be between {low} and {high}", field="page_size")
    return size


def page(query: dict[str, str], *, default: int, low: int, high: int) -> tuple[int, int]:
    """(offset, size) from ``page_token`` and ``page_size`` for a list read whole; out-of-range values are
    1390001."""
    size = _size(query, default, low, high)
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


def _bad_token() -> ParamInvalid:
    return ParamInvalid("page_token is not a token this server issued", field="page_token")


@dataclass(frozen=True, slots=True)
class Ask:
    """What a keyset list's request asks for: ``size`` rows after ``after`` (None: from the start). A search that
    lists external instances after the native ones has finished the natives once ``externals_from`` is set
    (the index of the next external one); ``position`` counts the rows served before this page."""

    size: int
    after: Cursor | None = None
    externals_from: int | None = None
    position: int = 0


def _is_key(value: object) -> bool:
    return type(value) in (int, str)


def keyset_page(query: dict[str, str], *, kind: str, default: int, low: int, high: int) -> Ask:
    """The page a keyset list is asked for; a token not written for ``kind`` is 1390001 on page_token."""
    size = _size(query, default, low, high)
    token = query.get("page_token", "")
    if not token:
        return Ask(size)
    if len(token) > _MAX_TOKEN or not token.isascii():
        raise _bad_token()
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error):
        raise _bad_token() from None
    if not (isinstance(decoded, list) and len(decoded) >= 3 and decoded[0] in (kind, kind + "/x")
            and type(decoded[1]) is int and 0 <= decoded[1] < 2**62 and all(_is_key(v) for v in decoded[2:])):
        raise _bad_token()
    position = decoded[1]
    if decoded[0] == kind:
        return Ask(size, after=Cursor(position, tuple(decoded[2:])), position=position)
    start = decoded[2]
    if len(decoded) != 3 or type(start) is not int or not 0 <= start <= position:
        raise _bad_token()
    return Ask(size, externals_from=start, position=position)


def _encode(value: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def keyset_token(kind: str, has_more: bool, after: Cursor | None) -> dict[str, object]:
    """has_more and, while it is true, the token of the page after ``after``."""
    out: dict[str, object] = {"has_more": has_more}
    if has_more and after is not None:
        out["page_token"] = _encode([kind, after.position, *after.keys])
    return out


def externals_token(kind: str, has_more: bool, position: int, externals_from: int) -> dict[str, object]:
    """has_more and, while it is true, the token of a search's page that goes on in its external instances."""
    out: dict[str, object] = {"has_more": has_more}
    if has_more:
        out["page_token"] = _encode([kind + "/x", position, externals_from])
    return out
