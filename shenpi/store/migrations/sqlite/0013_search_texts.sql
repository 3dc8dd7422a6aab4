-- shenpi schema, version 13 (SQLite): what the web inbox's search reads. One row per searchable text of an
-- instance (`source`: 'form' for its title, serial number and form values; 'comment:<id>' for a comment;
-- 'note' for a comment left with an action), lower-cased by the store when written, in the transaction that
-- changes the instance or the comment. An FTS5 index with the trigram tokenizer finds substrings of 3 characters
-- or more in any script (Chinese has no spaces to split words at); shorter ones are matched with LIKE on the rows
-- of the instances a list already walks. The FTS index holds no copy of the text (content=) and is kept in step
-- by the triggers below.
CREATE TABLE search_texts (
    id INTEGER PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    instance_code TEXT NOT NULL,
    source TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX search_texts_by_instance ON search_texts (instance_code, source);
CREATE VIRTUAL TABLE search_texts_fts USING fts5(body, content='search_texts', content_rowid='id', tokenize='trigram');
-- (Each trigger on one line: the migration runner splits statements at a semicolon that ends a line.)
CREATE TRIGGER search_texts_ai AFTER INSERT ON search_texts BEGIN INSERT INTO search_texts_fts (rowid, body) VALUES (new.id, new.body); END;
CREATE TRIGGER search_texts_ad AFTER DELETE ON search_texts BEGIN INSERT INTO search_texts_fts (search_texts_fts, rowid, body) VALUES ('delete', old.id, old.body); END;
CREATE TRIGGER search_texts_au AFTER UPDATE ON search_texts BEGIN INSERT INTO search_texts_fts (search_texts_fts, rowid, body) VALUES ('delete', old.id, old.body); INSERT INTO search_texts_fts (rowid, body) VALUES (new.id, new.body); END;
-- What was written before this version: the title, serial number and stored form JSON of each instance, and each
-- comment's stored content (LOWER folds ASCII only here; rows written from now on are folded by Python).
INSERT INTO search_texts (tenant_key, instance_code, source, body)
    SELECT tenant_key, code, 'form', LOWER(title || char(10) || serial_number || char(10) || form) FROM instances;
INSERT INTO search_texts (tenant_key, instance_code, source, body)
    SELECT tenant_key, instance_code, 'comment:' || id, LOWER(content) FROM comments WHERE is_delete = 0
