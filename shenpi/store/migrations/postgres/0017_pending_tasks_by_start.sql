-- shenpi schema, version 17: the reminder timer's index. The timer looks for tasks pending past their
-- definition's hours, in each tenant that has a reminder; a partial index of pending tasks by their start
-- keeps that walk as long as the overdue work, however many decided tasks the store holds.
CREATE INDEX tasks_pending_by_start ON tasks (tenant_key, start_time) WHERE status = 'PENDING';
