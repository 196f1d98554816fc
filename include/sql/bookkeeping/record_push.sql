-- The push of a run's summaries, recorded beside its load: a failed push leaves status = 'success'.
UPDATE ads_sync.sync_runs
SET push_status = %(push_status)s,
    push_error = %(push_error)s,
    pushed_at = CASE WHEN %(push_status)s IN ('success', 'skipped', 'failed') THEN now() END,
    -- the failure callback passes no count: the one execute() recorded stands
    push_requests = COALESCE(%(push_requests)s, push_requests)
WHERE dag_id = %(dag_id)s AND run_id = %(run_id)s
