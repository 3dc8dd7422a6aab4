"""Build a Definition from the create-definition body (``POST /approval/v4/approvals``) and render it back.

The body shape is Feishu's create-approval body (``approval_name``, ``form.form_content``, ``node_list`` from
START to END, ``settings``, ``viewers``, ``i18n_resources``); a seed file may add, per node, ``require_signature``,
``conditions`` (branches, which Feishu builds only in its console) and ``empty_approver`` (``AUTO_PASS``, the
default, or ``AUTO_REJECT``: what a node whose approvers resolve to nobody does), and per definition ``status``
(``ACTIVE``, the default, or ``INACTIVE`` / ``DELETED``: a definition stopped or deleted in the console).
Errors name the offending field.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from shenpi.engine.errors import ParamInvalid
from shenpi.engine.model import APPROVER_TYPES, ApproverSpec, Condition, Definition, Node, Settings, Widget

_NODE_TYPES = ("AND", "OR", "SEQUENTIAL", "CC_NODE")
_LEVELLED = ("Supervisor", "SupervisorTopDown", "DepartmentManager", "DepartmentManagerTopDown")
_STARTER_ASSIGNEE = ("", "STARTER", "AUTO_PASS", "SUPERVISOR", "DEPARTMENT_MANAGER")
_CONDITION_OPS = (">", ">=", "<", "<=", "==", "!=", "in", "not_in", "contains")
_EMPTY_APPROVER = ("AUTO_PASS", "AUTO_REJECT")


def node_system_id(approval_code: str, key: str) -> str:
    return hashlib.md5(f"{approval_code}/{key}".encode()).hexdigest()


def _req_str(obj: dict[str, Any], key: str, where: str) -> str:
    v = obj.get(key)
    if not isinstance(v, str) or not v:
        raise ParamInvalid(f"{where}{key} is required", field=f"{where}{key}")
    return v


def _approvers(items: Any, where: str, *, ccer: bool) -> list[ApproverSpec]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ParamInvalid(f"{where} must be an array", field=where)
    out: list[ApproverSpec] = []
    for i, a in enumerate(items):
        w = f"{where}[{i}]"
        if not isinstance(a, dict):
            raise ParamInvalid(f"{w} must be an object", field=w)
        t = a.get("type")
        if t not in APPROVER_TYPES or (ccer and t == "Free"):
            raise ParamInvalid(f"{w}.type '{t}' is not a valid approver type", field=f"{w}.type")
        uid = a.get("user_id") or ""
        if t == "Personal" and not uid:
            raise ParamInvalid(f"{w}.user_id is required for a Personal approver", field=f"{w}.user_id")
        level = 1
        if t in _LEVELLED:
            raw_level = a.get("level")
            try:
                level = int(raw_level) if raw_level not in (None, "") else 0
            except (TypeError, ValueError):
                level = 0
            if level < 1:
                raise ParamInvalid(f"{w}.level is required (a positive number) for {t}", field=f"{w}.level")
        out.append(ApproverSpec(type=str(t), user_id=str(uid), level=level))
    return out


def _conditions(items: Any, where: str, widget_ids: set[str]) -> list[Condition]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ParamInvalid(f"{where} must be an array", field=where)
    out = []
    for i, c in enumerate(items):
        w = f"{where}[{i}]"
        if not isinstance(c, dict):
            raise ParamInvalid(f"{w} must be an object", field=w)
        widget, op = c.get("widget"), c.get("op")
        if widget != "__submitter__" and widget not in widget_ids:
            raise ParamInvalid(f"{w}.widget '{widget}' is not a widget of the form", field=f"{w}.widget")
        if op not in _CONDITION_OPS:
            raise ParamInvalid(f"{w}.op must be one of {', '.join(_CONDITION_OPS)}", field=f"{w}.op")
        out.append(Condition(widget=str(widget), op=str(op), value=c.get("value")))
    return out


def option_value(option: dict[str, Any]) -> str:
    """The value an instance form gives to choose a radio/checkbox option: the definition API writes an option
    as ``{key, text}`` (the key is the value); the console's form, as ``get`` shows it, as ``{value, text}``."""
    return str(option["value"] if "value" in option else option["key"])


