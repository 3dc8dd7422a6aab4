"""A designer draft as the definition API's create body, a stored definition back as a draft, and what is wrong
with a draft, said next to the field concerned.

Texts become ``@i18n@`` keys with a zh-CN (default) and an en-US text, so the body passes the Open API's own rules
and ``approvals/:code`` answers each name in either language. A branch becomes ``conditions`` on the nodes of each
case (the engine runs a node only when all its conditions hold): case *i* holds its own condition and the opposite
of every earlier case's, the default case the opposite of them all, so exactly one case runs. Each such node also
carries ``shenpi_branch`` (which branch and case it belongs to) so the designer can draw the branch again; the
definition API cannot express branches and ``approvals/:code`` leaves both keys out.
"""

from __future__ import annotations

import json
from typing import Any

from shenpi.engine.form import canonical_type
from shenpi.engine.model import Definition
from shenpi.web.designer_model import (
    BRANCH_FIELD_TYPES,
    CURRENCIES,
    FIELD_TYPES,
    LEVELLED,
    NEGATE,
    OPTION_TYPES,
    Branch,
    Case,
    Column,
    Draft,
    Field,
    Option,
    Step,
)

ZH, EN = "zh-CN", "en-US"
BRANCH_KEY = "shenpi_branch"
# Keys of a stored body the designer writes; every other key (settings it does not show, process managers, the
# creating app, a widget's or node's other attributes) is kept from the version being edited.
_OWNED = ("approval_name", "description", "icon", "viewers", "form", "node_list", "i18n_resources")


class Texts:
    def __init__(self) -> None:
        self.texts: dict[str, tuple[str, str]] = {}

    def key(self, name: str, zh: str, en: str) -> str:
        key = f"@i18n@{name}"
        self.texts[key] = (zh or en, en or zh)
        return key

    def resources(self) -> list[dict[str, Any]]:
        return [{"locale": loc, "is_default": loc == ZH,
                 "texts": [{"key": k, "value": v[i]} for k, v in self.texts.items()]}
                for i, loc in enumerate((ZH, EN))]


def _number(raw: str) -> float | int | None:
    try:
        n = float(raw)
    except ValueError:
        return None
    return int(n) if n.is_integer() else n


def _widget(f: Field, texts: Texts, kept: dict[str, Any]) -> dict[str, Any]:
    w: dict[str, Any] = {**kept, "id": f.id, "type": f.type, "name": texts.key(f"w_{f.id}", f.name_zh, f.name_en),
                         "required": f.required}
    if f.placeholder:
        w["placeholder"] = f.placeholder
    else:
        w.pop("placeholder", None)
    if f.type == "text":  # an explanation shows its text; the API wants it as a key of at least nine characters
        w["value"] = texts.key(f"w_{f.id}_text", f.placeholder or f.name_zh, f.placeholder or f.name_en)
        w.pop("placeholder", None)
    if f.type in OPTION_TYPES:
        w["value"] = [{"key": o.value, "value": o.value, "text": texts.key(f"w_{f.id}_o{i}", o.zh, o.en)}
                      for i, o in enumerate(f.options)]
        w.pop("option", None)
    if f.type == "amount":
        w["currency"] = f.currency
    if f.type == "fieldList":
        w["children"] = [{"id": c.id, "type": c.type, "name": texts.key(f"w_{f.id}_{c.id}", c.name_zh, c.name_en),
                          "required": c.required} for c in f.columns]
    return w


def _specs(s: Step) -> list[dict[str, Any]]:
    if s.who == "Personal":
        return [{"type": "Personal", "user_id": u} for u in s.users]
    if s.who == "Free":
        return [] if s.kind == "CC" else [{"type": "Free"}]
    return [{"type": s.who, "level": str(s.level)}]


def _node(s: Step, texts: Texts, kept: dict[str, Any]) -> dict[str, Any]:
    n: dict[str, Any] = {**kept, "id": s.key, "name": texts.key(f"node_{s.key}", s.name_zh, s.name_en)}
    n.pop(BRANCH_KEY, None)
    role = "ccer" if s.kind == "CC" else "approver"
    specs = kept.get(role) if s.keep_approvers and isinstance(kept.get(role), list) else _specs(s)
    if s.kind == "CC":
        n.update(node_type="CC_NODE", ccer=specs)
        n.pop("approver", None)
    else:
        n.update(node_type=s.kind, approver=specs, empty_approver=s.empty, require_signature=s.signature)
        if s.starter:
            n["starter_assignee"] = s.starter
        else:
            n.pop("starter_assignee", None)
        # an approval node's own ccers (set outside the designer) stay as they are
    if s.conditions:
        n["conditions"] = s.conditions
    else:
        n.pop("conditions", None)
    return n


def case_condition(d: Draft, c: Case) -> dict[str, Any]:
    f = d.field_by_id(c.widget)
    value: Any = c.value.strip()
    if f is not None and f.type in ("number", "amount"):
        value = _number(value)
    if f is not None and f.type in OPTION_TYPES:  # an option is written as its text (either language) or value
        value = next((o.value for o in f.options if value in (o.value, o.zh, o.en)), value)
    return {"widget": c.widget, "op": c.op, "value": value}


def case_conditions(d: Draft, branch: Branch, index: int) -> list[dict[str, Any]]:
    """The conditions the steps of case ``index`` run under: its own, and no earlier case's."""
    case = branch.cases[index]
    earlier = [case_condition(d, c) for c in branch.cases[:index] if not c.default]
    out = [] if case.default else [case_condition(d, case)]
    out += [{**c, "op": NEGATE[c["op"]]} for c in earlier]
    if case.default:  # the default also excludes the cases after it, should any follow
        out += [{**case_condition(d, c), "op": NEGATE[c.op]} for c in branch.cases[index + 1:] if not c.default]
    return out


def to_body(d: Draft, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The create-definition body of the draft; ``base`` is the body of the version being edited."""
    base = base or {}
    texts = Texts()
    kept_widgets = {w.get("id"): w for w in _widget_list(base)}
    kept_nodes = {n.get("id"): n for n in base.get("node_list") or [] if isinstance(n, dict)}
    body: dict[str, Any] = {k: v for k, v in base.items() if k not in _OWNED}
    if d.code:
        body["approval_code"] = d.code
    body["approval_name"] = texts.key("approval_name", d.name_zh, d.name_en)
    if d.desc_zh or d.desc_en:
        body["description"] = texts.key("approval_description", d.desc_zh, d.desc_en)
    body["icon"] = d.icon
    if d.viewer_kind == "USER":
        body["viewers"] = [{"viewer_type": "USER", "viewer_user_id": u} for u in d.viewer_ids]
    elif d.viewer_kind == "DEPARTMENT":
        body["viewers"] = [{"viewer_type": "DEPARTMENT", "viewer_department_id": x} for x in d.viewer_ids]
    else:
        body["viewers"] = [{"viewer_type": d.viewer_kind}]
    widgets = [_widget(f, texts, dict(kept_widgets.get(f.id) or {})) if f.type in FIELD_TYPES
               else kept_widgets[f.id] for f in d.fields if f.type in FIELD_TYPES or f.id in kept_widgets]
    base_form: dict[str, Any] = base["form"] if isinstance(base.get("form"), dict) else {}
    body["form"] = {**base_form, "form_content": json.dumps(widgets, ensure_ascii=False)}
    nodes: list[dict[str, Any]] = [{"id": "START"}]
    for item in d.process:
        if isinstance(item, Step):
            nodes.append(_node(item, texts, dict(kept_nodes.get(item.key) or {})))
            continue
        cases = [{"name_zh": c.name_zh, "name_en": c.name_en, "default": c.default,
                  "when": {} if c.default else case_condition(d, c)} for c in item.cases]
        for ci, case in enumerate(item.cases):
            conditions = case_conditions(d, item, ci)
            for s in case.steps:
                n = _node(s, texts, dict(kept_nodes.get(s.key) or {}))
                n["conditions"] = conditions
                n[BRANCH_KEY] = {"branch": item.key, "case": ci, "cases": cases}
                nodes.append(n)
    nodes.append({"id": "END"})
    body["node_list"] = nodes
    settings = dict(base.get("settings") or {}) if isinstance(base.get("settings"), dict) else {}
    settings["revert_interval"] = d.revert_days * 86400
    body["settings"] = settings
    body["i18n_resources"] = texts.resources()
    return body


def _widget_list(body: dict[str, Any]) -> list[dict[str, Any]]:
    form = body.get("form")
    raw = form.get("form_content") if isinstance(form, dict) else None
    try:
        widgets = json.loads(raw) if isinstance(raw, str) else []
    except ValueError:
        return []
    return [w for w in widgets if isinstance(w, dict)] if isinstance(widgets, list) else []


# -- a stored definition back as a draft ------------------------------------------------------------------------

def _both(d: Definition, key: str) -> tuple[str, str]:
    zh, en = d.text(key, ZH), d.text(key, EN)
    return zh, ("" if en == zh else en)


def _field(d: Definition, raw: dict[str, Any]) -> Field:
    ftype = canonical_type(str(raw.get("type") or "input"))
    zh, en = _both(d, str(raw.get("name") or ""))
    f = Field(str(raw.get("id")), ftype, zh, en, bool(raw.get("required", False)), str(raw.get("placeholder") or ""))
    if ftype == "text":
        f.placeholder = d.text(str(raw.get("value") or ""), ZH)
    opts = raw.get("value") if isinstance(raw.get("value"), list) else raw.get("option")
    if ftype in OPTION_TYPES and isinstance(opts, list):
        for o in opts:
            if isinstance(o, dict) and ("value" in o or "key" in o):
                value = str(o["value"] if "value" in o else o["key"])
                ozh, oen = _both(d, str(o.get("text") or value))
                f.options.append(Option(value, ozh, oen))
    if ftype == "amount":
        f.currency = str(raw.get("currency") or "CNY") if raw.get("currency") in CURRENCIES else "CNY"
    for c in raw.get("children") or [] if ftype == "fieldList" else []:
        if isinstance(c, dict):
            czh, cen = _both(d, str(c.get("name") or ""))
            f.columns.append(Column(str(c.get("id")), str(c.get("type") or "input"), czh, cen,
                                    bool(c.get("required", False))))
    return f


def _step(d: Definition, raw: dict[str, Any], with_conditions: bool) -> Step:
    zh, en = _both(d, str(raw.get("name") or raw.get("id")))
    node_type = raw.get("node_type") or "AND"
    specs = [a for a in (raw.get("ccer") if node_type == "CC_NODE" else raw.get("approver")) or []
             if isinstance(a, dict)]
    who = str(specs[0].get("type")) if specs else ("Free" if node_type == "CC_NODE" else "Supervisor")
    level = 1
    if specs and who in LEVELLED:
        try:
            level = int(specs[0].get("level") or 1)
        except (TypeError, ValueError):
            level = 1
    kinds = {str(a.get("type")) for a in specs}
    mixed = ", ".join(f"{a.get('type')}" + (f" {a.get('user_id')}" if a.get("user_id") else "")
                      + (f" ({a.get('level')})" if a.get("level") else "") for a in specs) if len(kinds) > 1 else ""
    return Step(str(raw.get("id")), "CC" if node_type == "CC_NODE" else str(node_type), zh, en, who,
                [str(a.get("user_id")) for a in specs if a.get("type") == "Personal" and a.get("user_id")], level,
                str(raw.get("empty_approver") or "AUTO_PASS"), str(raw.get("starter_assignee") or ""),
                bool(raw.get("require_signature", False)),
                [c for c in raw.get("conditions") or [] if isinstance(c, dict)] if with_conditions else [], mixed)


def from_definition(d: Definition) -> Draft:
    body = d.body
    zh, en = _both(d, d.name)
    dzh, den = _both(d, str(body.get("description") or "")) if body.get("description") else ("", "")
    viewers = [v for v in body.get("viewers") or [] if isinstance(v, dict)]
    kind = str(viewers[0].get("viewer_type") or "TENANT") if viewers else "TENANT"
    ids = [str(v.get("viewer_user_id") or v.get("viewer_department_id") or "") for v in viewers]
    icon = str(body.get("icon") or 0)
    # the engine's window (31 days unless the body says), in whole days, rounded up so a window never closes
    revert_days = -(-d.settings.revert_interval // 86400)
    draft = Draft(d.code, d.version, zh, en, dzh, den, int(icon) if icon.isdigit() else 0, kind, [i for i in ids if i],
                  min(revert_days, 365))
    draft.fields = [_field(d, w) for w in _widget_list(body)]
    branches: dict[str, Branch] = {}
    for raw in body.get("node_list") or []:
        if not isinstance(raw, dict) or raw.get("id") in ("START", "END"):
            continue
        meta = raw.get(BRANCH_KEY)
        if not isinstance(meta, dict):
            draft.process.append(_step(d, raw, with_conditions=True))
            continue
        branch = branches.get(str(meta.get("branch")))
        if branch is None:
            branch = branches[str(meta.get("branch"))] = Branch(str(meta.get("branch")))
            for c in meta.get("cases") or []:
                c = c if isinstance(c, dict) else {}
                when: dict[str, Any] = c["when"] if isinstance(c.get("when"), dict) else {}
                branch.cases.append(Case(
                    str(c.get("name_zh") or ""), str(c.get("name_en") or ""), str(when.get("widget") or ""),
                    str(when.get("op") or ">="), "" if when.get("value") is None else str(when.get("value")),
                    bool(c.get("default"))))
            draft.process.append(branch)
        ci = int(meta.get("case") or 0)
        if 0 <= ci < len(branch.cases):
            branch.cases[ci].steps.append(_step(d, raw, with_conditions=False))
    return draft


# -- what is wrong with a draft ---------------------------------------------------------------------------------

def problems(d: Draft, t: Any, known_users: set[str]) -> dict[str, str]:
    """Messages keyed by the posted field they concern (``f2.name_zh``), or by a section (``process``)."""
    out: dict[str, str] = {}
    if not (d.name_zh or d.name_en):
        out["name_zh"] = t("Give the approval a name.")
    if d.viewer_kind in ("USER", "DEPARTMENT") and not d.viewer_ids:
        out["viewer_ids"] = t("Choose who may submit.")
    if not d.fields:
        out["fields"] = t("Add at least one field to the form.")
    for i, f in enumerate(d.fields):
        p = f"f{i}"
        if f.type not in FIELD_TYPES:
            continue  # kept as the definition has it
        if not (f.name_zh or f.name_en):
            out[f"{p}.name_zh"] = t("Give the field a name.")
        if f.type in OPTION_TYPES and not f.options:
            out[f"{p}.options"] = t("Add at least one option, one a line.")
        if f.type == "fieldList":
            if not f.columns:
                out[f"{p}.columns"] = t("A detail table needs at least one column.")
            for j, c in enumerate(f.columns):
                if not (c.name_zh or c.name_en):
                    out[f"{p}.c{j}.name_zh"] = t("Give the column a name.")
    approval_steps = 0
    for i, item in enumerate(d.process):
        if isinstance(item, Step):
            approval_steps += item.kind != "CC"
            _step_problems(item, f"p{i}", t, known_users, out)
            continue
        if not any(case.steps for case in item.cases):
            out[f"p{i}"] = t("Add a step to at least one case of the branch.")
        for j, case in enumerate(item.cases):
            cp = f"p{i}.b{j}"
            approval_steps += any(s.kind != "CC" for s in case.steps)
            if not case.default:
                _case_problems(d, case, cp, t, out)
            for k, s in enumerate(case.steps):
                _step_problems(s, f"{cp}.s{k}", t, known_users, out)
    if not approval_steps:
        out["process"] = t("Add at least one approval step.")
    return out


def _case_problems(d: Draft, case: Case, c: str, t: Any, out: dict[str, str]) -> None:
    f = d.field_by_id(case.widget)
    if f is None or f.type not in BRANCH_FIELD_TYPES:
        out[f"{c}.widget"] = t("Choose a number, amount or single-choice field of the form.")
        return
    if not f.required:
        out[f"{c}.widget"] = t("Make this field required: a branch cannot decide on an empty field.")
    if f.type in ("number", "amount") and _number(case.value.strip()) is None:
        out[f"{c}.value"] = t("Enter a number.")
    if f.type == "radioV2":
        if case.op not in ("==", "!="):
            out[f"{c}.op"] = t("A choice is compared with “is” or “is not”.")
        if not any(case.value.strip() in (o.value, o.zh, o.en) for o in f.options):
            out[f"{c}.value"] = t("Enter one of the field's options: {options}.",
                                  options=", ".join(o.zh + (f" / {o.en}" if o.en else "") for o in f.options))


def _step_problems(s: Step, p: str, t: Any, known_users: set[str], out: dict[str, str]) -> None:
    if not (s.name_zh or s.name_en):
        out[f"{p}.name_zh"] = t("Give the step a name.")
    if s.keep_approvers:
        return  # the approvers set outside the designer stay as they are
    if s.who == "Personal" and not s.users:
        out[f"{p}.users"] = t("Choose at least one person.")
    unknown = [u for u in s.users if u not in known_users]
    if s.who == "Personal" and unknown:
        out[f"{p}.users"] = t("Nobody in the directory has the id {id}.", id=unknown[0])
    if s.kind == "SEQUENTIAL" and s.who != "Free":
        out[f"{p}.who"] = t("One after another works with approvers the submitter chooses.")
