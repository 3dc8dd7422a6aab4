-- shenpi schema, version 13 (PostgreSQL): what the web inbox's search reads; the same table as
-- sqlite/0013_search_texts.sql. A GIN index of pg_trgm's trigrams serves LIKE '%word%' for words of 3 characters
-- or more in any script; shorter ones are matched with LIKE on the rows of the instances a list already walks.
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE search_texts (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL,
    source TEXT COLLATE "C" NOT NULL,
    body TEXT COLLATE "C" NOT NULL
);
CREATE INDEX search_texts_by_instance ON search_texts (instance_code, source);
CREATE INDEX search_texts_trigrams ON search_texts USING gin (body gin_trgm_ops);
-- What was written before this version (LOWER here folds by the database's locale; rows written from now on are
-- folded by Python).
INSERT INTO search_texts (tenant_key, instance_code, source, body)
    SELECT tenant_key, code, 'form', LOWER(title || chr(10) || serial_number || chr(10) || form) FROM instances;
INSERT INTO search_texts (tenant_key, instance_code, source, body)
    SELECT tenant_key, instance_code, 'comment:' || id, LOWER(content) FROM comments WHERE is_delete = 0
