-- shenpi schema, version 14 (PostgreSQL): every saved version of a definition and who saved it; the same as
-- sqlite/0014_definition_versions.sql.
CREATE TABLE definition_versions (
    tenant_key TEXT COLLATE "C" NOT NULL,
    code TEXT COLLATE "C" NOT NULL,
    version INTEGER NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    author TEXT COLLATE "C" NOT NULL DEFAULT '',
    body TEXT COLLATE "C" NOT NULL,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_key, code, version)
);
INSERT INTO definition_versions (tenant_key, code, version, source, author, body, saved_at)
    SELECT tenant_key, code, version, 'unknown', '', body, updated_at FROM definitions;
