-- Remember what was told (or, for a first healthy sight, that there is nothing to tell).
INSERT INTO ads_sync.notification_state (platform, account_id, topic, state, since, message, notified_at)
VALUES (%(platform)s, %(account_id)s, %(topic)s, %(state)s, %(since)s, %(message)s, %(notified)s)
ON CONFLICT (platform, account_id, topic) DO UPDATE
SET state = EXCLUDED.state, since = EXCLUDED.since, message = EXCLUDED.message, notified_at = EXCLUDED.notified_at
