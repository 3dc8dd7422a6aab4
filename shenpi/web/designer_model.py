"""The visual designer's draft of an approval definition: what an admin edits, as the page's fields post it.

The page is stateless: every field of the draft travels in the form, named by a *path* and an attribute
(``f2.name_zh`` is the Chinese name of the third form field; ``p1.b0.s2.who`` is who approves the third step of the
first case of the branch that is the second item of the process). Buttons post an ``op`` ("up:f2", "remove:p1.b0",
"add-field", ...) that :func:`apply_op` performs on the draft read back from the fields, and the page is drawn
again. shenpi/web/designer_body.py turns a draft into the definition API's body and back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Widget types the designer builds (the definition API's names), in the order the "add a field" list offers them.
FIELD_TYPES = ("input", "textarea", "number", "amount", "date", "dateInterval", "radioV2", "checkboxV2", "contact",
               "department", "attachmentV2", "imageV2", "telephone", "fieldList", "text")
FIELD_TYPE_LABELS = {
    "input": "Single-line text", "textarea": "Multi-line text", "number": "Number", "amount": "Amount",
    "date": "Date", "dateInterval": "Date range", "radioV2": "Single choice", "checkboxV2": "Multiple choice",
    "contact": "Contact", "department": "Department", "attachmentV2": "Attachment", "imageV2": "Image",
    "telephone": "Telephone", "fieldList": "Detail table", "text": "Explanation text",
}
COLUMN_TYPES = ("input", "textarea", "number", "amount", "date")
OPTION_TYPES = ("radioV2", "checkboxV2")
CURRENCIES = ("CNY", "USD", "EUR", "JPY", "HKD", "GBP", "SGD")

STEP_KINDS = ("AND", "OR", "SEQUENTIAL", "CC")
STEP_KIND_LABELS = {"AND": "Everyone must approve", "OR": "Any one approves",
                    "SEQUENTIAL": "One after another", "CC": "CC"}
WHO = ("Supervisor", "SupervisorTopDown", "DepartmentManager", "DepartmentManagerTopDown", "Personal", "Free")
WHO_LABELS = {
    "Supervisor": "Supervisor, levels up from the submitter", "SupervisorTopDown": "Supervisor, from the top down",
    "DepartmentManager": "Department manager, levels up", "DepartmentManagerTopDown": "Department manager, from the top",
    "Personal": "Named people", "Free": "Chosen by the submitter",
}
LEVELLED = ("Supervisor", "SupervisorTopDown", "DepartmentManager", "DepartmentManagerTopDown")
EMPTY_LABELS = {"AUTO_PASS": "Pass automatically", "AUTO_REJECT": "Reject automatically"}
STARTER_LABELS = {"": "The submitter approves", "AUTO_PASS": "Skip the submitter",
                  "SUPERVISOR": "Their supervisor approves instead",
                  "DEPARTMENT_MANAGER": "Their department manager approves instead"}
# Branch comparisons, each with its opposite: the default case holds when no other case does.
OPS = (">=", ">", "<=", "<", "==", "!=")
NEGATE = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "==": "!=", "!=": "=="}
BRANCH_FIELD_TYPES = ("number", "amount", "radioV2")
VIEWER_KINDS = ("TENANT", "USER", "DEPARTMENT", "NONE")
VIEWER_LABELS = {"TENANT": "Everyone in the company", "USER": "Only these people",
                 "DEPARTMENT": "Only these departments", "NONE": "Nobody (only through the API)"}
ICONS = tuple(range(0, 25))


@dataclass(slots=True)
class Option:
    value: str
    zh: str
    en: str = ""


@dataclass(slots=True)
class Column:
    id: str
    type: str = "input"
    name_zh: str = ""
    name_en: str = ""
    required: bool = False


@dataclass(slots=True)
class Field:
    id: str
    type: str
    name_zh: str = ""
    name_en: str = ""
    required: bool = False
    placeholder: str = ""
    options: list[Option] = field(default_factory=list)
    currency: str = "CNY"
    columns: list[Column] = field(default_factory=list)


@dataclass(slots=True)
class Step:
    key: str
    kind: str = "AND"
    name_zh: str = ""
    name_en: str = ""
    who: str = "Supervisor"
    users: list[str] = field(default_factory=list)
    level: int = 1
    empty: str = "AUTO_PASS"
    starter: str = ""
    signature: bool = False
    conditions: list[dict[str, Any]] = field(default_factory=list)  # set outside the designer; kept, shown
    # approvers of several kinds, set outside the designer: kept as they are while this is on
    keep_approvers: str = ""  # their description; "" when the step's approvers are the designer's


@dataclass(slots=True)
class Case:
    """One case of a branch: its steps run when its condition holds and no earlier case's does."""

    name_zh: str = ""
    name_en: str = ""
    widget: str = ""
    op: str = ">="
    value: str = ""
    default: bool = False
    steps: list[Step] = field(default_factory=list)


