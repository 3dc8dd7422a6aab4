-- shenpi schema, version 15 (PostgreSQL): the indexes an action writes to, trimmed; the same as
-- sqlite/0015_lean_writes.sql.
-- The outbox rows still to route, and only those: a row is written already routed when no app subscribes to its
-- approval (most rows, in most deployments; shenpi/store/postgres_transition.py), so it never enters this index,
-- and a routed row leaves it. The router's statements say `routed = 0`, which this index's condition matches.
DROP INDEX outbox_unrouted;
CREATE INDEX outbox_unrouted ON outbox (id) WHERE routed = 0;
-- Only the reminder timer sets a dedupe key: every other notification (one or more per action) skips this index,
-- and the insert that has no key needs no ON CONFLICT.
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications (tenant_key, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
