UPDATE ads_sync.sync_runs
SET api_requests = %(api_requests)s, rows_extracted = %(rows_extracted)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
