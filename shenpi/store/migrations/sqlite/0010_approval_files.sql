-- shenpi schema, version 10 (SQLite): files uploaded for attachment and image widgets. The bytes are in `content`
-- unless the server stores them in a directory (--files DIR), where `content` is NULL and the file is named by its
-- code. `file_secrets` holds the one key the signed download URLs are made with, shared by every server process.
CREATE TABLE approval_files (
    code TEXT PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    app_id TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    content BLOB
);
CREATE TABLE file_secrets (
    id INTEGER PRIMARY KEY,
    secret TEXT NOT NULL
);
