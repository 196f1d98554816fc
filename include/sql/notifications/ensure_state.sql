-- A first sight of an account and topic starts as "ok", so the row exists to be locked (two DAGs of one
-- account finishing together then decide one after the other, and send one message).
INSERT INTO ads_sync.notification_state (platform, account_id, topic, state, since)
VALUES (%(platform)s, %(account_id)s, %(topic)s, 'ok', %(since)s)
ON CONFLICT (platform, account_id, topic) DO NOTHING
