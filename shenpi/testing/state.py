"""Whole-state snapshots: what ``GET /_shenpi/export`` and ``shenpi export`` write, and import reads.

A snapshot is a seed file with one more key::

    {"tenants": [...],                      # the seed-file shape: tenants, apps, directory, definitions
     "shenpi_snapshot": {"format": 1, "schema_version": 3, "shenpi_version": "0.1.0", "exported_at_ms": ...,
                         "clock_offset_ms": 0, "tables": {"instances": {"columns": [...], "rows": [...]}, ...}}}

``--seed`` and ``apply_seed`` read the ``tenants`` part (configuration: who exists, which processes), so a
snapshot is also a valid seed. Import restores ``tables`` — every row of every table, instances and outbox
included — so an exported state comes back exactly. BLOB values travel as ``{"$base64": "..."}``.
"""

from __future__ import annotations

import base64
from typing import Any

from shenpi import __version__
from shenpi.app import Shenpi
from shenpi.store.base import AdminTx, Tx

SNAPSHOT_KEY = "shenpi_snapshot"
FORMAT = 1
KEEP = ("tokens",)  # tables whose rows survive reset and import: a client's cached token stays valid


class SnapshotError(ValueError):
    """A snapshot that cannot be imported; the message says why."""


def admin_tx(tx: Tx) -> AdminTx:
    """The transaction with its admin methods (every backend has them; they are part of ``Tx``)."""
    return tx


def is_snapshot(seed: Any) -> bool:
    return isinstance(seed, dict) and isinstance(seed.get(SNAPSHOT_KEY), dict)


def _to_json(value: Any) -> Any:
    return {"$base64": base64.b64encode(value).decode()} if isinstance(value, bytes) else value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"$base64"}:
        return base64.b64decode(value["$base64"])
    return value


def forget_caches(svc: Shenpi) -> None:
    """Drop what the server caches in-process about rows a restore may have replaced."""
    svc.registry.invalidate()
    svc.tokens.forget()


async def seed_part(tx: Tx) -> list[dict[str, Any]]:
    """The state's configuration in the seed-file shape (passwords stay out: only their hashes exist)."""
    tenants: list[dict[str, Any]] = []
    for t in await tx.list_tenants():
        directory = await tx.load_directory(t.tenant_key)
        tenants.append({
            "tenant_key": t.tenant_key,
            "name": t.name,
            "rate_limit_scale": t.rate_limit_scale,
            "apps": [{"app_id": a.app_id, "app_secret": a.app_secret, "scopes": list(a.scopes), "name": a.name,
                      "event_url": a.event_url, "verification_token": a.verification_token,
                      "encrypt_key": a.encrypt_key, "admin_user_ids": list(a.admin_user_ids),
                      "event_types": list(a.event_types)}
                     for a in await tx.list_apps(t.tenant_key)],
            "departments": [{"department_id": d.department_id, "name": d.name, "leader_user_id": d.leader_user_id,
                             "parent_department_id": d.parent_department_id}
                            for d in directory.departments.values()],
            "users": [{"user_id": u.user_id, "name": u.name, "open_id": u.open_id, "union_id": u.union_id,
                       "apaas_user_id": u.apaas_user_id, "department_ids": list(u.department_ids),
                       "leader_user_id": u.leader_user_id, "email": u.email}
                      for u in directory.users.values()],
            "approvals": [d.body for d in await tx.list_definitions(t.tenant_key)],
        })
    return tenants


async def export_state(svc: Shenpi) -> dict[str, Any]:
    async with svc.store.transaction() as raw:
        tx = admin_tx(raw)
        tables = await tx.dump_tables()
        schema = await tx.schema_version()
        tenants = await seed_part(tx)
    return {
        "tenants": tenants,
        SNAPSHOT_KEY: {
            "format": FORMAT,
            "shenpi_version": __version__,
            "schema_version": schema,
            "exported_at_ms": svc.clock.now_ms(),
            "clock_offset_ms": svc.clock.offset_ms,
            "tables": {name: {"columns": t["columns"], "rows": [[_to_json(v) for v in r] for r in t["rows"]]}
                       for name, t in tables.items()},
        },
    }


def snapshot_tables(snapshot: Any, schema_version: int) -> dict[str, dict[str, Any]]:
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
    out: dict[str, dict[str, Any]] = {}
    for name, t in tables.items():
        if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
            raise SnapshotError(f"snapshot table {name!r} needs 'columns' and 'rows' lists")
        if not all(isinstance(r, list) for r in t["rows"]):
            raise SnapshotError(f"snapshot table {name!r}: every row is a list")
        out[str(name)] = {"columns": t["columns"], "rows": [[_from_json(v) for v in r] for r in t["rows"]]}
    return out


async def import_state(svc: Shenpi, snapshot: Any) -> dict[str, Any]:
    """Replace the whole state with a snapshot's, in one transaction. Tokens the server issued stay valid while
    their app still exists in the imported state; the snapshot's own tokens come back too."""
    async with svc.store.transaction() as raw:
        tx = admin_tx(raw)
        tables = snapshot_tables(snapshot, await tx.schema_version())
        try:
            written = await tx.restore_tables(tables, keep=KEEP)
        except ValueError as e:
            raise SnapshotError(str(e)) from None
        pruned = await tx.prune_tokens(svc.clock.now_ms())
    forget_caches(svc)
    return {"tables": written, "pruned_token_apps": pruned}
