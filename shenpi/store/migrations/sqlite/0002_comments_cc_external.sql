-- shenpi schema, version 2 (SQLite): comments, CC records, external approvals
CREATE TABLE comments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    user_id TEXT NOT NULL,
    content TEXT NOT NULL,
    at_info_list TEXT NOT NULL DEFAULT '[]',
    parent_comment_id INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL,
    update_time INTEGER NOT NULL,
    is_delete INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_by_instance ON comments (instance_code, id);
CREATE TABLE ccs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    user_id TEXT NOT NULL,
    from_user_id TEXT NOT NULL DEFAULT '',
    create_time INTEGER NOT NULL,
    read_status TEXT NOT NULL DEFAULT 'UNREAD'
);
CREATE INDEX ccs_by_user ON ccs (tenant_key, user_id, create_time);
CREATE INDEX ccs_by_instance ON ccs (instance_code);
CREATE TABLE external_approvals (
    tenant_key TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, approval_code)
);
CREATE TABLE external_instances (
    tenant_key TEXT NOT NULL,
    approval_code TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    update_time INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, approval_code, instance_id)
);
CREATE INDEX tasks_by_tenant_time ON tasks (tenant_key, start_time);
