-- shenpi schema, version 2 (PostgreSQL): comments, CC records, external approvals; the same as
-- sqlite/0002_comments_cc_external.sql, with the conventions of 0001_init.sql (text COLLATE "C", BIGINT times).
CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    content TEXT COLLATE "C" NOT NULL,
    at_info_list TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    parent_comment_id BIGINT NOT NULL DEFAULT 0,
    extra TEXT COLLATE "C" NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    is_delete INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX comments_by_instance ON comments (instance_code, id);
CREATE TABLE ccs (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    from_user_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    create_time BIGINT NOT NULL,
    read_status TEXT COLLATE "C" NOT NULL DEFAULT 'UNREAD'
);
CREATE INDEX ccs_by_user ON ccs (tenant_key, user_id, create_time);
CREATE INDEX ccs_by_instance ON ccs (instance_code);
CREATE TABLE external_approvals (
    tenant_key TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_key, approval_code)
);
CREATE TABLE external_instances (
    tenant_key TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    instance_id TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (tenant_key, approval_code, instance_id)
);
CREATE INDEX tasks_by_tenant_time ON tasks (tenant_key, start_time);
