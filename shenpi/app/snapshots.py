"""Whole-state export, import, reset and seeding, each all-or-nothing (one transaction).

A snapshot is a seed file with one more key::

    {"tenants": [...],                      # the seed-file shape: tenants, apps, directory, definitions
     "shenpi_snapshot": {"format": 1, "schema_version": 3, "shenpi_version": "0.1.0", "exported_at_ms": ...,
                         "clock_offset_ms": 0, "tables": {"instances": {"columns": [...], "rows": [...]}, ...}}}

Seeding reads the ``tenants`` part (configuration: who exists, which processes), so a snapshot is also a valid
seed. Import restores ``tables`` — every row of every table, instances and outbox included — so an exported state
comes back exactly. BLOB values travel as ``{"$base64": "..."}``. The ``tokens`` table survives reset and import,
so a client's cached token stays valid while its app still exists.

Exports leave secrets out unless asked for (``"secrets": "redacted"`` in the metadata); shenpi/app/redaction.py
says what is left out and what importing such a snapshot does.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shenpi import __version__, ids
from shenpi.app import redaction
from shenpi.app.context import Context
from shenpi.app.tokens import Tokens
from shenpi.engine.definitions import build_definition
from shenpi.engine.directory import Department, User
from shenpi.engine.errors import DomainError
from shenpi.store.base import Tx
from shenpi.store.records import App, Tenant

SNAPSHOT_KEY = "shenpi_snapshot"
FORMAT = 1
log = logging.getLogger("shenpi.seed")
KEEP = ("tokens",)  # tables whose rows survive reset and import: a client's cached token stays valid

Tables = dict[str, dict[str, Any]]


class SnapshotError(ValueError):
    """A snapshot that cannot be imported; the message says why."""


class SeedError(ValueError):
    """A seed file that cannot be applied; the message names the entry."""


@dataclass(slots=True)
class SeedApproval:
    where: str  # the entry's place in the seed file, for the error message
    code: str
    body: dict[str, Any]


@dataclass(slots=True)
class SeedTenant:
    """One tenant of a seed file, checked and turned into records (shenpi/seed.py reads the file)."""

    tenant: Tenant
    apps: list[App]
    departments: list[Department]
    users: list[tuple[User, str | None]]  # with the password hash to store; None keeps the stored one
    approvals: list[SeedApproval]


@dataclass(slots=True)
class KnownIds:
    """What the database being seeded holds already, per tenant: a seed may refer to it without repeating it."""

    users: dict[str, set[str]] = field(default_factory=dict)
    departments: dict[str, set[str]] = field(default_factory=dict)
    apps: dict[str, str] = field(default_factory=dict)  # app_id -> its tenant


def is_snapshot(seed: Any) -> bool:
    return isinstance(seed, dict) and isinstance(seed.get(SNAPSHOT_KEY), dict)


def _to_json(value: Any) -> Any:
    if value is redaction.REDACTED:
        return redaction.MARKER
    return {"$base64": base64.b64encode(value).decode()} if isinstance(value, bytes) else value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$base64"}:
        return base64.b64decode(value["$base64"])
    if redaction.is_marker(value):
        return redaction.REDACTED
    return value


async def _seed_part(tx: Tx, include_secrets: bool) -> list[dict[str, Any]]:
    """The state's configuration in the seed-file shape (passwords stay out: only their hashes exist)."""
    tenants: list[dict[str, Any]] = []
    for t in await tx.list_tenants():
        directory = await tx.load_directory(t.tenant_key)
        apps = [{"app_id": a.app_id, "app_secret": a.app_secret, "scopes": list(a.scopes), "name": a.name,
                 "event_url": a.event_url, "verification_token": a.verification_token,
                 "encrypt_key": a.encrypt_key, "admin_user_ids": list(a.admin_user_ids),
                 "event_types": list(a.event_types), **({"event_mode": a.event_mode} if a.event_mode else {}),
                 **({} if a.enabled else {"enabled": False})}
                for a in await tx.list_apps(t.tenant_key)]
        tenants.append({
            "tenant_key": t.tenant_key,
            "name": t.name,
            "rate_limit_scale": t.rate_limit_scale,
            "apps": apps if include_secrets else redaction.redact_seed_apps(apps),
            "departments": [{"department_id": d.department_id, "name": d.name, "leader_user_id": d.leader_user_id,
                             "parent_department_id": d.parent_department_id}
                            for d in directory.departments.values()],
            "users": [{"user_id": u.user_id, "name": u.name, "open_id": u.open_id, "union_id": u.union_id,
                       "apaas_user_id": u.apaas_user_id, "department_ids": list(u.department_ids),
                       "leader_user_id": u.leader_user_id, "email": u.email,
                       **({} if u.is_active else {"status": u.status})}
                      for u in directory.users.values()],
            "approvals": [d.body for d in await tx.list_definitions(t.tenant_key)],
        })
    return tenants


