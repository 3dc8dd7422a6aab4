-- shenpi schema, version 1 (PostgreSQL); the same tables, columns and indexes as sqlite/0001_init.sql.
-- JSON columns are TEXT rather than JSONB on purpose: JSONB reorders object keys, and the API must echo
-- forms and definition bodies back in the order they were given, exactly as the SQLite backend does.
-- Every text column is COLLATE "C": text then compares and sorts bytewise, as in SQLite, whatever locale the
-- database was created with, so ORDER BY over codes and ids gives both backends the same order (and LIKE and
-- ILIKE fold ASCII case only, as SQLite's LIKE does).
-- Flags (instances.reverted) stay 0/1 INTEGERs: the SQL shared by both backends (store/queries.py) compares
-- them with integer parameters.
CREATE TABLE tenants (
    tenant_key TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL DEFAULT '',
    rate_limit_scale DOUBLE PRECISION NOT NULL DEFAULT 1.0,
    serial_counter BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE apps (
    app_id TEXT COLLATE "C" PRIMARY KEY,
    -- DEFERRABLE: a whole-state restore inserts tables in any order and checks references once, at the end.
    tenant_key TEXT COLLATE "C" NOT NULL REFERENCES tenants(tenant_key) DEFERRABLE INITIALLY IMMEDIATE,
    app_secret TEXT COLLATE "C" NOT NULL,
    scopes TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    name TEXT COLLATE "C" NOT NULL DEFAULT '',
    event_url TEXT COLLATE "C" NOT NULL DEFAULT '',
    verification_token TEXT COLLATE "C" NOT NULL DEFAULT '',
    encrypt_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    admin_user_ids TEXT COLLATE "C" NOT NULL DEFAULT '[]'
);
CREATE TABLE users (
    tenant_key TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL DEFAULT '',
    open_id TEXT COLLATE "C" NOT NULL,
    union_id TEXT COLLATE "C" NOT NULL,
    apaas_user_id TEXT COLLATE "C" NOT NULL,
    department_ids TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    leader_user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    email TEXT COLLATE "C" NOT NULL DEFAULT '',
    password_hash TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_key, user_id)
);
CREATE TABLE departments (
    tenant_key TEXT COLLATE "C" NOT NULL,
    department_id TEXT COLLATE "C" NOT NULL,
    name TEXT COLLATE "C" NOT NULL DEFAULT '',
    leader_user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    parent_department_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_key, department_id)
);
CREATE TABLE tokens (
    token TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    app_id TEXT COLLATE "C" NOT NULL,
    tenant_key TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX tokens_by_app ON tokens (app_id, kind, user_id, expires_at);
CREATE TABLE definitions (
    tenant_key TEXT COLLATE "C" NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    approval_id BIGINT NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_key, code)
);
CREATE TABLE instances (
    code TEXT COLLATE "C" PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    department_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    status TEXT COLLATE "C" NOT NULL,
    form TEXT COLLATE "C" NOT NULL,
    uuid TEXT COLLATE "C" NOT NULL DEFAULT '',
    uuid_key TEXT COLLATE "C",
    serial_number TEXT COLLATE "C" NOT NULL DEFAULT '',
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL DEFAULT 0,
    node_index INTEGER NOT NULL DEFAULT -1,
    round INTEGER NOT NULL DEFAULT 0,
    title TEXT COLLATE "C" NOT NULL DEFAULT '',
    reverted INTEGER NOT NULL DEFAULT 0,
    state TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 0
);
-- uuid_key is NULL for instances created without a uuid; NULLs never collide in a unique index.
CREATE UNIQUE INDEX instances_uuid ON instances (tenant_key, uuid_key);
CREATE INDEX instances_by_approval ON instances (tenant_key, approval_code, start_time);
CREATE INDEX instances_by_user ON instances (tenant_key, user_id, start_time);
CREATE TABLE tasks (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    node_key TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    status TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    start_time BIGINT NOT NULL,
    end_time BIGINT NOT NULL DEFAULT 0,
    seq INTEGER NOT NULL DEFAULT 0,
    round INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tasks_by_instance ON tasks (instance_code);
CREATE INDEX tasks_by_user ON tasks (tenant_key, user_id, status);
CREATE TABLE timeline (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    type TEXT COLLATE "C" NOT NULL,
    create_time BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    task_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    comment TEXT COLLATE "C" NOT NULL DEFAULT '',
    node_key TEXT COLLATE "C" NOT NULL DEFAULT '',
    user_id_list TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    cc_user_ids TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    ext TEXT COLLATE "C" NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_by_instance ON timeline (instance_code, id);
CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    payload TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_by_instance ON outbox (instance_code, id);
CREATE TABLE subscriptions (
    tenant_key TEXT COLLATE "C" NOT NULL,
    app_id TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (app_id, approval_code)
);
