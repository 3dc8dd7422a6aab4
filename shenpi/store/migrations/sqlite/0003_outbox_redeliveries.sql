-- shenpi schema, version 3 (SQLite): an operator's requests to deliver outbox events again
-- (`shenpi events redeliver`, `POST /_shenpi/outbox/redeliver`). A row is a pending request: the delivery
-- worker re-sends that outbox event (same event id, so subscribers can deduplicate) and deletes the row.
-- A table of its own rather than a column on outbox, so the request queue and the outbox evolve separately.
CREATE TABLE outbox_redeliveries (
    outbox_id INTEGER PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    requests INTEGER NOT NULL DEFAULT 1
);
