"""Part (f)'s data: a store of ``size`` instances written in bulk, laid out so every list has a 50th page.

One big tenant (``bench``) holds up to 10^5 instances, all submitted by alice; filler tenants of 9,000 instances
each hold the rest (10^6 = the big tenant and 100 fillers). Every other instance is still PENDING, the rest
APPROVED, so a person's to-do and done lists are both long. In the big tenant bob approves up to 10^4 instances
(all of them at 10^3) and dave the rest; carol is bob's co-approver (an AND node) on the first 10^2, so she has
10^2 tasks at every size. Each instance has one CC record, to its approver. One instance of bob's carries 600
comments and every 10th instance one. External instances live in a tenant of their own (``bench-ext``, up to
10^4, each with one task of bob's), so that the searches of the big tenant, which read a tenant's external
instances whole, measure their native lists; the fillers hold one external instance per 10 instances.

Rows have shenpi's columns and an empty flow state, which the lists read like any other; they are written with
executemany on SQLite and COPY on PostgreSQL, then ANALYZE.
"""

from __future__ import annotations

import json
from typing import Any

from bench import data

BIG, FILLER, HEAVY, LIGHT, EXTERNAL = 100_000, 9_000, 10_000, 100, 10_000
BUSY_COMMENTS = 600  # on one instance, so its comment list has a 50th page of 10
T0 = 1_700_000_000_000
PASSWORD = "bench-password"
EXT_TENANT, EXT_APP, EXT_SECRET, EXT_APPROVAL = "bench-ext", "cli_bench_ext", "bench-ext-secret", "EXT_BENCH"
LIGHT_TASK_BASE = data.TASK_ID_BASE + 10**9  # carol's task ids, apart from the one-per-instance ones


def code_of(n: int) -> str:
    return f"{n:08d}-0000-4000-8000-000000000000"


BUSY = code_of(1)  # bob's instance with BUSY_COMMENTS comments (instance 1 exists at every size)
SINGLE = code_of(3)  # the instance GET instances/:id reads


def seed() -> dict[str, Any]:
    s = data.bench_seed()
    tenant = s["tenants"][0]
    tenant["users"] += [{"user_id": u, "name": u.title()} for u in ("carol", "dave")]
    for user in tenant["users"]:
        user["password"] = PASSWORD
    tenant["apps"][0]["scopes"] = [*data.SCOPES, "approval:approval.list:readonly", "approval:approval:readonly",
                                   "approval:instance", "approval:task:list_by_user", "app_engine:approval:read"]
    s["tenants"].append({"tenant_key": EXT_TENANT, "name": "Bench external",
                         "apps": [{"app_id": EXT_APP, "app_secret": EXT_SECRET, "scopes": data.SCOPES}],
                         "users": [{"user_id": data.APPROVER, "name": "Bob"}]})
    return s


def _external(tenant: str, n: int, at: int, pending: bool) -> tuple[Any, ...]:
    status = "PENDING" if pending else "APPROVED"
    body = {"approval_code": EXT_APPROVAL, "instance_id": f"ext-{n:08d}", "status": status, "update_time": str(at),
            "title": "Leave", "user_id": data.SUBMITTER, "start_time": str(at), "end_time": "0" if pending else str(at),
            "links": {"pc_link": "https://example.com/ext", "mobile_link": "https://example.com/ext"},
            "task_list": [{"task_id": f"ext-task-{n:08d}", "user_id": data.APPROVER, "status": status,
                           "create_time": str(at), "end_time": "0" if pending else str(at), "update_time": str(at),
                           "links": {"pc_link": "https://example.com/ext"}}]}
    return tenant, EXT_APPROVAL, body["instance_id"], status, json.dumps(body), at


