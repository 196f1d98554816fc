-- Restatements of one account: every re-read that moved a date's cost or conversions, oldest first.
SELECT l.report, l.date, l.loaded_at, l.load_id,
       (l.loaded_at AT TIME ZONE a.timezone)::date - l.date AS age,
       l.cost_change, l.conversions_change
FROM ads_sync.coverage_loads AS l
JOIN ads.accounts AS a USING (platform, account_id)
WHERE l.platform = %(platform)s AND l.account_id = %(account_id)s
  AND (l.cost_change <> 0 OR l.conversions_change <> 0)
  AND NOT l.previous_partial  -- a partial day completed is not a restatement
ORDER BY l.date, l.report, l.loaded_at
