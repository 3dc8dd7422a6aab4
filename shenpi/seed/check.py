"""Check a seed before anything of it is written: every problem at once, each with the path of its entry.

What is refused: a key the format does not know (``nmae``), a value of the wrong kind, a widget, approver or ccer
type that does not exist, an id given twice (tenants, apps, users, departments, definitions, widgets, nodes), and a
reference to a user or department that is neither in the seed nor in the database being seeded (a Personal
approver, a leader, a user's department, a viewer, an app's admin). Definitions are then built as the create API
builds them, so what the engine refuses is reported here too, with its field.
"""

from __future__ import annotations

import difflib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from shenpi import contract
from shenpi.app.redaction import is_marker
from shenpi.app.snapshots import SNAPSHOT_KEY, KnownIds, SeedError
from shenpi.engine.definitions import build_definition
from shenpi.engine.errors import DomainError
from shenpi.engine.model import APPROVER_TYPES
from shenpi.events.payloads import ALL_TYPES
from shenpi.seed.source import Path_

# Widget types a form may hold (docs/feishu-behaviour.md lists them), the older names of the V2 widgets included.
WIDGET_TYPES = frozenset({
    "input", "textarea", "text", "number", "amount", "formula", "radioV2", "checkboxV2", "date", "dateInterval",
    "fieldList", "imageV2", "attachmentV2", "contact", "department", "connect", "address", "telephone", "document",
    "serialNumber", "mutableGroup", "account", "leaveGroupV2", "overtimeGroup", "tripGroup", "shiftGroupV2",
    "remedyGroupV2", "workGroup", "outGroup", "telephone_text",
    "radio", "checkbox", "image", "attachment", "leaveGroup", "shiftGroup", "remedyGroup",
})
CCER_TYPES = APPROVER_TYPES - {"Free"}


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path_
    message: str

    def where(self) -> str:
        return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path).lstrip(".") or "seed"


