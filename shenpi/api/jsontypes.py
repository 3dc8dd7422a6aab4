"""How values the engine keeps as numbers go on the wire: as JSON strings.

Feishu's reference pages type times (milliseconds since the epoch: ``"1564590532967"``; ``"0"`` for "not yet",
e.g. the ``end_time`` of a pending instance) and int64 ids (``approval_id``, past 2^53) as strings, and so do the
typed SDKs: the Node SDK declares them ``string`` and the Go SDK ``*string``, and Go's ``encoding/json`` refuses a
number there. A JavaScript client would also round an id past 2^53 when it parses a number. The engine and the
store keep integers; the handlers render them with these helpers.
"""

from __future__ import annotations

from typing import Any


def ms(value: Any) -> str:
    """A time in milliseconds as Feishu writes it: the decimal digits of the integer, ``"0"`` for none. A stored
    value that is a string already (an external record, as its caller sent it) stays as it is."""
    if value is None or value == "":
        return "0"
    return value if isinstance(value, str) else str(int(value))


def int64(value: int) -> str:
    """An int64 id: its decimal digits."""
    return str(value)
