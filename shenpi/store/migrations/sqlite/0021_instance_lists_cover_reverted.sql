-- shenpi schema, version 21: nothing changes on SQLite (the version keeps the two dialects' numbers aligned).
-- PostgreSQL's instance indexes take the reverted flag at this version so a list's count reads the index alone.
-- SQLite keeps its indexes: the store runs no ANALYZE, and without statistics SQLite's planner prefers any
-- covering index that starts with the tenant over the right one, to the point of walking a tenant's instances
-- once per task a task list joins. Its counts already stop at the cap on an index of the list's filter.
SELECT 1;
