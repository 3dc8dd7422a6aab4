"""The Open API's platform records in SQL written once: tenants, apps, the directory, tokens, rate counters.

(The application side of these lives in shenpi/platform/; this module only stores them.)
"""

from __future__ import annotations

from collections.abc import Sequence

from shenpi.engine.directory import Department, Directory, User
from shenpi.engine.model import PENDING, Task
from shenpi.store import rows
from shenpi.store.records import App, Tenant, Token
from shenpi.store.sql import Row, SqlTx

_TENANT_COLS = "tenant_key, name, rate_limit_scale"
_APP_COLS = ("app_id, tenant_key, app_secret, scopes, name, event_url, verification_token, encrypt_key, admin_user_ids, "
             "event_types, event_mode, enabled")
_TOKEN_COLS = "token, kind, app_id, tenant_key, expires_at, created_at, user_id"


def _tenant(r: Row) -> Tenant:
    return Tenant(r[0], r[1], r[2])


def _app(r: Row) -> App:
    return App(r[0], r[1], r[2], rows.loads(r[3]), r[4], r[5], r[6], r[7], rows.loads(r[8]), rows.loads(r[9]), r[10],
               bool(r[11]))


def _token(r: Row) -> Token:
    return Token(r[0], r[1], r[2], r[3], r[4], r[5], r[6])


