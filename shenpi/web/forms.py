"""A definition's widgets as HTML form fields, the posted fields back as the API's form JSON, and the form's
values as a person reads them.

Validation messages are the API's own: the server runs the posted values through the engine's ``parse_form``
(so a bad number fails with exactly the text ``instances/create`` would answer), and the messages the browser
shows before posting are produced by running ``parse_form`` on a deliberately wrong value of each widget, so the
two can never drift apart.

On top of that, the web form holds each value to its widget's settings (shenpi/web/field_rules.py: limits,
decimal places, negative amounts, lengths, currencies), in the page's language and naming the field; the API keeps
to its contract and does not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from starlette.datastructures import FormData

from shenpi.engine.errors import ParamInvalid
from shenpi.engine.form import canonical_type, parse_form
from shenpi.engine.model import Definition, Widget
from shenpi.web.field_rules import setting_problem
from shenpi.web.session import Viewer

# Widget types this form can fill in (canonical names), and what the browser renders for each.
FILLABLE = {"input", "textarea", "number", "amount", "radioV2", "checkboxV2", "date", "dateInterval", "contact",
            "attachmentV2", "imageV2"}
FILE_FIELDS = ("attachmentV2", "imageV2")  # their values are the codes of uploaded files (shenpi/web/files.py)
CURRENCIES = ("CNY", "USD", "EUR", "JPY", "HKD", "GBP", "SGD")


def date_value(day: str) -> str:
    """A ``YYYY-MM-DD`` from a date input as the RFC 3339 date-time the API stores: midnight in the server's
    zone (a date widget holds a day; the zone only keeps the string a valid RFC 3339 date-time)."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time()).astimezone().isoformat(timespec="seconds")


def _day_of(value: Any) -> str:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        return ""


def api_message(definition: Definition, widget: Widget, entry: dict[str, Any]) -> str:
    """What the API answers for this form entry ("" if it is accepted)."""
    try:
        parse_form(definition, json.dumps([{"id": widget.id, **entry}]))
    except ParamInvalid as e:
        return e.detail
    return ""


@dataclass(slots=True)
class Option:
    value: str
    text: str


@dataclass(slots=True)
class Field:
    """One widget as the start / resubmit form renders it."""

    widget: Widget
    kind: str  # canonical widget type, or "unsupported" / "text"
    label: str
    required: bool
    options: list[Option] = field(default_factory=list)
    value: Any = None  # what to pre-fill: str, list[str], {"start","end"}, {"amount","currency"}
    error: str = ""
    messages: dict[str, str] = field(default_factory=dict)  # client-side checks → the API's message
    lang: str = "en"  # the page's language, for the messages of the widget's settings

    @property
    def name(self) -> str:
        return "w." + self.widget.id

    @property
    def dom_id(self) -> str:
        return "w-" + "".join(c if c.isalnum() else "-" for c in self.widget.id)


def _options(d: Definition, w: Widget, locale: str) -> list[Option]:
    raw = w.raw.get("value") if isinstance(w.raw.get("value"), list) else w.raw.get("option")
    out: list[Option] = []
    for opt in raw if isinstance(raw, list) else []:
        if isinstance(opt, dict) and "value" in opt:
            text = opt.get("text") or opt.get("name") or opt["value"]
            out.append(Option(str(opt["value"]), d.text(str(text), locale)))
        elif isinstance(opt, str):
            out.append(Option(opt, d.text(opt, locale)))
    return out


def option_text(d: Definition, w: Widget, value: str, locale: str) -> str:
    for o in _options(d, w, locale):
        if o.value == value:
            return o.text
    return value


