INSERT INTO ads_sync.account_status AS a (platform, account_id, status, last_attempted_at, last_error)
VALUES (%(platform)s, %(account_id)s, 'disabled', now(), %(error)s)
ON CONFLICT (platform, account_id) DO UPDATE
SET status = 'disabled', last_error = EXCLUDED.last_error