@dataclass(slots=True)
class Branch:
    key: str
    cases: list[Case] = field(default_factory=list)


Item = Step | Branch


@dataclass(slots=True)
class Draft:
    code: str = ""
    base_version: int = 0
    name_zh: str = ""
    name_en: str = ""
    desc_zh: str = ""
    desc_en: str = ""
    icon: int = 0
    viewer_kind: str = "TENANT"
    viewer_ids: list[str] = field(default_factory=list)
    revert_days: int = 31  # the engine's default window
    fields: list[Field] = field(default_factory=list)
    process: list[Item] = field(default_factory=list)

    def field_by_id(self, widget_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == widget_id), None)


def new_draft() -> Draft:
    """What "new approval" starts from: a reason and a supervisor's approval."""
    return Draft(fields=[Field("reason", "textarea", "事由", "Reason", required=True)],
                 process=[Step("manager", "AND", "直属主管审批", "Supervisor approval")])


# -- reading the posted fields ----------------------------------------------------------------------------------

Get = Callable[[str], str]
GetAll = Callable[[str], list[str]]


def _int(raw: str, default: int, low: int = 0, high: int = 10**6) -> int:
    try:
        return max(low, min(high, int(raw)))
    except ValueError:
        return default


def _count(get: Get, prefix: str) -> int:
    return _int(get(f"{prefix}count"), 0, 0, 200)


def parse_options(text: str, keys: dict[str, str]) -> list[Option]:
    """Options written one a line as ``Chinese | English``; an option keeps the value it had (``keys``: Chinese
    text → value), a new one's value is its text."""
    out: list[Option] = []
    seen: set[str] = set()
    for line in text.splitlines():
        zh, _, en = line.partition("|")
        zh, en = zh.strip(), en.strip()
        if not zh and not en:
            continue
        value = keys.get(zh or en) or (zh or en)
        while value in seen:
            value += "_"
        seen.add(value)
        out.append(Option(value, zh or en, en))
    return out


def options_text(options: list[Option]) -> str:
    return "\n".join(o.zh + (f" | {o.en}" if o.en and o.en != o.zh else "") for o in options)


def _read_field(get: Get, p: str) -> Field:
    ftype = get(f"{p}.type")
    # A type the designer does not build (a console's formula, a leave group, ...) stays, kept as the definition has it.
    f = Field(id=get(f"{p}.id"), type=ftype if re.fullmatch(r"[A-Za-z0-9_]{1,40}", ftype) else "input",
              name_zh=get(f"{p}.name_zh"),
              name_en=get(f"{p}.name_en"), required=get(f"{p}.required") == "1", placeholder=get(f"{p}.placeholder"))
    if f.type in OPTION_TYPES:
        keys = dict(k.split("=", 1)[::-1] for k in get(f"{p}.optkeys").split("\n") if "=" in k)
        f.options = parse_options(get(f"{p}.options"), keys)
    if f.type == "amount":
        f.currency = get(f"{p}.currency") if get(f"{p}.currency") in CURRENCIES else "CNY"
    if f.type == "fieldList":
        for j in range(_count(get, f"{p}.c")):
            c = f"{p}.c{j}"
            ctype = get(f"{c}.type")
            f.columns.append(Column(get(f"{c}.id") or f"col_{j + 1}", ctype if ctype in COLUMN_TYPES else "input",
                                    get(f"{c}.name_zh"), get(f"{c}.name_en"), get(f"{c}.required") == "1"))
    return f


