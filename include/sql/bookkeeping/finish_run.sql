UPDATE ads_sync.sync_runs
SET status = 'success', finished_at = now(), error = NULL,
    rows_inserted = %(inserted)s, rows_updated = %(updated)s,
    rows_unchanged = %(unchanged)s, rows_deleted = %(deleted)s,
    data_change = CASE WHEN %(inserted)s + %(updated)s + %(deleted)s > 0 THEN 'changed' ELSE 'no change' END
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
