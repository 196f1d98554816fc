INSERT INTO ads_sync.account_status AS a (platform, account_id, status, last_attempted_at, last_error)
VALUES (%(platform)s, %(account_id)s, %(status)s, now(), %(error)s)
ON CONFLICT (platform, account_id) DO UPDATE
SET status = EXCLUDED.status, last_error = EXCLUDED.last_error
