-- shenpi schema, version 18 (SQLite): the FTS index of search_texts is brought up to date in batches rather than
-- in each writing transaction. FTS5 writes a new segment for every transaction that adds to it, and merges
-- segments now and then inside one: on the write path that was ~15% of a reject's CPU and its worst latencies.
-- `search_fts_state.indexed_through` is the highest search_texts id the index holds; the store's indexer task
-- folds the rows above it in one transaction a second, and a search reads the index up to it and the few rows
-- above it directly. A row written below the mark (a snapshot restored with its ids, an id reused after the
-- newest rows were deleted) is indexed at once by the trigger, and only indexed rows are ever deleted from it.
CREATE TABLE search_fts_state (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    indexed_through INTEGER NOT NULL
);
INSERT INTO search_fts_state (only_row, indexed_through) SELECT 1, COALESCE(MAX(id), 0) FROM search_texts;
DROP TRIGGER search_texts_ai;
DROP TRIGGER search_texts_ad;
DROP TRIGGER search_texts_au;
-- (Each trigger on one line: the migration runner splits statements at a semicolon that ends a line.)
CREATE TRIGGER search_texts_ai AFTER INSERT ON search_texts WHEN new.id <= (SELECT indexed_through FROM search_fts_state) BEGIN INSERT INTO search_texts_fts (rowid, body) VALUES (new.id, new.body); END;
CREATE TRIGGER search_texts_ad AFTER DELETE ON search_texts WHEN old.id <= (SELECT indexed_through FROM search_fts_state) BEGIN INSERT INTO search_texts_fts (search_texts_fts, rowid, body) VALUES ('delete', old.id, old.body); END;
CREATE TRIGGER search_texts_au AFTER UPDATE ON search_texts WHEN old.id <= (SELECT indexed_through FROM search_fts_state) BEGIN INSERT INTO search_texts_fts (search_texts_fts, rowid, body) VALUES ('delete', old.id, old.body); INSERT INTO search_texts_fts (rowid, body) VALUES (new.id, new.body); END
