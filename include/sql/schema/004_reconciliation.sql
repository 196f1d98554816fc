-- Issue 10: every load checked against the platform's own account-level daily totals.
-- One row per (run, date, metric): what the platform said, what ads.campaign_daily held after the merge,
-- the difference and the verdict. Kept as history (never updated), so the ledger can tell when a
-- platform's own totals stop moving. Owned by plugins/ads_sync/reconcile.py.
CREATE TABLE ads_sync.reconciliation (
    id              bigserial PRIMARY KEY,
    platform        text NOT NULL,
    account_id      text NOT NULL,
    date            date NOT NULL,
    metric          text NOT NULL CHECK (metric IN ('cost', 'impressions', 'clicks', 'conversions', 'conversion_value')),
    platform_total  numeric(24, 6) NOT NULL,
    loaded_total    numeric(24, 6) NOT NULL,
    difference      numeric(24, 6) NOT NULL,     -- loaded_total - platform_total
    -- partial: the date is today or later in the account's time zone (still delivering), never a mismatch
    state           text NOT NULL CHECK (state IN ('match', 'mismatch', 'partial')),
    dag_id          text NOT NULL,
    run_id          text NOT NULL,
    checked_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON ads_sync.reconciliation (platform, account_id, date, metric, checked_at DESC);
CREATE INDEX ON ads_sync.reconciliation (dag_id, run_id);
