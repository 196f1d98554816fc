-- Issue 13: Google Ads' opt-in ad and keyword reports. Ad rows land in ads.ads / ads.ad_daily (002, shared
-- with Meta; a Google load leaves Meta's reach and frequency null). Keywords get their own tables:
-- Google's criterion ids are shared by every ad group with the same text and match type, so a keyword
-- is (ad group, criterion id), and the ad group is part of both keys.

CREATE TABLE ads.keywords (
    platform     text NOT NULL,
    account_id   text NOT NULL,
    ad_group_id  text NOT NULL,
    id           text NOT NULL,           -- the criterion id
    campaign_id  text NOT NULL,
    text         text,
    match_type   text,                    -- EXACT, PHRASE, BROAD
    status       text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, ad_group_id, id)
);

CREATE TABLE ads.keyword_daily (
    platform          text NOT NULL,
    account_id        text NOT NULL,
    date              date NOT NULL,
    ad_group_id       text NOT NULL,
    keyword_id        text NOT NULL,
    campaign_id       text NOT NULL,
    impressions       bigint NOT NULL,
    clicks            bigint NOT NULL,
    cost              numeric(20, 6) NOT NULL,
    conversions       numeric(20, 6) NOT NULL,
    conversion_value  numeric(20, 6) NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, date, ad_group_id, keyword_id)
);

CREATE UNLOGGED TABLE ads_staging.keywords (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    ad_group_id text NOT NULL, id text NOT NULL, campaign_id text NOT NULL,
    text text, match_type text, status text
);
CREATE UNLOGGED TABLE ads_staging.keyword_daily (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    date date NOT NULL, ad_group_id text NOT NULL, keyword_id text NOT NULL, campaign_id text NOT NULL,
    impressions bigint NOT NULL, clicks bigint NOT NULL, cost numeric(20, 6) NOT NULL,
    conversions numeric(20, 6) NOT NULL, conversion_value numeric(20, 6) NOT NULL
);
CREATE INDEX ON ads_staging.keywords (load_id);
CREATE INDEX ON ads_staging.keyword_daily (load_id);
