-- Overview sheet: one row per account in the warehouse, with its sync status and the totals of its
-- last 7 complete days (each account's own yesterday, from its time zone and %(now)s).
WITH accounts AS (
    SELECT a.platform, a.account_id, a.name, a.currency,
           (%(now)s::timestamptz AT TIME ZONE a.timezone)::date - 1 AS as_of
    FROM ads.accounts AS a
)
SELECT a.platform, a.name, a.account_id, a.currency,
       coalesce(s.status, 'never synced') AS status,
       s.last_completed_at,
       coalesce(t.cost, 0) AS cost,
       coalesce(t.impressions, 0) AS impressions,
       coalesce(t.clicks, 0) AS clicks,
       coalesce(t.conversions, 0) AS conversions,
       coalesce(t.conversion_value, 0) AS conversion_value
FROM accounts AS a
LEFT JOIN ads_sync.account_status AS s USING (platform, account_id)
LEFT JOIN LATERAL (
    SELECT sum(f.cost) AS cost, sum(f.impressions) AS impressions, sum(f.clicks) AS clicks,
           sum(f.conversions) AS conversions, sum(f.conversion_value) AS conversion_value
    FROM ads.campaign_daily AS f
    WHERE f.platform = a.platform AND f.account_id = a.account_id
      AND f.date BETWEEN a.as_of - 6 AND a.as_of
) AS t ON true
ORDER BY a.platform, a.name, a.account_id
