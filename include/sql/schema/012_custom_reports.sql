-- Issue 13: custom reports. Each lands in its own table ads_custom.<name>, created at run time from its
-- declaration (the registry's query or fields and the API's field metadata), so it has no migration of
-- its own; this creates their schema, the catalogue of what each table was declared with, and what the
-- ledger and the day fingerprints need to treat them like the built-in reports.
CREATE SCHEMA IF NOT EXISTS ads_custom;

-- One row per custom table: what the last run that ensured it declared. The table itself (its columns in
-- information_schema, its primary key) is what a changed declaration is compared with; this says when and
-- as what, for people and the UI.
CREATE TABLE ads_sync.ads_custom_tables (
    name        text PRIMARY KEY,          -- the report's name: ads_custom.<name>, `custom:<name>` in the ledger
    platform    text NOT NULL,
    columns     jsonb NOT NULL,            -- [{"name", "sql_type", "key", "source"}, ...] in table order
    key         text[] NOT NULL,           -- the key after (platform, account_id)
    created_at  timestamptz NOT NULL DEFAULT now(),
    changed_at  timestamptz NOT NULL DEFAULT now()
);

-- A custom report has no cost (or conversions) unless it selects one: the ledger records null then, never
-- a zero that would read as "no spend".
ALTER TABLE ads_sync.coverage ALTER COLUMN cost DROP NOT NULL, ALTER COLUMN conversions DROP NOT NULL;
ALTER TABLE ads_sync.coverage_loads ALTER COLUMN cost DROP NOT NULL, ALTER COLUMN conversions DROP NOT NULL;

-- The guard of migration 006 for custom tables: their report is `custom:<table>` in ads_sync.day_hashes.
CREATE FUNCTION ads_sync.forget_custom_day_hashes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('ads_sync.merging', true), '') <> 'on' THEN
        DELETE FROM ads_sync.day_hashes WHERE report = 'custom:' || TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END
$$;
