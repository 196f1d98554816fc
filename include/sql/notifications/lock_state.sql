-- The state last told for one account and topic, locked until the caller's transaction ends.
SELECT state, since FROM ads_sync.notification_state
WHERE platform = %(platform)s AND account_id = %(account_id)s AND topic = %(topic)s
FOR UPDATE
