"""How the commands print: aligned tables for people, ``--json`` for scripts."""

from __future__ import annotations

import json
import time
from typing import Any

import click


def when(ms: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000)) if ms else "-"


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """Columns padded to their widest cell; an empty list says so instead of printing a bare header."""
    if not rows:
        return "(none)"
    cells = [headers] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells)


def form_values(form: list[dict[str, Any]]) -> str:
    """Widget values as ``id=value`` pairs: what an operator scans for; --json has the whole widgets."""
    return ", ".join(f"{w.get('id')}={v if isinstance(v := w.get('value'), str) else json.dumps(v, ensure_ascii=False)}"
                     for w in form) or "-"


def emit(as_json: bool, data: Any, text: str) -> None:
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(text)
