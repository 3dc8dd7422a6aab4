"""The seed file: tenants and everything in them, applied idempotently at start (YAML or JSON, one shape).

See docs/seed-format.md. Applying the same file twice changes nothing; changing an entry updates it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shenpi import ids
from shenpi.app import Shenpi
from shenpi.app.redaction import APP_SECRET_FIELDS, is_marker
from shenpi.app.snapshots import KnownIds, SeedApproval, SeedError, SeedTenant
from shenpi.engine.directory import ACTIVE, USER_STATUSES, Department, User
from shenpi.platform.passwords import hash_password, password_needs_rehash, verify_password
from shenpi.seed.check import Problem, SeedInvalid, approval_code, check_seed
from shenpi.seed.source import SeedSource, SeedSyntaxError, read_seed_source
from shenpi.store.records import App, Tenant

# The password rules and the seed's error live elsewhere; these names stay importable from here.
__all__ = ["Problem", "SeedError", "SeedInvalid", "SeedSource", "SeedSyntaxError", "apply_seed", "check_seed",
           "format_problems", "hash_password", "load_seed", "password_needs_rehash", "read_seed_source",
           "source_problems", "verify_password"]


def load_seed(path: str | Path) -> dict[str, Any]:
    """A seed file's data, its shape checked (references are checked when it is applied, against the database).
    Raises :class:`SeedSyntaxError` for a file that is not YAML/JSON, :class:`SeedInvalid` for a bad shape."""
    source = read_seed_source(path)
    problems = source_problems(source)
    if problems:
        raise SeedInvalid(problems)
    data: dict[str, Any] = source.data
    return data


def source_problems(source: SeedSource, known: KnownIds | None = None) -> list[Problem]:
    """Everything wrong with a seed file, keys written twice in one mapping included."""
    twice = [Problem(path, f"key '{path[-1]}' is given twice in this mapping") for path in source.duplicate_keys]
    return twice + check_seed(source.data, known)


def format_problems(source: SeedSource, problems: list[Problem]) -> list[str]:
    """``file:line: where: message``, one line per problem, in the order of the file."""
    located = sorted(((source.line_of(p.path), p) for p in problems), key=lambda lp: lp[0])
    return [f"{source.file}:{line}: {p.where()}: {p.message}" for line, p in located]


def _req(entry: dict[str, Any], key: str, where: str) -> str:
    v = entry.get(key)
    if not isinstance(v, str) or not v:
        raise SeedError(f"{where}: '{key}' is required")
    return v


def _event_types(value: Any, where: str) -> list[str]:
    from shenpi.events.payloads import ALL_TYPES

    types = [str(t) for t in value or []]
    unknown = sorted(set(types) - ALL_TYPES)
    if unknown:
        raise SeedError(f"{where}.event_types: unknown event type(s) {', '.join(unknown)}; "
                        f"known: {', '.join(sorted(ALL_TYPES))}")
    return types


EVENT_MODES = ("callback", "long_connection")


def _event_mode(value: Any, where: str) -> str:
    """``callback`` or ``long_connection``; absent: "" (callback when the app has an event_url, else long connection)."""
    mode = str(value or "")
    if mode and mode not in EVENT_MODES:
        raise SeedError(f"{where}.event_mode: {mode!r} is not one of {', '.join(EVENT_MODES)}")
    return mode


def _user(tenant_key: str, u: dict[str, Any], where: str) -> User:
    user_id = _req(u, "user_id", where)
    return User(
        user_id=user_id,
        name=str(u.get("name") or user_id),
        open_id=str(u.get("open_id") or ids.derived_open_id(tenant_key, user_id)),
        union_id=str(u.get("union_id") or ids.derived_union_id(tenant_key, user_id)),
        apaas_user_id=str(u.get("apaas_user_id") or ids.derived_apaas_user_id(tenant_key, user_id)),
        department_ids=[str(d) for d in u.get("department_ids") or []],
        leader_user_id=str(u.get("leader_user_id") or ""),
        email=str(u.get("email") or ""),
        status=_status(u.get("status"), where),
    )


def _status(value: Any, where: str) -> str:
    """A user's employment state: ``active`` (the default), ``frozen``, ``resigned`` or ``unactivated``."""
    status = str(value or ACTIVE)
    if status not in USER_STATUSES:
        raise SeedError(f"{where}.status: {status!r} is not one of {', '.join(USER_STATUSES)}")
    return status


def _tenant(t: Any, where: str) -> SeedTenant:
    if not isinstance(t, dict):
        raise SeedError(f"{where} must be a mapping")
    tenant_key = _req(t, "tenant_key", where)
    apps = []
    for ai, a in enumerate(t.get("apps") or []):
        w = f"{where}.apps[{ai}]"
        for key in APP_SECRET_FIELDS:
            if is_marker(a.get(key)):
                raise SeedError(f"{w}.{key} was redacted at export: a snapshot used as a seed needs its secrets "
                                f"(shenpi export --include-secrets)")
        apps.append(App(
            app_id=_req(a, "app_id", w), tenant_key=tenant_key, app_secret=_req(a, "app_secret", w),
            scopes=[str(s) for s in a.get("scopes") or []], name=str(a.get("name") or ""),
            event_url=str(a.get("event_url") or ""), verification_token=str(a.get("verification_token") or ""),
            encrypt_key=str(a.get("encrypt_key") or ""),
            admin_user_ids=[str(x) for x in a.get("admin_user_ids") or []],
            event_types=_event_types(a.get("event_types"), w), event_mode=_event_mode(a.get("event_mode"), w),
            enabled=a.get("enabled", True) is not False,
        ))
    departments = []
    for di, d in enumerate(t.get("departments") or []):
        w = f"{where}.departments[{di}]"
        departments.append(Department(
            department_id=_req(d, "department_id", w), name=str(d.get("name") or ""),
            leader_user_id=str(d.get("leader_user_id") or ""),
            parent_department_id=str(d.get("parent_department_id") or ""),
        ))
    users = []
    for ui, u in enumerate(t.get("users") or []):
        password = u.get("password")
        users.append((_user(tenant_key, u, f"{where}.users[{ui}]"), hash_password(str(password)) if password else None))
    approvals = []
    for di, body in enumerate(t.get("approvals") or []):
        w = f"{where}.approvals[{di}]"
        if not isinstance(body, dict):
            raise SeedError(f"{w} must be a mapping")
        code = approval_code(tenant_key, body)
        approvals.append(SeedApproval(w, code, {**body, "approval_code": code}))
    return SeedTenant(Tenant(tenant_key, str(t.get("name") or tenant_key), float(t.get("rate_limit_scale", 1.0))),
                      apps, departments, users, approvals)


async def apply_seed(svc: Shenpi, seed: dict[str, Any]) -> None:
    """Write the seed's tenants, apps, directory and definitions, all or nothing; safe to run on every start.
    Nothing is written when :func:`check_seed` finds a problem (against what the database holds): SeedInvalid."""
    problems = check_seed(seed, await svc.snapshots.known_ids())
    if problems:
        raise SeedInvalid(problems)
    await svc.snapshots.apply_seed([_tenant(t, f"tenants[{ti}]") for ti, t in enumerate(seed.get("tenants") or [])])
