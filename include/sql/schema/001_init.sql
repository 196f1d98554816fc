-- ads-sync warehouse: final tables (ads), staging (ads_staging), bookkeeping (ads_sync).
CREATE SCHEMA IF NOT EXISTS ads;
CREATE SCHEMA IF NOT EXISTS ads_staging;
CREATE SCHEMA IF NOT EXISTS ads_sync;

CREATE TABLE ads.accounts (
    platform    text NOT NULL,
    account_id  text NOT NULL,
    name        text NOT NULL,
    timezone    text NOT NULL,
    currency    char(3) NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id)
);

CREATE TABLE ads.campaigns (
    platform    text NOT NULL,
    account_id  text NOT NULL,
    id          text NOT NULL,
    name        text,
    status      text,
    channel     text,          -- Google advertising_channel_type, Meta objective
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, id)
);

CREATE TABLE ads.ad_groups (        -- Google ad groups and Meta ad sets
    platform    text NOT NULL,
    account_id  text NOT NULL,
    id          text NOT NULL,
    campaign_id text NOT NULL,
    name        text,
    status      text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, id)
);

-- Facts: one unified set across platforms; cost in the account's currency (ads.accounts.currency).
CREATE TABLE ads.campaign_daily (
    platform          text NOT NULL,
    account_id        text NOT NULL,
    date              date NOT NULL,
    campaign_id       text NOT NULL,
    impressions       bigint NOT NULL,
    clicks            bigint NOT NULL,
    cost              numeric(20, 6) NOT NULL,
    conversions       numeric(20, 6) NOT NULL,
    conversion_value  numeric(20, 6) NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, date, campaign_id)
);

CREATE TABLE ads.ad_group_daily (
    platform          text NOT NULL,
    account_id        text NOT NULL,
    date              date NOT NULL,
    ad_group_id       text NOT NULL,
    campaign_id       text NOT NULL,
    impressions       bigint NOT NULL,
    clicks            bigint NOT NULL,
    cost              numeric(20, 6) NOT NULL,
    conversions       numeric(20, 6) NOT NULL,
    conversion_value  numeric(20, 6) NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, date, ad_group_id)
);

-- Staging: UNLOGGED (rebuilt from the API on any crash), rows tagged with the Airflow run that loaded them.
CREATE UNLOGGED TABLE ads_staging.campaigns (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    id text NOT NULL, name text, status text, channel text
);
CREATE UNLOGGED TABLE ads_staging.ad_groups (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    id text NOT NULL, campaign_id text NOT NULL, name text, status text
);
CREATE UNLOGGED TABLE ads_staging.campaign_daily (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    date date NOT NULL, campaign_id text NOT NULL,
    impressions bigint NOT NULL, clicks bigint NOT NULL, cost numeric(20, 6) NOT NULL,
    conversions numeric(20, 6) NOT NULL, conversion_value numeric(20, 6) NOT NULL
);
CREATE UNLOGGED TABLE ads_staging.ad_group_daily (
    load_id text NOT NULL, platform text NOT NULL, account_id text NOT NULL,
    date date NOT NULL, ad_group_id text NOT NULL, campaign_id text NOT NULL,
    impressions bigint NOT NULL, clicks bigint NOT NULL, cost numeric(20, 6) NOT NULL,
    conversions numeric(20, 6) NOT NULL, conversion_value numeric(20, 6) NOT NULL
);
CREATE INDEX ON ads_staging.campaigns (load_id);
CREATE INDEX ON ads_staging.ad_groups (load_id);
CREATE INDEX ON ads_staging.campaign_daily (load_id);
CREATE INDEX ON ads_staging.ad_group_daily (load_id);

CREATE TABLE ads_sync.sync_runs (
    id               bigserial PRIMARY KEY,
    dag_id           text NOT NULL,
    run_id           text NOT NULL,
    run_type         text NOT NULL,
    platform         text NOT NULL,
    account_id       text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('daily', 'weekly', 'force_sync')),
    window_start     date NOT NULL,
    window_end       date NOT NULL,
    status           text NOT NULL CHECK (status IN ('running', 'retrying', 'success', 'failed')),
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    api_requests     integer NOT NULL DEFAULT 0,
    rows_extracted   bigint NOT NULL DEFAULT 0,
    rows_inserted    bigint NOT NULL DEFAULT 0,
    rows_updated     bigint NOT NULL DEFAULT 0,
    rows_unchanged   bigint NOT NULL DEFAULT 0,
    rows_deleted     bigint NOT NULL DEFAULT 0,
    error            text,
    UNIQUE (dag_id, run_id)
);
CREATE INDEX ON ads_sync.sync_runs (platform, account_id, started_at DESC);

CREATE TABLE ads_sync.account_status (
    platform             text NOT NULL,
    account_id           text NOT NULL,
    status               text NOT NULL CHECK (status IN ('idle', 'syncing', 'failed', 'auth_failed')),
    last_attempted_at    timestamptz,
    last_completed_at    timestamptz,
    last_changed_at      timestamptz,
    runs_attempted       bigint NOT NULL DEFAULT 0,
    runs_with_changes    bigint NOT NULL DEFAULT 0,
    last_error           text,
    PRIMARY KEY (platform, account_id)
);

-- What is loaded: per account, report and date, the last successful load and how much it moved the day.
CREATE TABLE ads_sync.coverage (
    platform            text NOT NULL,
    account_id          text NOT NULL,
    report              text NOT NULL,
    date                date NOT NULL,
    loaded_at           timestamptz NOT NULL,
    load_id             text NOT NULL,      -- dag_id/run_id of the load
    rows                integer NOT NULL,
    cost                numeric(20, 6) NOT NULL,
    conversions         numeric(20, 6) NOT NULL,
    cost_change         numeric(20, 6),      -- null on the first load of the date
    conversions_change  numeric(20, 6),
    loads               integer NOT NULL DEFAULT 1,
    PRIMARY KEY (platform, account_id, report, date)
);
