-- The fingerprints of the days this merge wrote (changed days only: an unchanged re-sync writes none).
INSERT INTO ads_sync.day_hashes AS h (platform, account_id, report, date, rows, hash, load_id, loaded_at)
SELECT %(platform)s, %(account_id)s, %(report)s, t.date, t.rows, t.hash, %(load_id)s, now()
FROM unnest(%(dates)s::date[], %(rows)s::integer[], %(hashes)s::numeric[]) AS t(date, rows, hash)
ON CONFLICT (platform, account_id, report, date) DO UPDATE
SET rows = EXCLUDED.rows, hash = EXCLUDED.hash, load_id = EXCLUDED.load_id, loaded_at = EXCLUDED.loaded_at
