-- shenpi schema, version 1 (SQLite)
CREATE TABLE tenants (
    tenant_key TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    rate_limit_scale REAL NOT NULL DEFAULT 1.0,
    serial_counter INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE apps (
    app_id TEXT PRIMARY KEY,
    tenant_key TEXT NOT NULL REFERENCES tenants(tenant_key),
    app_secret TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    name TEXT NOT NULL DEFAULT '',
    event_url TEXT NOT NULL DEFAULT '',
    verification_token TEXT NOT NULL DEFAULT '',
    encrypt_key TEXT NOT NULL DEFAULT '',
    admin_user_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE users (
    tenant_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    open_id TEXT NOT NULL,
    union_id TEXT NOT NULL,
    apaas_user_id TEXT NOT NULL,
    department_ids TEXT NOT NULL DEFAULT '[]',
    leader_user_id TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_key, user_id)
);
CREATE TABLE departments (
    tenant_key TEXT NOT NULL,
    department_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    leader_user_id TEXT NOT NULL DEFAULT '',
    parent_department_id TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_key, department_id)
);
CREATE TABLE tokens (
    token TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    app_id TEXT NOT NULL,
    tenant_key TEXT NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX tokens_by_app ON tokens (app_id, kind, user_id, expires_at);
CREATE TABLE definitions (
    tenant_key TEXT NOT NULL,
    code TEXT NOT NULL,
    approval_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, code)
);
CREATE TABLE instances (
    code TEXT PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    user_id TEXT NOT NULL,
    department_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    form TEXT NOT NULL,
    uuid TEXT NOT NULL DEFAULT '',
    uuid_key TEXT,
    serial_number TEXT NOT NULL DEFAULT '',
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL DEFAULT 0,
    node_index INTEGER NOT NULL DEFAULT -1,
    round INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL DEFAULT '',
    reverted INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX instances_uuid ON instances (tenant_key, uuid_key);
CREATE INDEX instances_by_approval ON instances (tenant_key, approval_code, start_time);
CREATE INDEX instances_by_user ON instances (tenant_key, user_id, start_time);
CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    node_key TEXT NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    type TEXT NOT NULL,
    start_time INTEGER NOT NULL,
    end_time INTEGER NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0,
    round INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_instance ON tasks (instance_code);
CREATE INDEX tasks_by_user ON tasks (tenant_key, user_id, status);
CREATE TABLE timeline (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    type TEXT NOT NULL,
    create_time INTEGER NOT NULL,
    user_id TEXT NOT NULL DEFAULT '',
    task_id TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    node_key TEXT NOT NULL DEFAULT '',
    user_id_list TEXT NOT NULL DEFAULT '[]',
    cc_user_ids TEXT NOT NULL DEFAULT '[]',
    ext TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_by_instance ON timeline (instance_code, id);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX outbox_by_instance ON outbox (instance_code, id);
CREATE TABLE subscriptions (
    tenant_key TEXT NOT NULL,
    app_id TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, approval_code)
);
