-- After a large insert or delete, so the next merge of this table plans with its real size (any ANALYZE
-- updates the table's row and page counts) and with its key columns' distribution, which is all the merge
-- joins on. Only those columns: on a 1M-row table 0.12-0.15 s against 0.20-0.27 s for every column
-- (PostgreSQL 15, a first load's shape), and autovacuum's own analyze still covers every column for other
-- queries.
ANALYZE {final} (platform, account_id, {keys})
