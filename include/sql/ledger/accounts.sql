-- Per registry account: its sync status, the newest date every one of its reports has loaded, the
-- rows its latest loads delivered, and the outcome of its latest finished push. A partial date (loaded
-- before it was over: intraday) is not a complete one, so it never makes an account look fresher.
WITH registry AS (
    SELECT * FROM unnest(%(platforms)s::text[], %(account_ids)s::text[]) AS r (platform, account_id)
), per_report AS (
    SELECT c.platform, c.account_id, c.report, max(c.date) FILTER (WHERE c.partial_as_of IS NULL) AS last_date,
           sum(c.rows) AS rows
    FROM ads_sync.coverage AS c
    JOIN registry USING (platform, account_id)
    GROUP BY c.platform, c.account_id, c.report
), loaded AS (
    SELECT platform, account_id, min(last_date) AS last_date, sum(rows) AS rows
    FROM per_report
    GROUP BY platform, account_id
), last_push AS (
    SELECT DISTINCT ON (r.platform, r.account_id) r.platform, r.account_id, r.push_status, r.push_error
    FROM ads_sync.sync_runs AS r
    JOIN registry USING (platform, account_id)
    WHERE r.push_status IN ('success', 'skipped', 'failed')
    ORDER BY r.platform, r.account_id, r.pushed_at DESC, r.id DESC
)
SELECT g.platform, g.account_id,
       s.status, s.last_completed_at, s.last_error,
       l.last_date, coalesce(l.rows, 0) AS rows,
       p.push_status, p.push_error
FROM registry AS g
LEFT JOIN ads_sync.account_status AS s USING (platform, account_id)
LEFT JOIN loaded AS l USING (platform, account_id)
LEFT JOIN last_push AS p USING (platform, account_id)
