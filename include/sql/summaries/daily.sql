-- Daily sheet: the 90 days ending %(as_of)s, one row per loaded date, oldest first (ready to chart).
SELECT f.date,
       sum(f.cost) AS cost,
       sum(f.impressions) AS impressions,
       sum(f.clicks) AS clicks,
       sum(f.conversions) AS conversions,
       sum(f.conversion_value) AS conversion_value
FROM ads.campaign_daily AS f
WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s
  AND f.date BETWEEN %(as_of)s::date - 89 AND %(as_of)s::date
GROUP BY f.date
ORDER BY f.date