def parse_widgets(form_content: Any) -> list[Widget]:
    if not isinstance(form_content, str) or not form_content:
        raise ParamInvalid("form.form_content is required", field="form.form_content")
    try:
        raw = msgspec.json.decode(form_content)
    except msgspec.DecodeError:
        raise ParamInvalid("form.form_content is not valid JSON", field="form.form_content") from None
    if not isinstance(raw, list):
        raise ParamInvalid("form.form_content must be a JSON array of widgets", field="form.form_content")
    widgets: list[Widget] = []
    seen: set[str] = set()
    for i, w in enumerate(raw):
        where = f"form.form_content[{i}]"
        if not isinstance(w, dict):
            raise ParamInvalid(f"{where} must be an object", field=where)
        wid, wtype = _req_str(w, "id", where + "."), _req_str(w, "type", where + ".")
        if wid in seen:
            raise ParamInvalid(f"{where}.id '{wid}' is used twice", field=f"{where}.id")
        seen.add(wid)
        options: list[str] = []
        raw_options = w.get("value") if isinstance(w.get("value"), list) else w.get("option")
        for opt in raw_options if isinstance(raw_options, list) else []:
            if isinstance(opt, dict) and ("value" in opt or "key" in opt):
                options.append(option_value(opt))
            elif isinstance(opt, str):
                options.append(opt)
        widgets.append(
            Widget(
                id=wid,
                type=wtype,
                name=str(w.get("name") or ""),
                required=bool(w.get("required", False)),
                custom_id=str(w.get("custom_id") or ""),
                options=options if wtype in ("radio", "radioV2", "checkbox", "checkboxV2") else [],
                raw=w,
            )
        )
    return widgets


def _i18n(resources: Any) -> tuple[dict[str, dict[str, str]], str]:
    i18n: dict[str, dict[str, str]] = {}
    default = ""
    if resources is None:
        return i18n, "zh-CN"
    if not isinstance(resources, list):
        raise ParamInvalid("i18n_resources must be an array", field="i18n_resources")
    for i, r in enumerate(resources):
        if not isinstance(r, dict):
            raise ParamInvalid(f"i18n_resources[{i}] must be an object", field=f"i18n_resources[{i}]")
        loc = _req_str(r, "locale", f"i18n_resources[{i}].")
        texts = i18n.setdefault(loc, {})
        for t in r.get("texts") or []:
            if isinstance(t, dict) and isinstance(t.get("key"), str):
                texts[t["key"]] = str(t.get("value", ""))
        if r.get("is_default") and not default:
            default = loc
    return i18n, default or next(iter(i18n), "zh-CN")


def _settings(raw: Any) -> Settings:
    s = Settings()
    if raw is None:
        return s
    if not isinstance(raw, dict):
        raise ParamInvalid("settings must be an object", field="settings")
    for key in ("revert_interval", "revert_option", "reject_option", "quick_approval_option"):
        if key in raw and raw[key] is not None:
            v = raw[key]
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                raise ParamInvalid(f"settings.{key} must be a non-negative integer", field=f"settings.{key}")
            setattr(s, key, v)
    if s.reject_option not in (0, 1):
        raise ParamInvalid("settings.reject_option must be 0 or 1", field="settings.reject_option")
    if "cancel_enabled" in raw:
        s.cancel_enabled = bool(raw["cancel_enabled"])
    return s


def check_viewers(viewers: Any) -> None:
    """1390001 naming the field a viewer leaves out: a USER viewer names its user and a DEPARTMENT viewer its
    department; TENANT and NONE name nobody. The external-approval call keeps the same rule."""
    for i, v in enumerate(viewers if isinstance(viewers, list) else []):
        needs = {"USER": "viewer_user_id", "DEPARTMENT": "viewer_department_id"}.get(
            v.get("viewer_type", "") if isinstance(v, dict) else "")
        if needs and isinstance(v, dict) and not v.get(needs):
            raise ParamInvalid(f"a {v['viewer_type']} viewer needs {needs}", field=f"viewers[{i}].{needs}")


DEFINITION_STATUSES = ("ACTIVE", "INACTIVE", "DELETED")


def _status(value: Any) -> str:
    if value is None:
        return "ACTIVE"
    if value not in DEFINITION_STATUSES:
        raise ParamInvalid(f"status must be one of {', '.join(DEFINITION_STATUSES)}", field="status")
    return str(value)


