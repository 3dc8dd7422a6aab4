-- shenpi schema, version 10 (PostgreSQL): files uploaded for attachment and image widgets; the same as
-- sqlite/0010_approval_files.sql (`content` is NULL when the server stores the bytes in a directory).
CREATE TABLE approval_files (
    code TEXT COLLATE "C" PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    app_id TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    content BYTEA
);
CREATE TABLE file_secrets (
    id INTEGER PRIMARY KEY,
    secret TEXT NOT NULL
);
