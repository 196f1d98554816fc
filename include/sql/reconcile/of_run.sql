-- Every check one run recorded.
SELECT platform, account_id, date, metric, platform_total, loaded_total, difference, state, checked_at
FROM ads_sync.reconciliation
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
ORDER BY date, metric
