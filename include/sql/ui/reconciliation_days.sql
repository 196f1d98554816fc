-- Per registry account and date of the last %(days)s days: the verdict of the latest check of each
-- metric, summed up per date: 'mismatch' if any metric's latest check differed, else 'match' or 'partial'.
WITH registry AS (
    SELECT * FROM unnest(%(platforms)s::text[], %(account_ids)s::text[]) AS r (platform, account_id)
), latest AS (
    SELECT DISTINCT ON (x.platform, x.account_id, x.date, x.metric)
           x.platform, x.account_id, x.date, x.metric, x.state, x.checked_at
    FROM ads_sync.reconciliation AS x
    JOIN registry USING (platform, account_id)
    WHERE x.date > current_date - %(days)s
    ORDER BY x.platform, x.account_id, x.date, x.metric, x.checked_at DESC, x.id DESC
)
SELECT platform, account_id, date,
       CASE WHEN bool_or(state = 'mismatch') THEN 'mismatch'
            WHEN bool_and(state = 'match') THEN 'match'
            ELSE 'partial' END AS state,
       max(checked_at) AS checked_at
FROM latest
GROUP BY platform, account_id, date
ORDER BY platform, account_id, date