class PlatformMixin(SqlTx):
    # Lists come in key order. The key columns compare bytewise on both backends (SQLite's BINARY collation,
    # PostgreSQL's COLLATE "C"), so the order is the same on each.

    # -- tenants and apps -----------------------------------------------------------------------
    async def upsert_tenant(self, tenant: Tenant) -> None:
        await self._execute(
            f"INSERT INTO tenants ({_TENANT_COLS}) VALUES (?, ?, ?) "
            "ON CONFLICT (tenant_key) DO UPDATE SET name = excluded.name, rate_limit_scale = excluded.rate_limit_scale",
            (tenant.tenant_key, tenant.name, float(tenant.rate_limit_scale)))

    async def get_tenant(self, tenant_key: str) -> Tenant | None:
        r = await self._fetchone(f"SELECT {_TENANT_COLS} FROM tenants WHERE tenant_key = ?", (tenant_key,))
        return _tenant(r) if r else None

    async def list_tenants(self) -> list[Tenant]:
        return [_tenant(r) for r in await self._fetch(f"SELECT {_TENANT_COLS} FROM tenants ORDER BY tenant_key")]

    async def upsert_app(self, app: App) -> None:
        await self._execute(
            f"INSERT INTO apps ({_APP_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (app_id) DO UPDATE SET tenant_key = excluded.tenant_key, app_secret = excluded.app_secret, "
            "scopes = excluded.scopes, name = excluded.name, event_url = excluded.event_url, "
            "verification_token = excluded.verification_token, encrypt_key = excluded.encrypt_key, "
            "admin_user_ids = excluded.admin_user_ids, event_types = excluded.event_types, "
            "event_mode = excluded.event_mode, enabled = excluded.enabled",
            (app.app_id, app.tenant_key, app.app_secret, rows.dumps(app.scopes), app.name, app.event_url,
             app.verification_token, app.encrypt_key, rows.dumps(app.admin_user_ids), rows.dumps(app.event_types),
             app.event_mode, int(app.enabled)))
        await self._bump_directory(app.tenant_key)

    async def get_app(self, app_id: str) -> App | None:
        r = await self._fetchone(f"SELECT {_APP_COLS} FROM apps WHERE app_id = ?", (app_id,))
        return _app(r) if r else None

    async def list_apps(self, tenant_key: str | None = None) -> list[App]:
        if tenant_key is None:
            return [_app(r) for r in await self._fetch(f"SELECT {_APP_COLS} FROM apps ORDER BY app_id")]
        return [_app(r) for r in await self._fetch(
            f"SELECT {_APP_COLS} FROM apps WHERE tenant_key = ? ORDER BY app_id", (tenant_key,))]

    # -- the directory --------------------------------------------------------------------------
    async def upsert_user(self, tenant_key: str, user: User, password_hash: str | None = None) -> None:
        """Insert or update a user; ``password_hash=None`` keeps the stored hash."""
        await self._execute(
            "INSERT INTO users (tenant_key, user_id, name, open_id, union_id, apaas_user_id, department_ids, "
            "leader_user_id, email, status, password_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (tenant_key, user_id) DO UPDATE SET name = excluded.name, open_id = excluded.open_id, "
            "union_id = excluded.union_id, apaas_user_id = excluded.apaas_user_id, "
            "department_ids = excluded.department_ids, leader_user_id = excluded.leader_user_id, "
            "email = excluded.email, status = excluded.status, "
            "password_hash = CASE WHEN ? = 1 THEN excluded.password_hash ELSE users.password_hash END",
            (tenant_key, user.user_id, user.name, user.open_id, user.union_id, user.apaas_user_id,
             rows.dumps(user.department_ids), user.leader_user_id, user.email, user.status, password_hash or "",
             int(password_hash is not None)))
        await self._bump_directory(tenant_key)

    async def upsert_department(self, tenant_key: str, dept: Department) -> None:
        await self._execute(
            "INSERT INTO departments (tenant_key, department_id, name, leader_user_id, parent_department_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant_key, department_id) DO UPDATE SET name = excluded.name, "
            "leader_user_id = excluded.leader_user_id, parent_department_id = excluded.parent_department_id",
            (tenant_key, dept.department_id, dept.name, dept.leader_user_id, dept.parent_department_id))
        await self._bump_directory(tenant_key)

    async def _bump_directory(self, tenant_key: str) -> None:
        """Count one change to the tenant's directory or apps, so other processes' caches see they are stale."""
        await self._execute(
            "INSERT INTO directory_versions (tenant_key, version) VALUES (?, 1) ON CONFLICT (tenant_key) "
            "DO UPDATE SET version = directory_versions.version + 1", (tenant_key,))

    async def directory_version(self, tenant_key: str) -> int:
        """How many changes the tenant's users, departments and apps have seen (0 before the first)."""
        r = await self._fetchone("SELECT version FROM directory_versions WHERE tenant_key = ?", (tenant_key,))
        return int(r[0]) if r else 0

    async def load_directory(self, tenant_key: str) -> Directory:
        users = [rows.user_from(r) for r in await self._fetch(
            f"SELECT {rows.USER_COLS} FROM users WHERE tenant_key = ? ORDER BY user_id", (tenant_key,))]
        depts = [rows.department_from(r) for r in await self._fetch(
            "SELECT department_id, name, leader_user_id, parent_department_id FROM departments "
            "WHERE tenant_key = ? ORDER BY department_id", (tenant_key,))]
        return Directory(tenant_key, users, depts)

    async def password_hash(self, tenant_key: str, user_id: str) -> str:
        """The user's stored password hash; "" when the user has none or does not exist."""
        r = await self._fetchone("SELECT password_hash FROM users WHERE tenant_key = ? AND user_id = ?",
                                 (tenant_key, user_id))
        return str(r[0]) if r else ""

    async def pending_tasks_of(self, tenant_key: str, user_id: str) -> list[Task]:
        """The user's PENDING tasks, by instance and then task id."""
        return [rows.task_from(r) for r in await self._fetch(
            f"SELECT {rows.TASK_COLS} FROM tasks WHERE tenant_key = ? AND user_id = ? AND status = ? "
            "ORDER BY instance_code, id", (tenant_key, user_id, PENDING))]

    async def delete_user_sessions(self, tenant_key: str, user_id: str) -> None:
        """End the user's web sessions (a user who stops being active signs out everywhere)."""
        await self._execute("DELETE FROM tokens WHERE kind = 'web' AND tenant_key = ? AND user_id = ?",
                            (tenant_key, user_id))

    # -- tokens ---------------------------------------------------------------------------------
    async def insert_token(self, token: Token) -> None:
        await self._execute(
            f"INSERT INTO tokens ({_TOKEN_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (token.token, token.kind, token.app_id, token.tenant_key, token.expires_at, token.created_at,
             token.user_id))

    async def get_token(self, token: str) -> Token | None:
        r = await self._fetchone(f"SELECT {_TOKEN_COLS} FROM tokens WHERE token = ?", (token,))
        return _token(r) if r else None

    async def latest_token(self, app_id: str, kind: str, user_id: str = "") -> Token | None:
        """The app's longest-lived token of this kind (for that user, for user tokens)."""
        r = await self._fetchone(
            f"SELECT {_TOKEN_COLS} FROM tokens WHERE app_id = ? AND kind = ? AND user_id = ? "
            "ORDER BY expires_at DESC LIMIT 1", (app_id, kind, user_id))
        return _token(r) if r else None

    async def delete_token(self, token: str) -> None:
        await self._execute("DELETE FROM tokens WHERE token = ?", (token,))

    # -- rate limits ----------------------------------------------------------------------------
    async def rate_take(self, windows: Sequence[tuple[str, int, int]]) -> tuple[int, int] | None:
        """Count one call in each (bucket, window start, limit) unless one of them is full.

        Returns None when counted, else (limit, window start) of the first full window; a refused call counts
        in none. One upsert per window that increments only below the limit: atomic under concurrency."""
        taken: list[tuple[str, int]] = []
        for bucket, start, limit in windows:
            got = await self._fetchone(
                "INSERT INTO rate_counters (bucket, window_start, count) VALUES (?, ?, 1) "
                "ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_counters.count + 1 "
                "WHERE rate_counters.count < ? RETURNING count", (bucket, start, limit))
            if got is None:
                for b, st in taken:
                    await self._execute("UPDATE rate_counters SET count = count - 1 WHERE bucket = ? AND window_start = ?",
                                        (b, st))
                return limit, start
            taken.append((bucket, start))
        return None

    async def rate_give_back(self, counted: Sequence[tuple[str, int]]) -> None:
        """Uncount one call in each (bucket, window start) that rate_take counted it in."""
        for bucket, start in counted:
            await self._execute("UPDATE rate_counters SET count = count - 1 WHERE bucket = ? AND window_start = ? "
                                "AND count > 0", (bucket, start))

    async def rate_sweep(self, before: int) -> None:
        await self._execute("DELETE FROM rate_counters WHERE window_start < ?", (before,))

    async def rate_reset(self) -> None:
        await self._execute("DELETE FROM rate_counters")
