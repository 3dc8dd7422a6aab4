-- shenpi schema, version 3 (PostgreSQL): an operator's requests to deliver outbox events again; the same
-- as sqlite/0003_outbox_redeliveries.sql (see there), with the conventions of 0001_init.sql.
CREATE TABLE outbox_redeliveries (
    outbox_id BIGINT PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    requested_at BIGINT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 1
);
