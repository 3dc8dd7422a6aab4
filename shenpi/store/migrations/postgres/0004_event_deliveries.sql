-- shenpi schema, version 4 (PostgreSQL): event deliveries, one row per event per subscribed app; the same as
-- sqlite/0004_event_deliveries.sql (see there), with the conventions of 0001_init.sql.
ALTER TABLE outbox ADD COLUMN routed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_unrouted ON outbox (routed, id);
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    app_id TEXT COLLATE "C" NOT NULL,
    stream TEXT COLLATE "C" NOT NULL,
    outbox_id BIGINT NOT NULL DEFAULT 0,
    event_id TEXT COLLATE "C" NOT NULL,
    event_type TEXT COLLATE "C" NOT NULL,
    body BYTEA NOT NULL,
    state TEXT COLLATE "C" NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at_ms BIGINT NOT NULL DEFAULT 0,
    last_error TEXT COLLATE "C" NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    delivered_at BIGINT NOT NULL DEFAULT 0,
    UNIQUE (app_id, event_id)
);
CREATE INDEX deliveries_heads ON deliveries (state, app_id, stream, id);
