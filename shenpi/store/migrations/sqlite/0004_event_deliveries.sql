-- shenpi schema, version 4 (SQLite): event deliveries, one row per event per subscribed app.
-- outbox.routed marks the outbox rows already turned into deliveries (in the same transaction as the inserts).
ALTER TABLE outbox ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_unrouted ON outbox (routed, id);
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_key TEXT NOT NULL,
    app_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    outbox_id INTEGER NOT NULL DEFAULT 0,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    delivered_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (app_id, event_id)
);
CREATE INDEX deliveries_heads ON deliveries (state, app_id, stream, id);
