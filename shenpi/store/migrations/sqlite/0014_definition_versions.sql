-- shenpi schema, version 14 (SQLite): every saved version of a definition, so earlier versions stay readable,
-- with who saved it: `source` is 'seed' (a seed file), 'api' (the Open API, `author` the app) or 'admin' (the web
-- designer, `author` the admin). A seed reapplied at start leaves a definition alone once its latest version came
-- from anywhere but a seed. Versions saved before this table existed are recorded with source 'unknown'.
CREATE TABLE definition_versions (
    tenant_key TEXT NOT NULL,
    code TEXT NOT NULL,
    version INTEGER NOT NULL,
    source TEXT NOT NULL,
    author TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    saved_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_key, code, version)
);
INSERT INTO definition_versions (tenant_key, code, version, source, author, body, saved_at)
    SELECT tenant_key, code, version, 'unknown', '', body, updated_at FROM definitions;
