-- shenpi schema, version 9 (PostgreSQL): an index for each list's filter and order, so a page reads what it shows and
-- not every row that matches (the lists page by keyset: shenpi/store/keyset.py). Each index ends in the list's
-- unique tie-breaker; those that replace an older index extend it.
-- Instances: a submitter's or an approval's, newest first (instances/query, initiated, the inbox's started list),
-- and an approval's oldest first (GET instances).
DROP INDEX instances_by_user;
DROP INDEX instances_by_approval;
CREATE INDEX instances_by_user_newest ON instances (tenant_key, user_id, start_time DESC, code);
CREATE INDEX instances_by_approval_newest ON instances (tenant_key, approval_code, start_time DESC, code);
CREATE INDEX instances_by_approval_oldest ON instances (tenant_key, approval_code, start_time, code);
-- A task or CC list (and its count) reads, for each row, whether the row's instance was reverted: this index
-- answers that alone, a far smaller tree to walk than the instances themselves.
CREATE INDEX instances_reverted_by_code ON instances (code, reverted);
-- The reverted instances of a tenant, which the inbox's counts take off (few: approved instances taken back).
CREATE INDEX instances_reverted ON instances (tenant_key) WHERE reverted = 1;
-- Tasks: an assignee's, newest first, in all statuses or in one (several are read one status at a time); done
-- ones by the time they were decided (the inbox's done list).
DROP INDEX tasks_by_user;
CREATE INDEX tasks_by_user_newest ON tasks (tenant_key, user_id, start_time DESC, id);
CREATE INDEX tasks_by_user_status_newest ON tasks (tenant_key, user_id, status, start_time DESC, id);
CREATE INDEX tasks_by_user_status_decided ON tasks (tenant_key, user_id, status, end_time DESC, start_time DESC, id);
-- CC records: a recipient's, read or unread or both, and an approval's, newest first.
DROP INDEX ccs_by_user;
CREATE INDEX ccs_by_user_newest ON ccs (tenant_key, user_id, create_time DESC, id);
CREATE INDEX ccs_by_user_read_newest ON ccs (tenant_key, user_id, read_status, create_time DESC, id);
CREATE INDEX ccs_by_approval_newest ON ccs (tenant_key, approval_code, create_time DESC, id);
-- External instances, least recently updated first; one tenant's outbox, newest first (the admin's outbox page).
CREATE INDEX external_instances_by_update ON external_instances (tenant_key, update_time, instance_id, approval_code);
CREATE INDEX outbox_by_tenant ON outbox (tenant_key, id);
