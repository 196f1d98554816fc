-- Per account (given as parallel arrays with the first date wanted): the latest check of each date and
-- metric from that date on. An account's reconciliation state is this, not only its last run's window.
WITH registry AS (
    SELECT * FROM unnest(%(platforms)s::text[], %(account_ids)s::text[], %(since)s::date[])
         AS r (platform, account_id, since)
)
SELECT DISTINCT ON (r.platform, r.account_id, r.date, r.metric)
       r.platform, r.account_id, r.date, r.metric, r.platform_total, r.loaded_total, r.difference, r.state,
       r.checked_at
FROM ads_sync.reconciliation AS r
JOIN registry AS g USING (platform, account_id)
WHERE r.date >= g.since
ORDER BY r.platform, r.account_id, r.date, r.metric, r.checked_at DESC, r.id DESC