class SeedInvalid(SeedError):
    """A seed with problems; ``problems`` has each, and the message lists them one per line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(f"{p.where()}: {p.message}" for p in problems))
        self.problems = problems


# -- the shape: which keys each mapping takes, and which values are lists or mappings ----------------------------

@dataclass(frozen=True, slots=True)
class Obj:
    fields: Mapping[str, Any]  # key -> Obj | Arr | Scalar


@dataclass(frozen=True, slots=True)
class Arr:
    item: Any


@dataclass(frozen=True, slots=True)
class Scalar:
    kind: str  # text: any single value; id: a non-empty string it cannot go without; number; any: even a list


TEXT, ID, NUMBER, ANY = Scalar("text"), Scalar("id"), Scalar("number"), Scalar("any")
_IDS = Arr(TEXT)
APP = Obj({"app_id": ID, "app_secret": ID, "name": TEXT, "scopes": _IDS, "event_url": TEXT,
           "verification_token": TEXT, "encrypt_key": TEXT, "event_types": _IDS, "admin_user_ids": _IDS,
           "event_mode": TEXT, "enabled": TEXT})
DEPARTMENT = Obj({"department_id": ID, "name": TEXT, "leader_user_id": TEXT, "parent_department_id": TEXT})
USER = Obj({"user_id": ID, "name": TEXT, "open_id": TEXT, "union_id": TEXT, "apaas_user_id": TEXT,
            "department_ids": _IDS, "leader_user_id": TEXT, "password": TEXT, "email": TEXT, "status": TEXT})


def _from_schema(schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "object":
        return Obj({k: _from_schema(v) for k, v in (schema.get("properties") or {}).items()})
    if kind == "array":
        return Arr(_from_schema(schema.get("items") or {}))
    return TEXT if kind else ANY


def _approval_shape() -> Obj:
    """The create-definition body as the endpoint contract has it, plus what only a seed can say of a node, and of
    a definition: its status, and the app that created it through the Open API (a snapshot carries both)."""
    body = contract.load()["approval.v4.approval.create"].body or {}
    shape = _from_schema(body)
    nodes = shape.fields["node_list"]
    node = Obj({**nodes.item.fields, "require_signature": TEXT, "empty_approver": TEXT,
                "conditions": Arr(Obj({"widget": TEXT, "op": TEXT, "value": ANY})),
                "shenpi_branch": ANY})  # the web designer's record of a node's branch case (its export carries it)
    return Obj({**shape.fields, "node_list": Arr(node), "status": TEXT, "creator_app_id": TEXT})


TENANT = Obj({"tenant_key": ID, "name": TEXT, "rate_limit_scale": NUMBER, "apps": Arr(APP),
              "departments": Arr(DEPARTMENT), "users": Arr(USER), "approvals": Arr(_approval_shape())})
SEED = Obj({"tenants": Arr(TENANT), SNAPSHOT_KEY: ANY})


def _members(value: dict[str, Any], spec: Obj, path: Path_, out: list[Problem]) -> None:
    for key, sub in spec.fields.items():
        if sub == ID and not is_marker(value.get(key)) and (not isinstance(value.get(key), str) or not value[key]):
            out.append(Problem((*path, key), f"'{key}' is required (a non-empty string)"))
    for key, v in value.items():
        if key not in spec.fields:
            near = difflib.get_close_matches(str(key), list(spec.fields), n=1)
            hint = f"; did you mean '{near[0]}'?" if near else f"; known: {', '.join(spec.fields)}"
            out.append(Problem((*path, key), f"unknown key '{key}'{hint}"))
        else:
            _shape(v, spec.fields[key], (*path, key), out)


def _shape(value: Any, spec: Any, path: Path_, out: list[Problem]) -> None:
    if is_marker(value):
        out.append(Problem(path, "was redacted at export: a snapshot used as a seed needs its secrets "
                                 "(shenpi export --include-secrets)"))
    elif isinstance(spec, Obj | Arr):
        if value is None:
            return
        kind, name = (dict, "a mapping") if isinstance(spec, Obj) else (list, "a list")
        if not isinstance(value, kind):
            out.append(Problem(path, f"must be {name}"))
        elif isinstance(spec, Obj) and isinstance(value, dict):
            _members(value, spec, path, out)
        elif isinstance(spec, Arr):
            for i, item in enumerate(value):
                _shape(item, spec.item, (*path, i), out)
    elif spec == NUMBER and (isinstance(value, bool) or not isinstance(value, int | float)):
        out.append(Problem(path, "must be a number"))
    elif spec != ANY and isinstance(value, dict | list):
        out.append(Problem(path, "must be a single value, not a " + ("mapping" if isinstance(value, dict) else "list")))


# -- ids and references ----------------------------------------------------------------------------------------

def _entries(value: Any, key: str) -> Iterable[tuple[int, dict[str, Any]]]:
    return ((i, e) for i, e in enumerate(value.get(key) or []) if isinstance(e, dict)) if isinstance(value, dict) \
        else ()


def _unique(items: Iterable[tuple[Path_, Any]], what: str, out: list[Problem]) -> None:
    seen: set[Any] = set()
    for path, value in items:
        if value in seen:
            out.append(Problem(path, f"{what} '{value}' is given twice"))
        seen.add(value)


def approval_code(tenant_key: str, body: dict[str, Any]) -> str:
    """A definition's code: the one given, else derived from the tenant and the definition's name."""
    return str(body.get("approval_code") or
               str(uuid.uuid5(uuid.NAMESPACE_URL, f"shenpi:{tenant_key}:{body.get('approval_name')}")).upper())


class _Tenant:
    """One tenant's ids: those its seed entry gives, and those the database already holds."""

    def __init__(self, path: Path_, t: dict[str, Any], known: KnownIds | None, out: list[Problem]) -> None:
        self.path, self.t, self.out, self.references = path, t, out, known is not None
        known = known or KnownIds()
        self.key = str(t.get("tenant_key") or "")
        self.users = {str(u.get("user_id")) for _, u in _entries(t, "users")} | known.users.get(self.key, set())
        self.departments = ({str(d.get("department_id")) for _, d in _entries(t, "departments")}
                            | known.departments.get(self.key, set()))

    def user(self, path: Path_, user_id: Any, what: str) -> None:
        if self.references and user_id not in (None, "") and str(user_id) not in self.users:
            self.out.append(Problem(path, f"{what} '{user_id}' is not a user of tenant '{self.key}'"))

    def department(self, path: Path_, department_id: Any, what: str) -> None:
        if self.references and department_id not in (None, "", "0") and str(department_id) not in self.departments:
            self.out.append(Problem(path, f"{what} '{department_id}' is not a department of tenant '{self.key}'"))

    def check(self) -> None:
        p, t = self.path, self.t
        _unique((((*p, "users", i, "user_id"), u.get("user_id")) for i, u in _entries(t, "users")), "user", self.out)
        for field in ("open_id", "union_id", "apaas_user_id"):
            _unique((((*p, "users", i, field), u[field]) for i, u in _entries(t, "users") if u.get(field)),
                    field, self.out)
        _unique((((*p, "departments", i, "department_id"), d.get("department_id"))
                 for i, d in _entries(t, "departments")), "department", self.out)
        for i, a in _entries(t, "apps"):
            for j, uid in enumerate(a.get("admin_user_ids") or []):
                self.user((*p, "apps", i, "admin_user_ids", j), uid, "admin")
            unknown = sorted(str(e) for e in a.get("event_types") or [] if str(e) not in ALL_TYPES)
            if unknown:
                self.out.append(Problem((*p, "apps", i, "event_types"), f"unknown event type(s) {', '.join(unknown)}; "
                                                                       f"known: {', '.join(sorted(ALL_TYPES))}"))
        for i, d in _entries(t, "departments"):
            self.user((*p, "departments", i, "leader_user_id"), d.get("leader_user_id"), "leader")
            self.department((*p, "departments", i, "parent_department_id"), d.get("parent_department_id"), "parent")
        for i, u in _entries(t, "users"):
            self.user((*p, "users", i, "leader_user_id"), u.get("leader_user_id"), "leader")
            for j, dept in enumerate(u.get("department_ids") or []):
                self.department((*p, "users", i, "department_ids", j), dept, "department")
        codes = [((*p, "approvals", i), approval_code(self.key, a)) for i, a in _entries(t, "approvals")]
        _unique(codes, "approval_code", self.out)
        for i, a in _entries(t, "approvals"):
            _Approval(self, (*p, "approvals", i), a).check()


