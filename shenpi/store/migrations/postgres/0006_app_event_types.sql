-- shenpi schema, version 6 (PostgreSQL): the event types an app subscribed to, as in Feishu's console
-- (a JSON array; empty = shenpi's default set).
ALTER TABLE apps ADD COLUMN event_types TEXT COLLATE "C" NOT NULL DEFAULT '[]';
