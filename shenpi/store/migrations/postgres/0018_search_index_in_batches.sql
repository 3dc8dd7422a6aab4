-- shenpi schema, version 18: SQLite's full-text index is now brought up to date in batches (its own 0018).
-- PostgreSQL's pg_trgm GIN index already batches its writes (its pending list), so nothing changes here.
SELECT 1
