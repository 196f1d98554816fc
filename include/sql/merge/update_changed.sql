-- Step 2: only rows whose values changed, so an unchanged re-sync writes nothing.
UPDATE {final} AS f
SET ({values}) = ({s_values}), updated_at = now()
FROM {staging} AS s
WHERE {s_days}
  AND f.platform = %(platform)s
  AND f.account_id = %(account_id)s
  AND {key_match}
  AND ({f_values}) IS DISTINCT FROM ({s_values})
