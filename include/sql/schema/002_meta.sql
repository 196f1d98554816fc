-- Issue 3: Meta Ads. Ads and ad-level facts (Meta reports by ad; campaign and ad set facts are rolled up
-- from them into ads.campaign_daily and ads.ad_group_daily), and budgets where a platform gives them.

-- Budgets in the account's currency; null where the entity has none (Meta: the campaign's or the ad
-- set's, never both; Google Ads loads leave these columns alone). updated_at is dropped and added
-- back so that it stays the last column of every final table, as in 001 (existing rows get now()).
ALTER TABLE ads.campaigns
    DROP COLUMN updated_at,
    ADD COLUMN daily_budget    numeric(20, 6),
    ADD COLUMN lifetime_budget numeric(20, 6),
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
ALTER TABLE ads.ad_groups
    DROP COLUMN updated_at,
    ADD COLUMN daily_budget    numeric(20, 6),
    ADD COLUMN lifetime_budget numeric(20, 6),
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
ALTER TABLE ads_staging.campaigns
    ADD COLUMN daily_budget    numeric(20, 6),
    ADD COLUMN lifetime_budget numeric(20, 6);
ALTER TABLE ads_staging.ad_groups
    ADD COLUMN daily_budget    numeric(20, 6),
    ADD COLUMN lifetime_budget numeric(20, 6);

CREATE TABLE ads.ads (
    platform     text NOT NULL,
    account_id   text NOT NULL,
    id           text NOT NULL,
    ad_group_id  text NOT NULL,
    campaign_id  text NOT NULL,
    name         text,
    status       text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, id)
);

-- reach and frequency: Meta's extras, not additive (people reached twice count once), so ad level only.
CREATE TABLE ads.ad_daily (
    platform          text NOT NULL,
    account_id        text NOT NULL,
    date              date NOT NULL,
    ad_id             text NOT NULL,
    ad_group_id       text NOT NULL,
    campaign_id       text NOT NULL,
    impressions       bigint NOT NULL,
    clicks            bigint NOT NULL,
    cost              numeric(20, 6) NOT NULL,
    conversions       numeric(20, 6) NOT NULL,
    conversion_value  numeric(20, 6) NOT NULL,
    reach             bigint,
    frequency         numeric(20, 6),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, date, ad_id)
);

CREATE UNLOGGED TABLE ads_staging.ads (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    id text NOT NULL, ad_group_id text NOT NULL, campaign_id text NOT NULL, name text, status text
);
CREATE UNLOGGED TABLE ads_staging.ad_daily (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    date date NOT NULL, ad_id text NOT NULL, ad_group_id text NOT NULL, campaign_id text NOT NULL,
    impressions bigint NOT NULL, clicks bigint NOT NULL, cost numeric(20, 6) NOT NULL,
    conversions numeric(20, 6) NOT NULL, conversion_value numeric(20, 6) NOT NULL,
    reach bigint, frequency numeric(20, 6)
);
CREATE INDEX ON ads_staging.ads (load_id);
CREATE INDEX ON ads_staging.ad_daily (load_id);