class _Approval:
    def __init__(self, tenant: _Tenant, path: Path_, body: dict[str, Any]) -> None:
        self.tenant, self.path, self.body, self.out = tenant, path, body, tenant.out

    def check(self) -> None:
        self.widgets()
        for i, v in _entries(self.body, "viewers"):
            self.tenant.user((*self.path, "viewers", i, "viewer_user_id"), v.get("viewer_user_id"), "viewer")
            self.tenant.department((*self.path, "viewers", i, "viewer_department_id"), v.get("viewer_department_id"),
                                   "viewer department")
        nodes = list(_entries(self.body, "node_list"))
        _unique((((*self.path, "node_list", i, "id"), n.get("id")) for i, n in nodes), "node id", self.out)
        for i, n in nodes:
            for role, types in (("approver", APPROVER_TYPES), ("ccer", CCER_TYPES)):
                for j, a in _entries(n, role):
                    self.person((*self.path, "node_list", i, role, j), a, role, types)
        # The engine's own rules, once ours hold for this definition (else it trips on the same thing).
        if not any(p.path[:len(self.path)] == self.path for p in self.out):
            try:
                build_definition(self.body, tenant_key=self.tenant.key,
                                 approval_code=approval_code(self.tenant.key, self.body), approval_id=1)
            except DomainError as e:
                self.out.append(Problem((*self.path, *_field_path(e.field)), e.detail or e.msg))

    def person(self, path: Path_, a: dict[str, Any], role: str, types: frozenset[str]) -> None:
        kind = a.get("type")
        if kind not in types:
            self.out.append(Problem((*path, "type"), f"unknown {role} type '{kind}'; known: {', '.join(sorted(types))}"))
        elif kind == "Personal":
            if not a.get("user_id"):
                self.out.append(Problem(path, f"a Personal {role} needs a user_id"))
            self.tenant.user((*path, "user_id"), a.get("user_id"), f"Personal {role}")

    def widgets(self) -> None:
        form = self.body.get("form")
        content = form.get("form_content") if isinstance(form, dict) else None
        if not isinstance(content, str):
            return
        path = (*self.path, "form", "form_content")
        try:
            widgets = msgspec.json.decode(content)
        except msgspec.DecodeError as e:
            self.out.append(Problem(path, f"is not valid JSON: {e}"))
            return
        if not isinstance(widgets, list):
            return  # the engine says what is wrong with it
        ids: list[tuple[Path_, Any]] = []
        for i, w in enumerate(widgets):
            if not isinstance(w, dict):
                continue
            name = f"widget {w.get('id')!r} (form_content[{i}])"
            if w.get("type") not in WIDGET_TYPES:
                self.out.append(Problem(path, f"{name}: unknown widget type '{w.get('type')}'"))
            ids.append((path, w.get("id")))
        _unique(ids, "widget id", self.out)


def _field_path(field: str) -> Path_:
    """``node_list[1].approver[0].level`` as a path."""
    return tuple(int(index) if index else key for key, index in re.findall(r"(\w+)|\[(\d+)\]", field))


def with_seed(known: KnownIds, seed: Any) -> KnownIds:
    """``known`` and the ids ``seed`` gives (a seed applied before the one being checked, as the demo is)."""
    for _, t in _entries(seed, "tenants"):
        key = str(t.get("tenant_key") or "")
        known.users.setdefault(key, set()).update(str(u.get("user_id")) for _, u in _entries(t, "users"))
        known.departments.setdefault(key, set()).update(str(d.get("department_id"))
                                                         for _, d in _entries(t, "departments"))
        known.apps.update({str(a.get("app_id")): key for _, a in _entries(t, "apps")})
    return known


def check_seed(seed: Any, known: KnownIds | None = None) -> list[Problem]:
    """Every problem of a seed. ``known``: the ids the database being seeded holds already; None when that is not
    known yet, which leaves references to users and departments unchecked (applying the seed checks them)."""
    out: list[Problem] = []
    if not isinstance(seed, dict) or not isinstance(seed.get("tenants"), list):
        return [Problem((), "a seed file needs a top-level 'tenants' list")]
    _shape(seed, SEED, (), out)
    tenants = list(_entries(seed, "tenants"))
    _unique(((("tenants", i, "tenant_key"), t.get("tenant_key")) for i, t in tenants), "tenant", out)
    apps = [(("tenants", i, "apps", j, "app_id"), str(t.get("tenant_key")), a.get("app_id"))
            for i, t in tenants for j, a in _entries(t, "apps")]
    _unique(((path, app_id) for path, _, app_id in apps), "app", out)
    for path, tenant_key, app_id in apps:
        owner = known.apps.get(str(app_id)) if known else None
        if owner is not None and owner != tenant_key:
            out.append(Problem(path, f"app '{app_id}' belongs to tenant '{owner}' in the database"))
    for i, t in tenants:
        _Tenant(("tenants", i), t, known, out).check()
    return out
