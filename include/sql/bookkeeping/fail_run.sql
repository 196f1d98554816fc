UPDATE ads_sync.sync_runs
SET status = %(status)s, finished_at = CASE WHEN %(status)s = 'failed' THEN now() END, error = %(error)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
