-- shenpi schema, version 19: the mail queue's index holds only the mail still to send. Most notifications send
-- no mail (mail_state 'none'), yet every insert, one per person a change tells, wrote an entry into it; the dead
-- letters, listed by operators, get a small index of their own. (Keyless notifications already skip the dedupe
-- key's unique index since version 15.)
DROP INDEX notifications_mail_due;
CREATE INDEX notifications_mail_due ON notifications (mail_state, mail_next_at) WHERE mail_state IN ('pending', 'digest');
CREATE INDEX notifications_mail_dead ON notifications (id) WHERE mail_state = 'dead'