def _read_step(get: Get, get_all: GetAll, p: str) -> Step:
    kind, who = get(f"{p}.kind"), get(f"{p}.who")
    conditions: list[dict[str, Any]] = []
    for raw in get_all(f"{p}.cond"):  # "widget op value", kept from a definition made outside the designer
        parts = raw.split(" ", 2)
        if len(parts) == 3:
            conditions.append({"widget": parts[0], "op": parts[1], "value": _literal(parts[2])})
    return Step(key=get(f"{p}.key"), kind=kind if kind in STEP_KINDS else "AND", name_zh=get(f"{p}.name_zh"),
                name_en=get(f"{p}.name_en"), who=who if who in WHO else "Supervisor",
                users=[u for u in get_all(f"{p}.users") if u], level=_int(get(f"{p}.level"), 1, 1, 20),
                empty=get(f"{p}.empty") if get(f"{p}.empty") in EMPTY_LABELS else "AUTO_PASS",
                starter=get(f"{p}.starter") if get(f"{p}.starter") in STARTER_LABELS else "",
                signature=get(f"{p}.signature") == "1", conditions=conditions,
                keep_approvers=get(f"{p}.kept_approvers") if get(f"{p}.keep_approvers") == "1" else "")


def _literal(text: str) -> Any:
    try:
        n = float(text)
    except ValueError:
        return text
    return int(n) if n.is_integer() and "." not in text else n


def condition_text(c: dict[str, Any]) -> str:
    return f"{c.get('widget')} {c.get('op')} {c.get('value')}"


def _read_steps(get: Get, get_all: GetAll, prefix: str) -> list[Step]:
    return [_read_step(get, get_all, f"{prefix}s{k}") for k in range(_count(get, f"{prefix}s"))]


def read_draft(get: Get, get_all: GetAll) -> Draft:
    d = Draft(code=get("code"), base_version=_int(get("base_version"), 0), name_zh=get("name_zh"),
              name_en=get("name_en"), desc_zh=get("desc_zh"), desc_en=get("desc_en"),
              icon=_int(get("icon"), 0, 0, max(ICONS)),
              viewer_kind=get("viewer_kind") if get("viewer_kind") in VIEWER_KINDS else "TENANT",
              viewer_ids=[v for v in get_all("viewer_departments" if get("viewer_kind") == "DEPARTMENT"
                                              else "viewer_users") if v], revert_days=_int(get("revert_days"), 0, 0, 365))
    d.fields = [_read_field(get, f"f{i}") for i in range(_count(get, "f"))]
    for i in range(_count(get, "p")):
        p = f"p{i}"
        if get(f"{p}.kind") == "BRANCH":
            branch = Branch(get(f"{p}.key"))
            for j in range(_count(get, f"{p}.b")):
                c = f"{p}.b{j}"
                op = get(f"{c}.op")
                branch.cases.append(Case(get(f"{c}.name_zh"), get(f"{c}.name_en"), get(f"{c}.widget"),
                                         op if op in OPS else ">=", get(f"{c}.value"), get(f"{c}.default") == "1",
                                         _read_steps(get, get_all, f"{c}.")))
            d.process.append(branch)
        else:
            d.process.append(_read_step(get, get_all, p))
    return d


# -- operations the buttons post -------------------------------------------------------------------------------

_PATH = re.compile(r"^(f\d+(\.c\d+)?|p\d+(\.b\d+(\.s\d+)?)?)$")


