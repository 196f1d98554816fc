-- Campaigns sheet: the last 30 days (ending %(as_of)s) by campaign, biggest spend first.
SELECT f.campaign_id,
       coalesce(c.name, f.campaign_id) AS name,
       c.status,
       sum(f.cost) AS cost,
       sum(f.impressions) AS impressions,
       sum(f.clicks) AS clicks,
       sum(f.conversions) AS conversions,
       sum(f.conversion_value) AS conversion_value
FROM ads.campaign_daily AS f
LEFT JOIN ads.campaigns AS c
       ON c.platform = f.platform AND c.account_id = f.account_id AND c.id = f.campaign_id
WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s
  AND f.date BETWEEN %(as_of)s::date - 29 AND %(as_of)s::date
GROUP BY f.campaign_id, c.name, c.status
ORDER BY sum(f.cost) DESC, f.campaign_id
