-- An intraday account's today so far (issue 17): its totals on %(today)s and the instant they stand for
-- (the oldest partial report's as-of; NULL when the day has no partial load).
SELECT %(today)s::date AS first_day, %(today)s::date AS last_day,
       coalesce(sum(f.cost), 0) AS cost,
       coalesce(sum(f.impressions), 0) AS impressions,
       coalesce(sum(f.clicks), 0) AS clicks,
       coalesce(sum(f.conversions), 0) AS conversions,
       coalesce(sum(f.conversion_value), 0) AS conversion_value,
       (SELECT min(c.partial_as_of) FROM ads_sync.coverage AS c
        WHERE c.platform = %(platform)s AND c.account_id = %(account_id)s AND c.date = %(today)s::date
          AND c.partial_as_of IS NOT NULL) AS partial_as_of
FROM ads.campaign_daily AS f
WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s AND f.date = %(today)s::date
