INSERT INTO ads_sync.account_status AS a (platform, account_id, status, last_attempted_at, runs_attempted)
VALUES (%(platform)s, %(account_id)s, 'syncing', now(), 1)
ON CONFLICT (platform, account_id) DO UPDATE
SET status = 'syncing', last_attempted_at = now(), runs_attempted = a.runs_attempted + 1
