-- shenpi schema, version 11 (SQLite): a user's employment state (active, frozen, resigned, unactivated: Feishu's
-- contact v3 status) and whether an app is enabled (a disabled app keeps its tokens but authen refuses it, 20042).
-- `directory_versions` counts the changes to a tenant's users, departments and apps, so every server process can see
-- that its cached copy is stale when another process (the web admin, the CLI) changed them.
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE apps ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
CREATE TABLE directory_versions (
    tenant_key TEXT PRIMARY KEY,
    version INTEGER NOT NULL
);
