-- shenpi schema, version 3 (PostgreSQL): an operator's requests to deliver outbox events again
-- (`shenpi events redeliver`, `POST /_shenpi/outbox/redeliver`). A row is a pending request: the delivery
-- worker re-sends that outbox event (same event id, so subscribers can deduplicate) and deletes the row.
CREATE TABLE outbox_redeliveries (
    outbox_id BIGINT PRIMARY KEY,
    tenant_key TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 1
);
