-- The staging tables of one load (pattern `_<digest of its load id>$`, warehouse.staging_name) or of every
-- load (`_<16 hex digits>$`). Templates end in a report's name, never in 16 hex digits after an underscore.
SELECT c.relname
FROM pg_class AS c
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'ads_staging'
  AND c.relkind = 'r'
  AND c.relname ~ %(pattern)s
ORDER BY c.relname
