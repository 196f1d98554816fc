-- Issue 15: skip the days a re-sync did not change. Per account, report and date, a fingerprint of the
-- rows the final table holds for that day, as the last merge left them: written inside the merge's own
-- transaction, so it can never describe rows that were rolled back.
CREATE TABLE ads_sync.day_hashes (
    platform    text NOT NULL,
    account_id  text NOT NULL,
    report      text NOT NULL,
    date        date NOT NULL,
    rows        integer NOT NULL,
    -- sum of hash_record_extended(row, seed) over the day's rows (order-independent, exact numeric sum);
    -- the seed is derived from the report's column list, so a change of columns invalidates every hash
    hash        numeric NOT NULL,
    load_id     text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (platform, account_id, report, date)
);

-- A write to a fact table outside a merge (a hand-made DELETE or UPDATE, a TRUNCATE, a later migration)
-- would leave the fingerprints describing rows that are no longer there, and the next re-sync would
-- skip the very days that need repair. So any such statement forgets every fingerprint of that report:
-- the next load of each account merges its whole window and writes them afresh. The merge marks its
-- own statements with `SET LOCAL ads_sync.merging = 'on'`. Statement-level, so a million-row merge
-- pays one function call per statement, not one per row.
CREATE FUNCTION ads_sync.forget_day_hashes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('ads_sync.merging', true), '') <> 'on' THEN
        DELETE FROM ads_sync.day_hashes WHERE report = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER day_hashes_guard AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ads.campaign_daily
FOR EACH STATEMENT EXECUTE FUNCTION ads_sync.forget_day_hashes();
CREATE TRIGGER day_hashes_guard AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ads.ad_group_daily
FOR EACH STATEMENT EXECUTE FUNCTION ads_sync.forget_day_hashes();
CREATE TRIGGER day_hashes_guard AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ads.ad_daily
FOR EACH STATEMENT EXECUTE FUNCTION ads_sync.forget_day_hashes();
