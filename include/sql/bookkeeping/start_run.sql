INSERT INTO ads_sync.sync_runs
    (dag_id, run_id, run_type, platform, account_id, kind, window_start, window_end, status)
VALUES (%(dag_id)s, %(run_id)s, %(run_type)s, %(platform)s, %(account_id)s, %(kind)s, %(start)s, %(end)s, 'running')
ON CONFLICT (dag_id, run_id) DO UPDATE
SET window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, status = 'running',
    started_at = now(), finished_at = NULL, error = NULL,
    api_requests = 0, rows_extracted = 0,
    rows_inserted = 0, rows_updated = 0, rows_unchanged = 0, rows_deleted = 0, data_change = NULL
