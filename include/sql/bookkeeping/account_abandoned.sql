-- An account left 'syncing' by a run that ended without recording it: failed, with why.
UPDATE ads_sync.account_status
SET status = 'failed', last_error = %(error)s
WHERE platform = %(platform)s AND account_id = %(account_id)s AND status = 'syncing'
