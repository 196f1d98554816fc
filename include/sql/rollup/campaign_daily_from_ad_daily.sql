-- Campaign facts of a load, summed from its staged ad-level facts (Meta reports by ad; {source}: the
-- load's ad_daily staging table, {target}: its campaign_daily one).
INSERT INTO {target}
    (date, campaign_id, impressions, clicks, cost, conversions, conversion_value)
SELECT date, campaign_id,
       sum(impressions), sum(clicks), sum(cost), sum(conversions), sum(conversion_value)
FROM {source}
GROUP BY date, campaign_id
