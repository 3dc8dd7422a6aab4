-- shenpi schema, version 11 (PostgreSQL): a user's employment state and whether an app is enabled; the same as
-- sqlite/0011_people_status.sql (`directory_versions` lets every process see its cached directory is stale).
ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE apps ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1;
CREATE TABLE directory_versions (
    tenant_key TEXT COLLATE "C" PRIMARY KEY,
    version BIGINT NOT NULL
);
