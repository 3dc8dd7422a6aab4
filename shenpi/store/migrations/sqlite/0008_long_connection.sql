-- shenpi schema, version 8 (SQLite): how an app receives its events. apps.event_mode is 'callback' (POSTs to its
-- event_url), 'long_connection' (frames over a WebSocket the app opened) or '' (callback when it has an event_url,
-- else long connection). long_connections lists the open WebSockets of every server process sharing the database:
-- a process claims a long-connection app's events only while it holds one of the app's connections, and refreshes
-- seen_at while the connection lives (a row not refreshed for a while is a process that died).
ALTER TABLE apps ADD COLUMN event_mode TEXT NOT NULL DEFAULT '';
CREATE TABLE long_connections (
    conn_id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    tenant_key TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    connected_at INTEGER NOT NULL,
    seen_at INTEGER NOT NULL
);
CREATE INDEX long_connections_app ON long_connections (app_id, seen_at);
