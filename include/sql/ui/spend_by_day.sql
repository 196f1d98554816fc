-- The UI's spend chart: one account's cost per date from the final tables, only for dates that are
-- loaded (a date with no row here is drawn as "no data", never as zero).
SELECT f.date, sum(f.cost) AS cost
FROM ads.campaign_daily AS f
WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s
  AND f.date BETWEEN %(first)s AND %(last)s
GROUP BY f.date
ORDER BY f.date
