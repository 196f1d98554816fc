-- The account's runs the sync log still calls running or retrying, other than the one starting now:
-- candidates for the sweep, which asks Airflow whether each is still alive.
SELECT dag_id, run_id, status, started_at
FROM ads_sync.sync_runs
WHERE platform = %(platform)s AND account_id = %(account_id)s
  AND status IN ('running', 'retrying')
  AND NOT (dag_id = %(dag_id)s AND run_id = %(run_id)s)
ORDER BY started_at
