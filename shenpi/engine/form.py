"""Form values: parse the wire's JSON-array string and check each entry against the definition's widgets.

Feishu's rule: a required widget left out is not an error, but every entry that is given must name a widget of
the definition and carry a value of that widget's type. Errors name the widget.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import msgspec

from shenpi.engine.errors import ParamInvalid
from shenpi.engine.model import Definition, Widget
from shenpi.engine.plan import plan_of

# Wire spellings that mean the same widget (the v2 names are what the console produces today).
_ALIASES = {
    "radio": "radioV2",
    "checkbox": "checkboxV2",
    "image": "imageV2",
    "attachment": "attachmentV2",
    "leaveGroup": "leaveGroupV2",
    "shiftGroup": "shiftGroupV2",
    "remedyGroup": "remedyGroupV2",
}


_decode = msgspec.json.Decoder().decode


def canonical_type(widget_type: str) -> str:
    return _ALIASES.get(widget_type, widget_type)


_NUMBER = (int, float)  # a tuple: ``int | float`` would build a union at every call


def _is_number(v: Any) -> bool:
    return isinstance(v, _NUMBER) and not isinstance(v, bool)


def _is_numeric(v: Any) -> bool:
    """A number widget's value: a JSON number, or a decimal numeral in a string (the create page's own example
    sends ``"4"``)."""
    if isinstance(v, str):
        try:
            return math.isfinite(float(v)) and v.strip() == v and v != ""
        except ValueError:
            return False
    return _is_number(v)


def _is_rfc3339(v: Any) -> bool:
    if not isinstance(v, str) or not v:
        return False
    try:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _check_value(widget: Widget, entry: dict[str, Any]) -> str:
    """Return "" when the value fits the widget, else what is wrong with it."""
    t = canonical_type(widget.type)
    v = entry["value"]
    if t in ("input", "textarea", "telephone_text"):
        return "" if isinstance(v, str) else "must be a string"
    if t in ("number", "formula"):
        return "" if _is_numeric(v) else "must be a number"
    if t == "amount":
        if not _is_numeric(v):
            return "must be a number"
        currency = entry.get("currency")
        if currency is not None and not isinstance(currency, str):
            return "currency must be a string"
        return ""
    if t == "radioV2":
        if not isinstance(v, str):
            return "must be a string (an option value)"
        if widget.options and v not in widget.options:
            return f"'{v}' is not one of the widget's options"
        return ""
    if t == "checkboxV2":
        if not _is_str_list(v):
            return "must be an array of option values"
        bad = [x for x in v if widget.options and x not in widget.options]
        return f"'{bad[0]}' is not one of the widget's options" if bad else ""
    if t == "date":
        return "" if _is_rfc3339(v) else "must be an RFC3339 date-time string"
    if t == "dateInterval":
        if not isinstance(v, dict) or not _is_rfc3339(v.get("start")) or not _is_rfc3339(v.get("end")):
            return "must be an object with RFC3339 start and end"
        if "interval" in v and not _is_number(v["interval"]):
            return "interval must be a number of days"
        return ""
    if t in ("contact", "connect", "attachmentV2", "imageV2"):
        return "" if _is_str_list(v) else "must be an array of strings"
    if t == "department":
        return "" if isinstance(v, list) else "must be an array"
    if t == "fieldList":
        return "" if isinstance(v, list) and all(isinstance(r, list) for r in v) else "must be a 2-D array"
    if t in ("telephone", "document"):
        return "" if isinstance(v, dict) else "must be an object"
    if t == "text":
        return "a text (说明) widget takes no value"
    return ""  # other widget types (groups, address, ...) are stored as sent


def parse_form(definition: Definition, form: str | None, *, field_name: str = "form") -> list[dict[str, Any]]:
    """Parse and validate a form string; an absent or empty form is an empty list."""
    if form is None or form == "":
        return []
    try:
        entries = _decode(form)
    except msgspec.DecodeError:
        raise ParamInvalid(f"{field_name} is not valid JSON", field=field_name) from None
    if not isinstance(entries, list):
        raise ParamInvalid(f"{field_name} must be a JSON array of widget values", field=field_name)
    widgets = plan_of(definition).widgets
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(entries):
        # (the error paths spell out where: formatting it for every entry cost more than the checks)
        if not isinstance(entry, dict):
            raise ParamInvalid(f"{field_name}[{i}] must be an object", field=f"{field_name}[{i}]")
        wid = entry.get("id")
        if not isinstance(wid, str) or not wid:
            raise ParamInvalid(f"{field_name}[{i}].id is required", field=f"{field_name}[{i}].id")
        widget = widgets.get(wid)
        if widget is None:
            raise ParamInvalid(f"控件= {wid}: no such widget in the approval definition", field=f"{field_name}[{i}]")
        if wid in seen:
            raise ParamInvalid(f"控件= {wid}: given more than once", field=f"{field_name}[{i}]")
        seen.add(wid)
        wtype = entry.get("type")
        if wtype is not None and wtype != widget.type and canonical_type(str(wtype)) != canonical_type(widget.type):
            raise ParamInvalid(
                f"控件= {wid}: type '{wtype}' does not match the widget's type '{widget.type}'",
                field=f"{field_name}[{i}]",
            )
        if "value" not in entry:
            raise ParamInvalid(f"控件= {wid}: value is required", field=f"{field_name}[{i}].value")
        problem = _check_value(widget, entry)
        if problem:
            raise ParamInvalid(f"控件= {wid}: value {problem}", field=f"{field_name}[{i}].value")
        normalized = dict(entry)
        normalized["type"] = widget.type
        if widget.name:
            normalized.setdefault("name", widget.name)
        if widget.custom_id:
            normalized.setdefault("custom_id", widget.custom_id)
        out.append(normalized)
    return out


def merge_form(current: list[dict[str, Any]], updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Overlay widget values given on approve/reject onto the instance's form, by widget id."""
    if not updates:
        return current
    by_id = {e["id"]: e for e in updates}
    merged = [by_id.pop(e["id"], e) for e in current]
    merged.extend(by_id.values())
    return merged
