-- For the rest of the merge transaction: joins between staging and final tables are bulk work, done by
-- hash or merge joins. A nested loop is only ever chosen on statistics that say "empty" (a final table
-- just truncated or created, staging before its ANALYZE), and then an anti-join rescans the pages its own
-- INSERT adds, once per staged row: hours for a million rows instead of seconds.
SET LOCAL enable_nestloop = off