def build_fields(d: Definition, locale: str, current: list[dict[str, Any]] | None = None,
                 viewer: Viewer | None = None) -> list[Field]:
    """The fields of ``d``'s form, pre-filled from ``current`` (an instance's form, for a resubmit)."""
    values = {e.get("id"): e for e in current or []}
    lang = "zh" if locale.lower().startswith("zh") else "en"
    out: list[Field] = []
    for w in d.widgets:
        kind = canonical_type(w.type)
        if kind == "text":
            out.append(Field(w, "text", d.text(w.name, locale) or str(w.raw.get("value") or ""), False))
            continue
        if kind not in FILLABLE:
            out.append(Field(w, "unsupported", d.text(w.name, locale) or w.id, False))
            continue
        f = Field(w, kind, d.text(w.name, locale) or w.id, w.required, options=_options(d, w, locale), lang=lang)
        f.messages["required"] = api_message(d, w, {"type": w.type})  # no "value": "value is required"
        if kind in ("number", "amount"):
            f.messages["number"] = api_message(d, w, {"type": w.type, "value": "x"})
        if kind == "dateInterval":
            f.messages["order"] = f"控件= {w.id}: end must not be before start"
        entry = values.get(w.id)
        if entry is not None:
            f.value = _prefill(kind, entry)
            if kind == "contact" and viewer is not None:  # stored as open_ids, picked by user id
                f.value = [_user_id(viewer, x) for x in f.value]
        out.append(f)
    return out


def _prefill(kind: str, entry: dict[str, Any]) -> Any:
    v = entry.get("value")
    if kind == "amount":
        return {"amount": "" if v is None else str(v), "currency": str(entry.get("currency") or "CNY")}
    if kind in ("checkboxV2", "contact", *FILE_FIELDS):
        return [str(x) for x in v] if isinstance(v, list) else []
    if kind == "date":
        return _day_of(v)
    if kind == "dateInterval":
        return {"start": _day_of(v.get("start")), "end": _day_of(v.get("end"))} if isinstance(v, dict) else {}
    if kind == "number":
        return "" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
    return "" if v is None else str(v)


def _number(raw: str) -> Any:
    """A number when the text is one; otherwise the text itself, so the engine answers "must be a number"."""
    try:
        n = float(raw)
    except ValueError:
        return raw
    return int(n) if n.is_integer() and "." not in raw and "e" not in raw.lower() else n


def read_fields(fields: list[Field], form: FormData, viewer: Viewer) -> list[dict[str, Any]]:
    """Turn the posted fields into form entries; records "value is required" on empty required fields and
    keeps what was posted on each field so a failed submit shows it again."""

    def one(name: str) -> str:
        v = form.get(name)
        return v.strip() if isinstance(v, str) else ""

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str) and v]

    entries: list[dict[str, Any]] = []
    for f in fields:
        if f.kind in ("text", "unsupported"):
            continue
        w = f.widget
        value: Any
        extra: dict[str, Any] = {}
        if f.kind == "amount":
            raw, currency = one(f.name), one(f.name + ".currency") or "CNY"
            f.value = {"amount": raw, "currency": currency}
            empty, value, extra = not raw, _number(raw), {"currency": currency}
        elif f.kind == "number":
            raw = one(f.name)
            f.value = raw
            empty, value = not raw, _number(raw)
        elif f.kind in ("checkboxV2", "contact"):
            chosen = many(f.name)
            f.value = chosen
            empty, value = not chosen, chosen
            if f.kind == "contact":  # the contact widget holds open_ids, as Feishu's does
                value = [_open_id(viewer, u) for u in chosen]
        elif f.kind == "date":
            raw = one(f.name)
            f.value = raw
            empty, value = not raw, date_value(raw) if _valid_day(raw) else raw
        elif f.kind == "dateInterval":
            start, end = one(f.name + ".start"), one(f.name + ".end")
            f.value = {"start": start, "end": end}
            empty = not start and not end
            value = {"start": date_value(start) if _valid_day(start) else start,
                     "end": date_value(end) if _valid_day(end) else end}
            if _valid_day(start) and _valid_day(end):
                days = (date.fromisoformat(end) - date.fromisoformat(start)).days
                if days < 0:
                    f.error = f.messages["order"]
                value["interval"] = days + 1  # whole days, both ends included: Mon..Mon is one day of leave
        elif f.kind in FILE_FIELDS:  # uploaded before this runs (take_uploads): the value holds their codes
            value = list(f.value) if isinstance(f.value, list) else []
            empty = not value
        else:
            raw = one(f.name)
            f.value = raw
            empty, value = not raw, raw
        if empty:
            if f.required:
                f.error = f.messages["required"]
            continue
        problem = setting_problem(kind=f.kind, raw=w.raw, label=f.label, lang=f.lang, value=value,
                                  currency=str(extra.get("currency", "")))
        if problem and not f.error:
            f.error = problem
        entries.append({"id": w.id, "type": w.type, "value": value, **extra})
    return entries


