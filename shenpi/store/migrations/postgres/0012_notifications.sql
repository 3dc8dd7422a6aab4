-- shenpi schema, version 12 (PostgreSQL): notifications to people, written in the transaction of the change that causes
-- them (the outbox of people, as `outbox` is the apps'). A row is both the inbox's entry (read_at) and, when the
-- recipient takes mail for its kind, a mail to send: `mail_state` pending (immediate) or digest (due at the
-- recipient's next digest time), then sent or dead; `mail_next_at` is when it is due, and while a worker holds it
-- the lease, as `deliveries.next_at_ms` is. `dedupe_key` keeps one reminder per task from the per-definition timer.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    tenant_key TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    instance_code TEXT COLLATE "C" NOT NULL DEFAULT '',
    actor_id TEXT COLLATE "C" NOT NULL DEFAULT '',
    dedupe_key TEXT COLLATE "C",
    payload TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    read_at BIGINT NOT NULL DEFAULT 0,
    mail_state TEXT COLLATE "C" NOT NULL DEFAULT 'none',
    mail_next_at BIGINT NOT NULL DEFAULT 0,
    mail_leased BIGINT NOT NULL DEFAULT 0,
    mail_attempts BIGINT NOT NULL DEFAULT 0,
    mail_error TEXT COLLATE "C" NOT NULL DEFAULT '',
    mailed_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notifications_by_user ON notifications (tenant_key, user_id, id);
CREATE INDEX notifications_unread ON notifications (tenant_key, user_id, read_at);
CREATE INDEX notifications_mail_due ON notifications (mail_state, mail_next_at);
CREATE UNIQUE INDEX notifications_once ON notifications (tenant_key, user_id, dedupe_key);
-- Each person's mail preferences; the row with user_id '' holds the tenant's defaults (time zone, language).
-- `kinds` maps a notification kind to "immediate", "digest" or "off" (a kind not named is immediate).
CREATE TABLE notification_prefs (
    tenant_key TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    kinds TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    digest_at TEXT COLLATE "C" NOT NULL DEFAULT '',
    time_zone TEXT COLLATE "C" NOT NULL DEFAULT '',
    language TEXT COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_key, user_id)
);
-- A definition's reminder: a task still pending `after_hours` after it was assigned reminds its approver, once.
CREATE TABLE notification_reminders (
    tenant_key TEXT COLLATE "C" NOT NULL,
    approval_code TEXT COLLATE "C" NOT NULL,
    after_hours DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant_key, approval_code)
);
