-- One delivery attempt through one channel; error is null when it was delivered.
INSERT INTO ads_sync.notifications_sent (platform, account_id, topic, state, kind, channel, subject, error)
VALUES (%(platform)s, %(account_id)s, %(topic)s, %(state)s, %(kind)s, %(channel)s, %(subject)s, %(error)s)
