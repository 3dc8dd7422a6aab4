-- shenpi schema, version 19: two of the notifications' indexes hold only the rows they are searched for. Most
-- notifications send no mail (mail_state 'none') and have no dedupe key (only the reminder timer's have one),
-- yet every insert, one per person a change tells, wrote an entry into both: now the mail queue's index holds
-- the mail still to send and the dead letters, and the uniqueness of a dedupe key covers the rows that have one.
DROP INDEX notifications_mail_due;
CREATE INDEX notifications_mail_due ON notifications (mail_state, mail_next_at) WHERE mail_state IN ('pending', 'digest');
CREATE INDEX notifications_mail_dead ON notifications (id) WHERE mail_state = 'dead';
DROP INDEX notifications_once;
CREATE UNIQUE INDEX notifications_once ON notifications (tenant_key, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL
