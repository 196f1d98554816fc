-- Step 3: rows the final table does not have yet (its probe is bounded to the merged days, like the staged rows).
INSERT INTO {final} (platform, account_id, {columns})
SELECT %(platform)s, %(account_id)s, {s_columns}
FROM {staging} AS s
WHERE {s_days}
  AND NOT EXISTS (
      SELECT 1 FROM {final} AS f
      WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s AND {key_match}
  )
