-- A load's own staging table, shaped like the report's template. Never autovacuumed or analyzed: it lives
-- for one load, and an autovacuum worker on it would hold the lock the merge's DROP TABLE needs.
CREATE UNLOGGED TABLE IF NOT EXISTS {staging} (LIKE {template})
WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false)
