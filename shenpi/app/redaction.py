"""Secrets in snapshots: left out of an export unless asked for, and filled back in on import.

A redacted export replaces every non-empty secret column (``SECRET_COLUMNS``) with the marker ``{"$redacted": true}``
and leaves out the tables whose rows are secrets themselves (``SECRET_TABLES``: issued tokens and OAuth codes). An
empty value is no secret and travels as it is, so "no encrypt key" survives a redacted round trip.

Importing a redacted snapshot keeps the secret the target database already holds for the same row (the same
app id; the same tenant and user id). Where the target has no such row:

- an app's secret, verification token or encrypt key cannot be made up (its clients would not know it), so the
  import is refused, naming the table, the row and the field: export with secrets to bring new apps;
- a user's password hash becomes empty: the user exists but cannot sign in to the web inbox until an operator sets
  a password (``shenpi user set-password``).
"""

from __future__ import annotations

from typing import Any

MARKER_KEY = "$redacted"
MARKER: dict[str, Any] = {MARKER_KEY: True}  # how a redacted value travels in JSON

# table -> (the columns that name a row, the secret columns)
SECRET_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "apps": (("app_id",), ("app_secret", "verification_token", "encrypt_key")),
    "users": (("tenant_key", "user_id"), ("password_hash",)),
}
SECRET_TABLES = ("tokens",)  # every row a live credential: a redacted export has none of them
APP_SECRET_FIELDS = SECRET_COLUMNS["apps"][1]  # the same secrets in the seed-file part of a snapshot
_EMPTY_WHEN_NEW = {("users", "password_hash")}  # secrets a new row may go without


class _Redacted:
    """A decoded redacted value, waiting for the target's own secret (compared by identity: one instance)."""

    def __repr__(self) -> str:
        return "REDACTED"


REDACTED = _Redacted()

Tables = dict[str, dict[str, Any]]


class MissingSecret(ValueError):
    """A redacted secret the target database cannot supply; the message names table, row and field."""


def is_marker(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {MARKER_KEY}


def redact_tables(tables: Tables) -> Tables:
    """``tables`` without secret tables, and with every non-empty secret column replaced by :data:`REDACTED`."""
    out: Tables = {}
    for name, t in tables.items():
        if name in SECRET_TABLES:
            continue
        secret = SECRET_COLUMNS.get(name, ((), ()))[1]
        at = [i for i, c in enumerate(t["columns"]) if c in secret]
        rows = t["rows"]
        if at:
            rows = [[REDACTED if i in at and v not in (None, "") else v for i, v in enumerate(r)] for r in rows]
        out[name] = {"columns": t["columns"], "rows": rows}
    return out


def redact_seed_apps(apps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: MARKER if k in APP_SECRET_FIELDS and v else v for k, v in a.items()} for a in apps]


def has_redacted(tables: Tables) -> bool:
    return any(v is REDACTED for t in tables.values() for r in t["rows"] for v in r)


def fill_redacted(tables: Tables, current: Tables) -> None:
    """Put the target's own secrets (``current``: its tables before the import) in place of redacted values, in
    place. MissingSecret when a redacted app secret has no row to come from."""
    for name, t in tables.items():
        cols = [str(c) for c in t["columns"]]
        at = [i for i in range(len(cols)) if any(r[i] is REDACTED for r in t["rows"] if len(r) == len(cols))]
        if not at:
            continue
        keys, secret = SECRET_COLUMNS.get(name, ((), ()))
        not_secret = [cols[i] for i in at if cols[i] not in secret]
        if not_secret or any(k not in cols for k in keys):
            raise MissingSecret(f"table {name}: column {', '.join(not_secret or cols)} cannot be redacted")
        theirs = _rows_by_key(current.get(name), keys)

        def key_of(r: list[Any]) -> tuple[Any, ...]:
            return tuple(r[cols.index(k)] for k in keys)  # noqa: B023 (used within this iteration only)

        for r in t["rows"]:
            if len(r) != len(cols):
                continue  # restore_tables names the row
            for i in at:
                if r[i] is not REDACTED:
                    continue
                kept = theirs.get(key_of(r), {}).get(cols[i])
                if kept is not None:
                    r[i] = kept
                elif (name, cols[i]) in _EMPTY_WHEN_NEW:
                    r[i] = ""
                else:
                    row = ", ".join(f"{k} {v}" for k, v in zip(keys, key_of(r), strict=True))
                    raise MissingSecret(
                        f"table {name}, {row}: {cols[i]} was redacted at export and this database has no such row to "
                        f"keep it from; export with secrets (shenpi export --include-secrets, or "
                        f"GET /_shenpi/export?include_secrets=1) to bring new apps")


def _rows_by_key(table: dict[str, Any] | None, keys: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
    if not table:
        return {}
    cols = [str(c) for c in table["columns"]]
    rows = [dict(zip(cols, r, strict=True)) for r in table["rows"]]
    return {tuple(r[k] for k in keys): r for r in rows}