def _unique(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"


def step_keys(d: Draft) -> set[str]:
    keys: set[str] = set()
    for item in d.process:
        keys.add(item.key)
        if isinstance(item, Branch):
            keys |= {s.key for c in item.cases for s in c.steps}
    return keys


def _container(d: Draft, path: str) -> tuple[list[Any], int] | None:
    """The list holding the thing ``path`` names, and its index there."""
    if not _PATH.match(path):
        return None
    parts = path.split(".")
    idx = [int(p[1:]) for p in parts]
    try:
        if parts[0][0] == "f":
            if len(parts) == 1:
                return (d.fields, idx[0]) if idx[0] < len(d.fields) else None
            cols = d.fields[idx[0]].columns
            return (cols, idx[1]) if idx[1] < len(cols) else None
        if len(parts) == 1:
            return (d.process, idx[0]) if idx[0] < len(d.process) else None
        branch = d.process[idx[0]]
        if not isinstance(branch, Branch):
            return None
        if len(parts) == 2:
            return (branch.cases, idx[1]) if idx[1] < len(branch.cases) else None
        steps = branch.cases[idx[1]].steps
        return (steps, idx[2]) if idx[2] < len(steps) else None
    except IndexError:
        return None


def _new_step(d: Draft, kind: str) -> Step:
    if kind == "CC":
        return Step(_unique("cc", step_keys(d)), "CC", "抄送", "CC", who="Personal")
    return Step(_unique("step", step_keys(d)), "AND", "审批", "Approval")


def apply_op(d: Draft, op: str, new_field_type: str = "input") -> str:
    """Perform ``op`` on the draft; the path of the thing to focus afterwards ("" when none)."""
    verb, _, path = op.partition(":")
    if verb == "add-field":
        ftype = new_field_type if new_field_type in FIELD_TYPES else "input"
        f = Field(_unique(ftype.lower().removesuffix("v2"), {x.id for x in d.fields}), ftype)
        if ftype in OPTION_TYPES:
            f.options = [Option("1", "选项一", "Option 1"), Option("2", "选项二", "Option 2")]
        if ftype == "fieldList":
            f.columns = [Column("col_1", "input", "项目", "Item")]
        d.fields.append(f)
        return f"f{len(d.fields) - 1}"
    if verb in ("add-step", "add-cc"):
        d.process.append(_new_step(d, "CC" if verb == "add-cc" else "AND"))
        return f"p{len(d.process) - 1}"
    if verb == "add-branch":
        keys = step_keys(d)
        branch = Branch(_unique("branch", keys), [Case("条件一", "Case 1"), Case("其他情况", "Otherwise", default=True)])
        d.process.append(branch)
        return f"p{len(d.process) - 1}"
    found = _container(d, path)
    if found is None:
        return ""
    items, i = found
    if verb == "add-column" and path.startswith("f") and "." not in path:
        cols = d.fields[i].columns
        cols.append(Column(_unique("col", {c.id for c in cols})))
        return f"{path}.c{len(cols) - 1}"
    if verb == "add-case" and isinstance(items[i], Branch):
        cases = items[i].cases
        cases.insert(max(0, len(cases) - 1), Case(f"条件{len(cases)}", f"Case {len(cases)}"))
        return f"{path}.b{len(cases) - 2}"
    if verb == "add-branch-step" and isinstance(items[i], Case):
        items[i].steps.append(_new_step(d, "AND"))
        return f"{path}.s{len(items[i].steps) - 1}"
    if verb == "add-branch-cc" and isinstance(items[i], Case):
        items[i].steps.append(_new_step(d, "CC"))
        return f"{path}.s{len(items[i].steps) - 1}"
    head = path.rsplit(".", 1)[0] + "." if "." in path else ""
    letter = path.rsplit(".", 1)[-1][0]
    if verb == "remove":
        if isinstance(items[i], Case) and (items[i].default or len(items) <= 2):
            return path  # a branch keeps its default case and at least one other
        del items[i]
        return ""
    if verb in ("up", "down"):
        j = i - 1 if verb == "up" else i + 1
        if isinstance(items[i], Case) and (items[i].default or (0 <= j < len(items) and items[j].default)):
            return path  # the default case stays last
        if 0 <= j < len(items):
            items[i], items[j] = items[j], items[i]
            return f"{head}{letter}{j}"
        return path
    return ""
