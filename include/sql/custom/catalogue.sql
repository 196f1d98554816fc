-- What the custom report's table was last declared with; changed_at moves only when that changed.
INSERT INTO ads_sync.ads_custom_tables AS t (name, platform, columns, key)
VALUES (%(name)s, %(platform)s, %(columns)s, %(key)s)
ON CONFLICT (name) DO UPDATE
SET platform = EXCLUDED.platform, columns = EXCLUDED.columns, key = EXCLUDED.key, changed_at = now()
WHERE (t.platform, t.columns, t.key) IS DISTINCT FROM (EXCLUDED.platform, EXCLUDED.columns, EXCLUDED.key)
