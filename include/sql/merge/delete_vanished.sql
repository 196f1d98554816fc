-- Window replace, step 1: rows of the window's merged days that the API no longer returns.
DELETE FROM {final} AS f
WHERE f.platform = %(platform)s
  AND f.account_id = %(account_id)s
  AND {f_days}
  AND NOT EXISTS (
      SELECT 1 FROM {staging} AS s
      WHERE {key_match}
  )
