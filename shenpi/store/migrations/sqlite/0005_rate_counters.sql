-- shenpi schema, version 5 (SQLite): rate-limit windows shared by every worker process of one database.
CREATE TABLE rate_counters (
    bucket TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bucket, window_start)
);
