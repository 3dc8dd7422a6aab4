"""How the commands print: aligned tables for people, ``--json`` for scripts."""

from __future__ import annotations

import json
import time
from typing import Any

import click


def when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else "-"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A header line and one line per row, columns padded to their widest cell as a terminal shows it (a Chinese
    character takes two columns); an empty list says so instead of printing a bare header."""
    if not rows:
        return "(none)"
    from wcwidth import wcswidth  # here: only the commands that print a table pay for importing it

    cells = [[_one_line(h) for h in headers]] + [[_one_line(c) for c in r] for r in rows]
    shown = [[len(c) if c.isascii() else max(wcswidth(c), 0) for c in r] for r in cells]
    widths = [max(r[i] for r in shown) for i in range(len(headers))]
    return "\n".join("  ".join(c + " " * (w - n) for c, n, w in zip(r, ns, widths, strict=True)).rstrip()
                     for r, ns in zip(cells, shown, strict=True))


def _one_line(value: Any) -> str:
    """A cell's text on one line: a comment's line breaks and tabs would tear the table apart."""
    text = "" if value is None else str(value)
    return text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)


def form_values(form: list[dict[str, Any]]) -> str:
    """Widget values as ``id=value`` pairs: what an operator scans for; --json has the whole widgets."""
    return ", ".join(f"{w.get('id')}={v if isinstance(v := w.get('value'), str) else json.dumps(v, ensure_ascii=False)}"
                     for w in form) or "-"


def emit(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)
