-- Summary sheet: an account's totals for yesterday, the last 7 and the last 30 days (all ending
-- %(as_of)s, the account's yesterday), each beside the period of the same length just before it.
-- loaded_days: the period's dates a successful load covered (ads_sync.coverage of campaign_daily); a
-- period not loaded whole has no totals to show (a gap is not zero spend).
WITH periods (period, position, days) AS (
    VALUES ('yesterday', 1, 1), ('last_7_days', 2, 7), ('last_30_days', 3, 30)
), ranges AS (
    SELECT p.period, p.position, w.which,
           %(as_of)s::date - p.days * w.shift - (p.days - 1) AS first_day,
           %(as_of)s::date - p.days * w.shift AS last_day
    FROM periods AS p
    CROSS JOIN (VALUES ('current', 0), ('previous', 1)) AS w (which, shift)
)
SELECT r.period, r.which, r.first_day, r.last_day,
       coalesce(sum(f.cost), 0) AS cost,
       coalesce(sum(f.impressions), 0) AS impressions,
       coalesce(sum(f.clicks), 0) AS clicks,
       coalesce(sum(f.conversions), 0) AS conversions,
       coalesce(sum(f.conversion_value), 0) AS conversion_value,
       (SELECT count(*) FROM ads_sync.coverage AS c
        WHERE c.platform = %(platform)s AND c.account_id = %(account_id)s AND c.report = 'campaign_daily'
          AND c.date BETWEEN r.first_day AND r.last_day) AS loaded_days,
       r.last_day - r.first_day + 1 AS days
FROM ranges AS r
LEFT JOIN ads.campaign_daily AS f
       ON f.platform = %(platform)s AND f.account_id = %(account_id)s
      AND f.date BETWEEN r.first_day AND r.last_day
GROUP BY r.period, r.position, r.which, r.first_day, r.last_day
ORDER BY r.position, r.which
