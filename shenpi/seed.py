"""The seed file: tenants and everything in them, applied idempotently at start (YAML or JSON, one shape).

See docs/seed-format.md. Applying the same file twice changes nothing; changing an entry updates it.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import yaml

from shenpi import ids
from shenpi.app import Shenpi
from shenpi.app.redaction import APP_SECRET_FIELDS, is_marker
from shenpi.app.snapshots import SeedApproval, SeedError, SeedTenant
from shenpi.engine.directory import Department, User
from shenpi.platform.passwords import hash_password, password_needs_rehash, verify_password
from shenpi.store.records import App, Tenant

# The password rules and the seed's error live elsewhere; these names stay importable from here.
__all__ = ["SeedError", "apply_seed", "hash_password", "load_seed", "password_needs_rehash", "verify_password"]


def load_seed(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        raise SeedError(f"{path}: a seed file needs a top-level 'tenants' list")
    return data


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
    )


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
            event_types=_event_types(a.get("event_types"), w),
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
        code = str(body.get("approval_code") or
                   str(uuid.uuid5(uuid.NAMESPACE_URL, f"shenpi:{tenant_key}:{body.get('approval_name')}")).upper())
        approvals.append(SeedApproval(w, code, {**body, "approval_code": code}))
    return SeedTenant(Tenant(tenant_key, str(t.get("name") or tenant_key), float(t.get("rate_limit_scale", 1.0))),
                      apps, departments, users, approvals)


async def apply_seed(svc: Shenpi, seed: dict[str, Any]) -> None:
    """Write the seed's tenants, apps, directory and definitions, all or nothing; safe to run on every start."""
    await svc.snapshots.apply_seed([_tenant(t, f"tenants[{ti}]") for ti, t in enumerate(seed.get("tenants") or [])])
