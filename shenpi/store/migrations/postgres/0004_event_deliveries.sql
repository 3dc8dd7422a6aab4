-- shenpi schema, version 4 (PostgreSQL): event deliveries, one row per event per subscribed app.
ALTER TABLE outbox ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_unrouted ON outbox (routed, id);
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    app_id TEXT NOT NULL,
    stream TEXT NOT NULL,
    outbox_id BIGINT NOT NULL DEFAULT 0,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    body BYTEA NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    delivered_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (app_id, event_id)
);
CREATE INDEX deliveries_heads ON deliveries (state, app_id, stream, id);