def rows(size: int) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of each table for ``size`` instances."""
    big = min(size, BIG)
    out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _COLUMNS}
    instances, tasks, ccs, comments, externals = (out[t] for t in _COLUMNS)
    for n in range(size):
        tenant = data.TENANT if n < big else f"filler{(n - big) // FILLER:03d}"
        code, at = code_of(n), T0 + n * 1000
        who = data.APPROVER if n < min(big, HEAVY) else "dave"
        pending = n % 2 == 0
        status, end = ("PENDING", 0) if pending else ("APPROVED", at + 500)
        instances.append((code, tenant, data.APPROVAL, data.SUBMITTER, status, data.FORM, at, end))
        tasks.append((str(data.TASK_ID_BASE + n), tenant, code, "lead", who, status, "AND", at, end))
        if n < LIGHT:
            tasks.append((str(LIGHT_TASK_BASE + n), tenant, code, "lead", "carol", status, "AND", at, end))
        ccs.append((tenant, code, data.APPROVAL, who, data.SUBMITTER, at, "UNREAD" if n % 3 else "READ"))
        if n % 10 == 5:
            comments.append((tenant, code, who, "looks fine", at + 100, at + 100))
            if n >= big:
                externals.append(_external(tenant, n, at, pending))
    for i in range(BUSY_COMMENTS):
        comments.append((data.TENANT, BUSY, data.APPROVER if i % 2 else data.SUBMITTER, f"comment {i}",
                         T0 + 1000 + i, T0 + 1000 + i))
    for n in range(min(size, EXTERNAL)):
        externals.append(_external(EXT_TENANT, n, T0 + n * 1000, n % 2 == 0))
    return out


_COLUMNS = {
    "instances": ["code", "tenant_key", "approval_code", "user_id", "status", "form", "start_time", "end_time"],
    "tasks": ["id", "tenant_key", "instance_code", "node_key", "user_id", "status", "type", "start_time", "end_time"],
    "ccs": ["tenant_key", "instance_code", "approval_code", "user_id", "from_user_id", "create_time", "read_status"],
    "comments": ["tenant_key", "instance_code", "user_id", "content", "create_time", "update_time"],
    "external_instances": ["tenant_key", "approval_code", "instance_id", "status", "body", "update_time"],
}


async def load(url: str, size: int) -> dict[str, str]:
    """The schema and seed through shenpi's own store, then the rows in bulk, then the planner's statistics;
    answers user access tokens of alice and bob (for the user-token lists)."""
    from shenpi.app import Shenpi
    from shenpi.seed import apply_seed
    from shenpi.store import open_store
    svc = Shenpi(open_store(url))
    await svc.open()
    try:
        await apply_seed(svc, seed())
        app = await svc.people.app(data.APP_ID)
        assert app is not None
        tokens = {u: str((await svc.tokens.issue(app, "user", u, reuse=False)).token)
                  for u in (data.SUBMITTER, data.APPROVER)}
    finally:
        await svc.close()
    tables = rows(size)
    if url.startswith("sqlite"):
        _load_sqlite(url.removeprefix("sqlite:///"), tables)
    else:
        await _load_postgres(url, tables)
    return tokens


def _load_sqlite(path: str, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    import sqlite3
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA cache_size = -500000")
    # The usual bulk load: secondary indexes dropped, rows in, indexes built again (a sorted build, not 10^6
    # random insertions into each), statistics; the WAL folded into the database, so that the server does not
    # copy it while it is measured.
    indexes = conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE "
        f"'CREATE UNIQUE%' AND tbl_name IN ({', '.join('?' * len(_COLUMNS))})", list(_COLUMNS)).fetchall()
    with conn:
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, columns in _COLUMNS.items():
            conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                             f"VALUES ({', '.join('?' for _ in columns)})", tables[table])
        for _, sql in indexes:
            conn.execute(sql)
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


async def _load_postgres(url: str, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    import asyncpg
    conn = await asyncpg.connect(url)
    try:
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
            "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY($1::text[]) AND NOT x.indisunique", list(_COLUMNS))
        for r in indexes:
            await conn.execute(f'DROP INDEX "{r[0]}"')
        for table, columns in _COLUMNS.items():
            await conn.copy_records_to_table(table, records=tables[table], columns=columns)
        for r in indexes:
            await conn.execute(r[1])
        # What autovacuum would do some time later (statistics, the visibility map that index-only scans
        # read), done now so that it does not run during a measurement.
        for table in _COLUMNS:
            await conn.execute(f"VACUUM (ANALYZE) {table}")
        try:
            await conn.execute("CHECKPOINT")
        except asyncpg.PostgresError:  # only a superuser may; the run is then merely noisier
            pass
    finally:
        await conn.close()
