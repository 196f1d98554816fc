-- For an intraday run's push decision: when the account's spreadsheet was last pushed successfully (by
-- any of its runs), and whether any run of the account changed data since then.
WITH pushed AS (
    SELECT max(r.pushed_at) AS at
    FROM ads_sync.sync_runs AS r
    WHERE r.platform = %(platform)s AND r.account_id = %(account_id)s AND r.push_status = 'success'
)
SELECT p.at AS last_pushed_at,
       EXISTS (
           SELECT 1 FROM ads_sync.sync_runs AS r
           WHERE r.platform = %(platform)s AND r.account_id = %(account_id)s
             AND r.status = 'success' AND r.data_change = 'changed'
             AND (p.at IS NULL OR r.finished_at > p.at)
       ) AS changed_since
FROM pushed AS p
