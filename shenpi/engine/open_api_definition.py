"""The rules the Open API's create-definition call adds to what a definition may hold.

Feishu's console builds definitions the API cannot (formula widgets, leave groups, plain-text names); shenpi's
seed files and web admin stand for that console, so these rules apply to ``POST /approval/v4/approvals`` only:

- every display text of the definition is an i18n key: it starts with ``@i18n@``, the approval's name, its
  description and its nodes' names are at least 9 characters long, and the default locale of
  ``i18n_resources`` has a text for every key the definition uses (other locales fall back to it);
- a widget type the definition API does not accept (formula, serial numbers, the attendance and trip widget
  groups, referenced Bitable tables) is refused.

The external-approval call keeps the rule that the default locale has a text for every key its definition uses.
"""

from __future__ import annotations

from typing import Any

import msgspec

from shenpi.engine.errors import ParamInvalid

I18N_PREFIX = "@i18n@"
_MIN_KEY_CHARS = 9  # the approval, description and node names: the prefix and at least three characters

# Widget types the definition API refuses; the console can still build them.
NOT_BY_API = frozenset({
    "formula", "mutableGroup", "serialNumber", "shiftGroupV2", "workGroup", "leaveGroup", "leaveGroupV2",
    "outGroup", "tripGroup",
})


def _key(value: Any, field: str, *, min_chars: int = 0) -> str:
    if not isinstance(value, str) or not value.startswith(I18N_PREFIX):
        raise ParamInvalid(f"{field} must be an i18n key starting with {I18N_PREFIX}", field=field)
    if len(value) < min_chars:
        raise ParamInvalid(f"{field} must be at least {min_chars} characters", field=field)
    return value


def _widget_keys(form_content: Any) -> list[tuple[str, str]]:
    """(key, field) for each text key the widgets use; a form that is not a JSON array is the builder's to name."""
    if not isinstance(form_content, str):
        return []
    try:
        widgets = msgspec.json.decode(form_content)
    except msgspec.DecodeError:
        return []
    if not isinstance(widgets, list):
        return []
    keys: list[tuple[str, str]] = []
    for i, w in enumerate(widgets):
        if not isinstance(w, dict):
            continue
        where = f"form.form_content[{i}]"
        if w.get("type") in NOT_BY_API:
            raise ParamInvalid(f"{where}.type '{w['type']}' cannot be created through the API",
                               field=f"{where}.type")
        keys.append((_key(w.get("name"), f"{where}.name"), f"{where}.name"))
        if w.get("type") == "text":
            keys.append((_key(w.get("value"), f"{where}.value", min_chars=_MIN_KEY_CHARS), f"{where}.value"))
        if w.get("type") in ("radio", "radioV2", "checkbox", "checkboxV2") and isinstance(w.get("value"), list):
            for j, opt in enumerate(w["value"]):
                if isinstance(opt, dict) and "text" in opt:
                    field = f"{where}.value[{j}].text"
                    keys.append((_key(opt["text"], field), field))
    return keys


def _default_texts(resources: Any) -> set[str] | None:
    """The keys the default locale has texts for; None when no locale is marked default."""
    if not isinstance(resources, list):
        return None
    for r in resources:
        if isinstance(r, dict) and r.get("is_default") is True:
            return {t["key"] for t in r.get("texts") or [] if isinstance(t, dict) and isinstance(t.get("key"), str)}
    return None


def default_text(resources: Any, key: str, field: str) -> str:
    """The default locale's text for the i18n ``key`` a request field carries; 1390001 naming it when there is none."""
    check_default_texts(resources, [(key, field)])
    default = next(r for r in resources if isinstance(r, dict) and r.get("is_default") is True)
    return next(str(t.get("value") or "") for t in default.get("texts") or []
                if isinstance(t, dict) and t.get("key") == key)


def check_open_api_definition(body: dict[str, Any]) -> None:
    """1390001 naming the field, for the first rule above that ``body`` breaks."""
    used = [(_key(body.get("approval_name"), "approval_name", min_chars=_MIN_KEY_CHARS), "approval_name")]
    if body.get("description") not in (None, ""):
        used.append((_key(body["description"], "description", min_chars=_MIN_KEY_CHARS), "description"))
    form = body.get("form")
    used.extend(_widget_keys(form.get("form_content") if isinstance(form, dict) else None))
    nodes = body.get("node_list")
    for i, n in enumerate(nodes if isinstance(nodes, list) else []):
        if isinstance(n, dict) and n.get("id") not in ("START", "END") and n.get("name") not in (None, ""):
            field = f"node_list[{i}].name"
            used.append((_key(n["name"], field, min_chars=_MIN_KEY_CHARS), field))
    check_default_texts(body.get("i18n_resources"), used)


def check_default_texts(resources: Any, used: list[tuple[str, str]]) -> None:
    """1390001 unless one locale of ``resources`` is the default and has a text for each (key, field) used."""
    texts = _default_texts(resources)
    if texts is None:
        raise ParamInvalid("i18n_resources needs one locale with is_default true", field="i18n_resources")
    for key, field in used:
        if key not in texts:
            raise ParamInvalid(f"{field} {key} has no text in the default locale of i18n_resources", field=field)
