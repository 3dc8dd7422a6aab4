"""One inbox row as a person tells requests apart: the summary of its form, who submitted it, the step it is at
and how long it has waited.

The summary is the definition's own choice when it makes one (``summary_widget_ids`` in its body: a shenpi
extension, a list of widget ids), otherwise the first few filled-in fields of the kinds a person recognises a
request by (a line of text, an amount, a number, a choice, a date or a period), each as the instance page shows it
(an amount with its currency).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shenpi.engine.form import canonical_type
from shenpi.engine.model import Definition, Instance
from shenpi.web.forms import show_form
from shenpi.web.session import Viewer

SUMMARY_KINDS = ("input", "amount", "number", "radioV2", "date", "dateInterval", "textarea")
SUMMARY_FIELDS = 3
_LONGEST = 60  # characters of one summary value


@dataclass(slots=True)
class Row:
    code: str
    title: str
    approval: str
    submitter: str
    serial: str
    status: str
    status_label: str
    time: int
    detail: str = ""
    unread: bool = False
    summary: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    step: str = ""  # the step it waits at ("" when it waits nowhere)
    waited: str = ""  # how long it has waited, in words ("" when it is not waiting)
    task_id: str = ""  # on the to-do list: the task a bulk approval decides


def summary(d: Definition | None, inst: Instance, viewer: Viewer, locale: str,
            days: Callable[[Any], str]) -> list[tuple[str, str]]:
    if d is None:
        return []
    chosen = d.body.get("summary_widget_ids")
    by_id = {str(e.get("id")): e for e in inst.form if isinstance(e, dict)}
    if isinstance(chosen, list) and chosen:
        entries = [by_id[str(w)] for w in chosen if str(w) in by_id]
    else:
        entries = []
        for e in inst.form:
            w = d.widget(str(e.get("id", "")))
            if w is not None and canonical_type(w.type) in SUMMARY_KINDS and e.get("value") not in (None, "", []):
                entries.append(e)
    out: list[tuple[str, str]] = []
    for shown in show_form(d, entries[:SUMMARY_FIELDS], viewer, locale, days):
        text = shown.text if shown.kind in ("text", "multiline") else ", ".join(shown.items)
        text = " ".join(text.split())
        if text:
            out.append((shown.label, text if len(text) <= _LONGEST else text[:_LONGEST - 1] + "…"))
    return out


def waited(ms: int, t: Callable[..., str]) -> str:
    """A wait in the largest whole unit: minutes, hours or days."""
    minutes = max(0, ms) // 60_000
    if minutes < 60:
        return t("{n} min", n=minutes)
    if minutes < 24 * 60:
        return t("{n} h", n=minutes // 60)
    return t("{n} d", n=minutes // (24 * 60))


def current_step(d: Definition | None, inst: Instance, locale: str) -> str:
    """The name of the node the instance waits at, "" when it is not waiting."""
    if d is None or inst.status != "PENDING" or inst.reverted or not 0 <= inst.node_index < len(d.nodes):
        return ""
    node = d.nodes[inst.node_index]
    return d.text(node.name, locale) or node.key
