-- The keyword report (008) gets the same guard as the other fact tables (006): a write outside a merge
-- forgets the table's day fingerprints, so the next load merges its whole window and repairs the edit.
CREATE TRIGGER day_hashes_guard AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ads.keyword_daily
FOR EACH STATEMENT EXECUTE FUNCTION ads_sync.forget_day_hashes();
