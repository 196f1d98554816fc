-- Issue 4: the push of summaries to Google Sheets, and the history the ledger computes settling from.

-- A run's load and its push are recorded apart: a Sheets failure leaves status = 'success' (the merge
-- is committed) and says push_status = 'failed' with the error. NULL: no push attempted yet.
ALTER TABLE ads_sync.sync_runs
    ADD COLUMN push_status   text CHECK (push_status IN ('running', 'retrying', 'success', 'skipped', 'failed')),
    ADD COLUMN push_error    text,
    ADD COLUMN pushed_at     timestamptz,
    ADD COLUMN push_requests integer;

-- ads_sync.coverage keeps only the latest load of each date; this keeps every load, so "how old is a
-- day when re-reads stop changing it" can be answered. Filled by a trigger on coverage, so the merge
-- (which writes coverage) needs no change and cannot forget it.
CREATE TABLE ads_sync.coverage_loads (
    id                  bigserial PRIMARY KEY,
    platform            text NOT NULL,
    account_id          text NOT NULL,
    report              text NOT NULL,
    date                date NOT NULL,
    loaded_at           timestamptz NOT NULL,
    load_id             text NOT NULL,
    rows                integer NOT NULL,
    cost                numeric(20, 6) NOT NULL,
    conversions         numeric(20, 6) NOT NULL,
    cost_change         numeric(20, 6),      -- null on the first load of the date
    conversions_change  numeric(20, 6),
    previous_loaded_at  timestamptz
);
CREATE INDEX ON ads_sync.coverage_loads (platform, loaded_at);
CREATE INDEX ON ads_sync.coverage_loads (platform, account_id, report, date);

CREATE FUNCTION ads_sync.record_coverage_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ads_sync.coverage_loads
        (platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions,
         cost_change, conversions_change, previous_loaded_at)
    VALUES
        (NEW.platform, NEW.account_id, NEW.report, NEW.date, NEW.loaded_at, NEW.load_id, NEW.rows, NEW.cost,
         NEW.conversions, NEW.cost_change, NEW.conversions_change,
         CASE WHEN TG_OP = 'UPDATE' THEN OLD.loaded_at END);
    RETURN NULL;
END
$$;

CREATE TRIGGER coverage_loads_history
AFTER INSERT OR UPDATE ON ads_sync.coverage
FOR EACH ROW EXECUTE FUNCTION ads_sync.record_coverage_load();

-- Loads made before this migration: their latest state is all that is known.
INSERT INTO ads_sync.coverage_loads
    (platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions, cost_change, conversions_change)
SELECT platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions, cost_change, conversions_change
FROM ads_sync.coverage;
