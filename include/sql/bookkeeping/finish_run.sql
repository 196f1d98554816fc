UPDATE ads_sync.sync_runs
SET status = 'success', finished_at = now(), error = NULL,
    rows_inserted = %(inserted)s, rows_updated = %(updated)s,
    rows_unchanged = %(unchanged)s, rows_deleted = %(deleted)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