def _user_id(viewer: Viewer, any_id: str) -> str:
    user = viewer.directory.user(any_id) or viewer.directory.resolve(any_id, "open_id")
    return user.user_id if user is not None else any_id


def _open_id(viewer: Viewer, user_id: str) -> str:
    user = viewer.directory.user(user_id)
    return user.open_id if user is not None else user_id


def _valid_day(raw: str) -> bool:
    try:
        date.fromisoformat(raw)
    except ValueError:
        return False
    return True


def attach_error(fields: list[Field], entries: list[dict[str, Any]], e: ParamInvalid) -> bool:
    """Put a ``parse_form`` error on the field it names (``form[i]…`` → the i-th posted entry); False if none."""
    where = e.field
    if where.startswith("form[") and "]" in where:
        try:
            index = int(where[5:where.index("]")])
        except ValueError:
            return False
        if 0 <= index < len(entries):
            for f in fields:
                if f.widget.id == entries[index]["id"]:
                    f.error = e.detail
                    return True
    return False


def check_entries(d: Definition, fields: list[Field], entries: list[dict[str, Any]]) -> ParamInvalid | None:
    """Run the posted entries through the API's own validation; its first complaint lands on its field."""
    try:
        parse_form(d, json.dumps(entries))
    except ParamInvalid as e:
        attach_error(fields, entries, e)
        return e
    return None


@dataclass(slots=True)
class Shown:
    """A form value as the instance page shows it."""

    label: str
    kind: str  # "text" | "multiline" | "list" | "files" | "json"
    text: str = ""
    items: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # files: (code, name)


def show_form(d: Definition, form: list[dict[str, Any]], viewer: Viewer, locale: str,
              days_label: Any, files: dict[str, str] | None = None) -> list[Shown]:
    """Render each entry by its widget's type; unknown widgets and types fall back to the stored JSON."""
    out: list[Shown] = []
    for entry in form:
        w = d.widget(str(entry.get("id", "")))
        label = d.text(w.name, locale) if w is not None and w.name else str(entry.get("name") or entry.get("id"))
        v = entry.get("value")
        kind = canonical_type(w.type if w is not None else str(entry.get("type", "")))
        if kind == "textarea" and isinstance(v, str):
            out.append(Shown(label, "multiline", v))
        elif kind in ("input", "number", "telephone_text", "formula") and isinstance(v, str | int | float):
            out.append(Shown(label, "text", str(v)))
        elif kind == "amount" and isinstance(v, int | float | str) and _is_number(v):
            out.append(Shown(label, "text", amount_text(v, entry, w)))
        elif kind == "radioV2" and isinstance(v, str) and w is not None:
            out.append(Shown(label, "text", option_text(d, w, v, locale)))
        elif kind == "checkboxV2" and isinstance(v, list) and w is not None:
            out.append(Shown(label, "list", items=[option_text(d, w, str(x), locale) for x in v]))
        elif kind == "date" and isinstance(v, str):
            out.append(Shown(label, "text", _when_text(v)))
        elif kind == "dateInterval" and isinstance(v, dict):
            text = f"{_when_text(str(v.get('start', '')))} – {_when_text(str(v.get('end', '')))}"
            if isinstance(v.get("interval"), int | float):
                text += " · " + days_label(v["interval"])
            out.append(Shown(label, "text", text))
        elif kind in FILE_FIELDS and isinstance(v, list):
            out.append(Shown(label, "files", links=[(str(c), (files or {}).get(str(c), str(c))) for c in v]))
        elif kind in ("contact", "connect") and isinstance(v, list):
            out.append(Shown(label, "list", items=[viewer.name(str(x)) for x in v]))
        else:
            out.append(Shown(label, "json", json.dumps(v, ensure_ascii=False)))
    return out


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def amount_text(v: Any, entry: dict[str, Any], w: Widget | None) -> str:
    """An amount with its currency: the one stored with it, else the widget's, else CNY (an amount widget's
    default, so an amount sent through the API without one still shows what it is in)."""
    currency = entry.get("currency") or (w.raw.get("currency") if w is not None else "") or "CNY"
    return f"{float(v):,.2f} {currency}"


def _when_text(value: str) -> str:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if dt.hour == dt.minute == dt.second == 0:
        return dt.date().isoformat()
    return dt.strftime("%Y-%m-%d %H:%M")
