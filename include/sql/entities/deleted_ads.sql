-- Ads of an account the warehouse knows as DELETED: the account node no longer returns their numbers,
-- so a Meta load reads them by id for its window.
SELECT id FROM ads.ads
WHERE platform = %(platform)s AND account_id = %(account_id)s AND status = 'DELETED'
ORDER BY id
