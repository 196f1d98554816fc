-- The UI's run list: one account's latest %(limit)s runs from the sync log, newest first.
SELECT r.dag_id, r.run_id, r.kind, r.run_type, r.window_start, r.window_end, r.status,
       r.started_at, r.finished_at, r.finished_at - r.started_at AS duration,
       r.api_requests, r.rows_extracted,
       r.rows_inserted + r.rows_updated + r.rows_deleted AS rows_changed,
       r.data_change, r.error
FROM ads_sync.sync_runs AS r
WHERE r.platform = %(platform)s AND r.account_id = %(account_id)s
ORDER BY r.started_at DESC, r.id DESC
LIMIT %(limit)s
