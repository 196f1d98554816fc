-- Issue 17: intraday runs (today so far, every 30 minutes or hourly), and partial days in the ledger.

ALTER TABLE ads_sync.sync_runs DROP CONSTRAINT sync_runs_kind_check;
ALTER TABLE ads_sync.sync_runs
    ADD CONSTRAINT sync_runs_kind_check CHECK (kind IN ('daily', 'weekly', 'force_sync', 'intraday'));
-- What the run did to the final tables: 'changed', or 'no change' (an intraday run that found today as it
-- was writes no row of ads.*, and the sync log says so). NULL until the run finished.
ALTER TABLE ads_sync.sync_runs
    ADD COLUMN data_change text CHECK (data_change IN ('changed', 'no change'));

-- A date loaded before it was over in the account's time zone is partial: the instant its numbers stand
-- for (an intraday run's slot). NULL: loaded complete. Freshness, gaps and settling count only complete
-- days; the next daily run reloads the date complete and clears it.
ALTER TABLE ads_sync.coverage ADD COLUMN partial_as_of timestamptz;
ALTER TABLE ads_sync.coverage_loads
    ADD COLUMN partial_as_of timestamptz,
    -- the load before this one was partial: the change is the rest of the day arriving, not a restatement
    ADD COLUMN previous_partial boolean NOT NULL DEFAULT false;

-- The history keeps complete loads only: an intraday account re-reads today 24 or 48 times a day, and
-- those reads say nothing about when a platform's numbers settle.
CREATE OR REPLACE FUNCTION ads_sync.record_coverage_load() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.partial_as_of IS NOT NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO ads_sync.coverage_loads
        (platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions,
         cost_change, conversions_change, previous_loaded_at, partial_as_of, previous_partial)
    VALUES
        (NEW.platform, NEW.account_id, NEW.report, NEW.date, NEW.loaded_at, NEW.load_id, NEW.rows, NEW.cost,
         NEW.conversions, NEW.cost_change, NEW.conversions_change,
         CASE WHEN TG_OP = 'UPDATE' THEN OLD.loaded_at END, NEW.partial_as_of,
         TG_OP = 'UPDATE' AND OLD.partial_as_of IS NOT NULL);
    RETURN NULL;
END
$$;
