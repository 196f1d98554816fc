UPDATE ads_sync.account_status
SET status = 'idle', last_completed_at = now(), last_error = NULL,
    last_changed_at = CASE WHEN %(changed)s THEN now() ELSE last_changed_at END,
    runs_with_changes = runs_with_changes + CASE WHEN %(changed)s THEN 1 ELSE 0 END
WHERE platform = %(platform)s AND account_id = %(account_id)s
