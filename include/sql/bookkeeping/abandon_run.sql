-- A run whose Airflow run ended without recording its end (worker killed, deferral timed out, trigger failed).
UPDATE ads_sync.sync_runs
SET status = 'failed', finished_at = now(), error = %(error)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s AND status IN ('running', 'retrying')
