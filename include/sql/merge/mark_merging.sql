-- For the rest of the merge transaction: these writes to the fact tables are the merge's own, and it
-- stores the day fingerprints itself (the guard trigger of migration 006 forgets them on any other write).
SET LOCAL ads_sync.merging = 'on'
