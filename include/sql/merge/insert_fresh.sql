-- Step 3 when the window held no final rows before this merge (a first load): every staged row is new, so
-- no anti-join; the primary key refuses a key staged twice (the merge then names it, see find_duplicate).
INSERT INTO {final} (platform, account_id, {columns})
SELECT %(platform)s, %(account_id)s, {s_columns}
FROM {staging} AS s
WHERE {s_days}
