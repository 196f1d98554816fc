-- Ad group (Meta: ad set) facts of a load, summed from its staged ad-level facts.
INSERT INTO ads_staging.ad_group_daily
    (load_id, platform, account_id, date, ad_group_id, campaign_id,
     impressions, clicks, cost, conversions, conversion_value)
SELECT load_id, platform, account_id, date, ad_group_id, min(campaign_id),
       sum(impressions), sum(clicks), sum(cost), sum(conversions), sum(conversion_value)
FROM ads_staging.ad_daily
WHERE load_id = %(load_id)s
GROUP BY load_id, platform, account_id, date, ad_group_id
