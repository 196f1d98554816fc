-- Ad group (Meta: ad set) facts of a load, summed from its staged ad-level facts ({source}: the load's
-- ad_daily staging table, {target}: its ad_group_daily one).
INSERT INTO {target}
    (date, ad_group_id, campaign_id, impressions, clicks, cost, conversions, conversion_value)
SELECT date, ad_group_id, min(campaign_id),
       sum(impressions), sum(clicks), sum(cost), sum(conversions), sum(conversion_value)
FROM {source}
GROUP BY date, ad_group_id