def snapshot_tables(snapshot: Any, schema_version: int) -> Tables:
    """The tables of a snapshot, checked against this server's schema and decoded for the store."""
    if not is_snapshot(snapshot):
        raise SnapshotError(f"not a snapshot: the body needs a {SNAPSHOT_KEY!r} object (GET /_shenpi/export makes one)")
    meta = snapshot[SNAPSHOT_KEY]
    if meta.get("format") != FORMAT:
        raise SnapshotError(f"snapshot format {meta.get('format')!r} is not {FORMAT}")
    their = meta.get("schema_version")
    if not isinstance(their, int) or their > schema_version:
        raise SnapshotError(f"snapshot schema {their!r} is newer than this server's ({schema_version}): upgrade shenpi")
    tables = meta.get("tables")
    if not isinstance(tables, dict):
        raise SnapshotError("snapshot tables must be an object")
    out: Tables = {}
    for name, t in tables.items():
        if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
            raise SnapshotError(f"snapshot table {name!r} needs 'columns' and 'rows' lists")
        if not all(isinstance(r, list) for r in t["rows"]):
            raise SnapshotError(f"snapshot table {name!r}: every row is a list")
        out[str(name)] = {"columns": t["columns"], "rows": [[_from_json(v) for v in r] for r in t["rows"]]}
    return out


async def _restore_snapshot(tx: Tx, snapshot: Any, secrets_from: Tables | None = None) -> dict[str, int]:
    """Restore a snapshot's tables; redacted secrets come from ``secrets_from`` (default: the rows being replaced)."""
    tables = snapshot_tables(snapshot, await tx.schema_version())
    if redaction.has_redacted(tables):
        if secrets_from is None:
            secrets_from = await tx.dump_tables(only=tuple(redaction.SECRET_COLUMNS))
        try:
            redaction.fill_redacted(tables, secrets_from)
        except redaction.MissingSecret as e:
            raise SnapshotError(str(e)) from None
    try:
        return await tx.restore_tables(tables, keep=KEEP)
    except ValueError as e:  # the store's word for rows that do not fit its tables
        raise SnapshotError(str(e)) from None