def build_definition(
    body: dict[str, Any], *, tenant_key: str, approval_code: str, approval_id: int, version: int = 1
) -> Definition:
    """Validate a create-definition body and build the Definition it describes."""
    name = _req_str(body, "approval_name", "")
    viewers = body.get("viewers")
    if viewers is not None and not isinstance(viewers, list):
        raise ParamInvalid("viewers must be an array", field="viewers")
    check_viewers(viewers)
    form = body.get("form")
    if not isinstance(form, dict):
        raise ParamInvalid("form is required", field="form")
    widgets = parse_widgets(form.get("form_content"))
    i18n, default_locale = _i18n(body.get("i18n_resources"))
    if name.startswith("@i18n@") and not any(name in texts for texts in i18n.values()):
        raise ParamInvalid(f"approval_name {name} has no text in i18n_resources", field="approval_name")

    raw_nodes = body.get("node_list")
    if not isinstance(raw_nodes, list) or len(raw_nodes) < 2:
        raise ParamInvalid("node_list must run from START to END", field="node_list")
    if not isinstance(raw_nodes[0], dict) or raw_nodes[0].get("id") != "START":
        raise ParamInvalid("node_list[0].id must be START", field="node_list[0].id")
    last = len(raw_nodes) - 1
    if not isinstance(raw_nodes[-1], dict) or raw_nodes[-1].get("id") != "END":
        raise ParamInvalid(f"node_list[{last}].id must be END", field=f"node_list[{last}].id")
    widget_ids = {w.id for w in widgets}
    nodes: list[Node] = []
    keys: set[str] = {"START", "END"}
    for i, n in enumerate(raw_nodes[1:-1], start=1):
        where = f"node_list[{i}]"
        if not isinstance(n, dict):
            raise ParamInvalid(f"{where} must be an object", field=where)
        key = _req_str(n, "id", where + ".")
        if key in keys:
            raise ParamInvalid(f"{where}.id '{key}' is used twice", field=f"{where}.id")
        keys.add(key)
        node_type = n.get("node_type") or "AND"
        if node_type not in _NODE_TYPES:
            raise ParamInvalid(f"{where}.node_type must be AND, OR or SEQUENTIAL", field=f"{where}.node_type")
        approvers = _approvers(n.get("approver"), f"{where}.approver", ccer=False)
        ccers = _approvers(n.get("ccer"), f"{where}.ccer", ccer=True)
        if node_type != "CC_NODE" and not approvers:
            raise ParamInvalid(f"{where}.approver is required", field=f"{where}.approver")
        if node_type == "SEQUENTIAL" and any(a.type != "Free" for a in approvers):
            raise ParamInvalid(
                f"{where}: a SEQUENTIAL node takes Free approvers only", field=f"{where}.approver"
            )
        starter = n.get("starter_assignee") or ""
        if starter not in _STARTER_ASSIGNEE:
            raise ParamInvalid(f"{where}.starter_assignee '{starter}' is not valid", field=f"{where}.starter_assignee")
        empty_approver = n.get("empty_approver") or "AUTO_PASS"
        if empty_approver not in _EMPTY_APPROVER:
            raise ParamInvalid(f"{where}.empty_approver must be AUTO_PASS or AUTO_REJECT",
                               field=f"{where}.empty_approver")
        nodes.append(
            Node(
                key=key,
                node_id=node_system_id(approval_code, key),
                name=str(n.get("name") or key),
                node_type=node_type,
                approvers=approvers,
                ccers=ccers,
                require_signature=bool(n.get("require_signature", False)),
                starter_assignee=starter,
                approver_chosen_multi=bool(n.get("approver_chosen_multi", True)),
                conditions=_conditions(n.get("conditions"), f"{where}.conditions", widget_ids),
                empty_approver=empty_approver,
                raw=n,
            )
        )
    return Definition(
        tenant_key=tenant_key,
        code=approval_code,
        approval_id=approval_id,
        name=name,
        status=_status(body.get("status")),
        widgets=widgets,
        nodes=nodes,
        settings=_settings(body.get("settings")),
        i18n=i18n,
        default_locale=default_locale,
        body=body,
        version=version,
    )
