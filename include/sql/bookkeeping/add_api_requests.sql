-- Requests a task made after the extract (the reconciliation's), added to the run's count.
UPDATE ads_sync.sync_runs
SET api_requests = api_requests + %(api_requests)s
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