class Snapshots:
    def __init__(self, ctx: Context, tokens: Tokens) -> None:
        self._ctx = ctx
        self._tokens = tokens

    def forget_caches(self) -> None:
        """Drop what this process caches about rows a restore may have replaced."""
        self._ctx.registry.invalidate()
        self._tokens.forget()

    async def schema_version(self) -> int:
        async with self._ctx.store.transaction() as tx:
            return await tx.schema_version()

    async def export(self, *, include_secrets: bool = False) -> dict[str, Any]:
        """The whole state as a snapshot; secrets redacted unless ``include_secrets``."""
        async with self._ctx.store.transaction() as tx:
            tables = await tx.dump_tables()
            schema = await tx.schema_version()
            tenants = await _seed_part(tx, include_secrets)
        if not include_secrets:
            tables = redaction.redact_tables(tables)
        clock = self._ctx.clock
        return {
            "tenants": tenants,
            SNAPSHOT_KEY: {
                "format": FORMAT,
                "shenpi_version": __version__,
                "schema_version": schema,
                "exported_at_ms": clock.now_ms(),
                "clock_offset_ms": clock.offset_ms,
                "secrets": "included" if include_secrets else "redacted",
                "tables": {name: {"columns": t["columns"], "rows": [[_to_json(v) for v in r] for r in t["rows"]]}
                           for name, t in tables.items()},
            },
        }

    async def import_snapshot(self, snapshot: Any) -> dict[str, Any]:
        """Replace the whole state with a snapshot's. Tokens the server issued stay valid while their app still
        exists in the imported state; the snapshot's own tokens come back too."""
        async with self._ctx.store.transaction() as tx:
            written = await _restore_snapshot(tx, snapshot)
            pruned = await tx.prune_tokens(self._ctx.clock.now_ms())
        self.forget_caches()
        return {"tables": written, "pruned_token_apps": pruned}

    async def restore_snapshot(self, snapshot: Any, secrets_from: Tables | None = None) -> dict[str, int]:
        """Replace the state with a snapshot's tables, keeping every token (a baseline being built); redacted
        secrets come from ``secrets_from`` (tables from :meth:`dump_tables`), else from the rows replaced."""
        async with self._ctx.store.transaction() as tx:
            written = await _restore_snapshot(tx, snapshot, secrets_from)
        self.forget_caches()
        return written

    async def dump_tables(self) -> Tables:
        """Every row of every table, as the store hands them to :meth:`restore` (a reset's baseline)."""
        async with self._ctx.store.transaction() as tx:
            return await tx.dump_tables()

    async def restore(self, tables: Tables) -> dict[str, int]:
        """Replace every table's rows with ``tables``' (``{}`` empties the state), keeping the tokens."""
        async with self._ctx.store.transaction() as tx:
            written = await tx.restore_tables(tables, keep=KEEP)
        self.forget_caches()
        return written

    async def reset_to(self, baseline: Tables) -> list[str]:
        """Back to a baseline from :meth:`dump_tables`; tokens of apps gone from it are deleted. The answer: the
        apps whose tokens went."""
        async with self._ctx.store.transaction() as tx:
            await tx.restore_tables(baseline, keep=KEEP)
            pruned = await tx.prune_tokens(self._ctx.clock.now_ms())
        self.forget_caches()
        return pruned

    async def prune_tokens(self) -> list[str]:
        """Delete expired tokens and those of apps that no longer exist; the apps whose tokens went."""
        async with self._ctx.store.transaction() as tx:
            pruned = await tx.prune_tokens(self._ctx.clock.now_ms())
        self._tokens.forget()
        return pruned

    async def known_ids(self) -> KnownIds:
        """The ids a seed applied now may refer to without giving them itself."""
        known = KnownIds()
        async with self._ctx.store.transaction() as tx:
            for t in await tx.list_tenants():
                directory = await tx.load_directory(t.tenant_key)
                known.users[t.tenant_key] = set(directory.users)
                known.departments[t.tenant_key] = set(directory.departments)
            known.apps = {a.app_id: a.tenant_key for a in await tx.list_apps()}
        return known

    async def apply_seed(self, tenants: Sequence[SeedTenant]) -> None:
        """Write a seed's tenants, apps, directory and definitions; an unchanged definition keeps its version,
        a changed one becomes the next version."""
        async with self._ctx.store.transaction() as tx:
            for t in tenants:
                tenant_key = t.tenant.tenant_key
                await tx.upsert_tenant(t.tenant)
                for app in t.apps:
                    await tx.upsert_app(app)
                for dept in t.departments:
                    await tx.upsert_department(tenant_key, dept)
                for user, password_hash in t.users:
                    await tx.upsert_user(tenant_key, user, password_hash)
                for a in t.approvals:
                    existing = await tx.get_definition(tenant_key, a.code)
                    if existing is not None and existing.body == a.body:
                        continue
                    if existing is not None and not await _seed_owns(tx, tenant_key, a.code):
                        log.warning("seed: %s (%s) was changed by an admin or an app since the seed last wrote it; "
                                    "the seed's version is not applied", a.code, a.where)
                        continue
                    try:
                        definition = build_definition(
                            a.body, tenant_key=tenant_key, approval_code=a.code,
                            approval_id=existing.approval_id if existing else ids.snowflake(),
                            version=existing.version + 1 if existing else 1)
                    except DomainError as e:
                        raise SeedError(f"{a.where}: {e.detail or e.msg}") from None
                    definition.body = a.body
                    await tx.save_definition(definition, "seed")
        self._ctx.registry.invalidate()


async def _seed_owns(tx: Tx, tenant_key: str, code: str) -> bool:
    """Whether a seed may write a new version of the definition: its latest version came from a seed (or from
    before versions were recorded). Once an admin or an app saves a version, the definition is theirs."""
    versions = await tx.definition_versions(tenant_key, code)
    return not versions or versions[0].source in ("seed", "unknown")
