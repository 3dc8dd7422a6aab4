-- shenpi schema, version 5 (PostgreSQL): rate-limit windows shared by every worker process of one database;
-- the same as sqlite/0005_rate_counters.sql.
CREATE TABLE rate_counters (
    bucket TEXT COLLATE "C" NOT NULL,
    window_start BIGINT NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
