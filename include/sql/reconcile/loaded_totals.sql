-- What the warehouse holds for an account per date of a window, summed over its campaigns: the side of
-- a reconciliation that is ours. Columns in reconcile.METRICS order.
SELECT date, sum(impressions), sum(clicks), sum(cost), sum(conversions), sum(conversion_value)
FROM ads.campaign_daily
WHERE platform = %(platform)s AND account_id = %(account_id)s AND date BETWEEN %(start)s AND %(end)s
GROUP BY date
ORDER BY date
