UPDATE ads_sync.sync_runs
SET status = 'skipped', finished_at = now(), error = %(error)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
