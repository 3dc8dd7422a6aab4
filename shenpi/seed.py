"""The seed file: tenants and everything in them, applied idempotently at start (YAML or JSON, one shape).

See docs/seed-format.md. Applying the same file twice changes nothing; changing an entry updates it.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import yaml
from argon2 import PasswordHasher
from argon2 import exceptions as argon2_exceptions

from shenpi import ids
from shenpi.app import Shenpi
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, User
from shenpi.engine.errors import DomainError
from shenpi.store.records import App, Tenant


class SeedError(ValueError):
    """A seed file that cannot be applied; the message names the entry."""


def load_seed(path: str | Path) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("tenants"), list):
        raise SeedError(f"{path}: a seed file needs a top-level 'tenants' list")
    return data


# Passwords: argon2id for every new hash, with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~40 ms
# on the 2-core machine this targets, where argon2-cffi's defaults (64 MiB, 3 passes, 4 lanes) take ~190 ms of a
# core per sign-in and per seeded user at every start. Hashes written before the switch are scrypt
# ("scrypt$n$r$p$salt$digest") and keep verifying; the web sign-in rehashes them on the next successful login.
_argon2 = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash (salted, parameters inside the hash string)."""
    return _argon2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("$argon2"):
        try:
            return _argon2.verify(stored, password)
        except (argon2_exceptions.VerificationError, argon2_exceptions.InvalidHashError):
            return False
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return secrets.compare_digest(got.hex(), digest)


def password_needs_rehash(stored: str) -> bool:
    """True for a legacy scrypt hash or an argon2 hash made with weaker parameters than today's."""
    if not stored.startswith("$argon2"):
        return True
    try:
        return _argon2.check_needs_rehash(stored)
    except argon2_exceptions.InvalidHashError:
        return True


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


async def apply_seed(svc: Shenpi, seed: dict[str, Any]) -> None:
    """Write the seed's tenants, apps, directory and definitions; safe to run on every start."""
    async with svc.store.transaction() as tx:
        for ti, t in enumerate(seed.get("tenants") or []):
            where = f"tenants[{ti}]"
            if not isinstance(t, dict):
                raise SeedError(f"{where} must be a mapping")
            tenant_key = _req(t, "tenant_key", where)
            await tx.upsert_tenant(Tenant(tenant_key, str(t.get("name") or tenant_key),
                                          float(t.get("rate_limit_scale", 1.0))))
            for ai, a in enumerate(t.get("apps") or []):
                w = f"{where}.apps[{ai}]"
                await tx.upsert_app(App(
                    app_id=_req(a, "app_id", w), tenant_key=tenant_key, app_secret=_req(a, "app_secret", w),
                    scopes=[str(s) for s in a.get("scopes") or []], name=str(a.get("name") or ""),
                    event_url=str(a.get("event_url") or ""), verification_token=str(a.get("verification_token") or ""),
                    encrypt_key=str(a.get("encrypt_key") or ""),
                    admin_user_ids=[str(x) for x in a.get("admin_user_ids") or []],
                    event_types=_event_types(a.get("event_types"), w),
                ))
            for di, d in enumerate(t.get("departments") or []):
                w = f"{where}.departments[{di}]"
                await tx.upsert_department(tenant_key, Department(
                    department_id=_req(d, "department_id", w), name=str(d.get("name") or ""),
                    leader_user_id=str(d.get("leader_user_id") or ""),
                    parent_department_id=str(d.get("parent_department_id") or ""),
                ))
            for ui, u in enumerate(t.get("users") or []):
                w = f"{where}.users[{ui}]"
                password = u.get("password")
                await tx.upsert_user(tenant_key, _user(tenant_key, u, w),
                                     hash_password(str(password)) if password else None)
            for di, body in enumerate(t.get("approvals") or []):
                w = f"{where}.approvals[{di}]"
                if not isinstance(body, dict):
                    raise SeedError(f"{w} must be a mapping")
                code = str(body.get("approval_code") or
                           str(uuid.uuid5(uuid.NAMESPACE_URL, f"shenpi:{tenant_key}:{body.get('approval_name')}")).upper())
                existing = await tx.get_definition(tenant_key, code)
                full = {**body, "approval_code": code}
                if existing is not None and existing.body == full:
                    continue
                try:
                    definition = build_definition(
                        full, tenant_key=tenant_key, approval_code=code,
                        approval_id=existing.approval_id if existing else ids.snowflake(),
                        version=existing.version + 1 if existing else 1)
                except DomainError as e:
                    raise SeedError(f"{w}: {e.detail or e.msg}") from None
                definition.body = full
                await tx.save_definition(definition)
    svc.registry.invalidate()
