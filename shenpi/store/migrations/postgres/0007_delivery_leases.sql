-- shenpi schema, version 7 (PostgreSQL): deliveries.leased is 1 while a worker holds the delivery's claim (its lease
-- is next_at_ms). A stream's head is not claimed while another delivery of the stream is leased and the lease runs:
-- a replayed or redelivered event waits for the event of its instance being sent.
ALTER TABLE deliveries ADD COLUMN leased INTEGER NOT NULL DEFAULT 0;
