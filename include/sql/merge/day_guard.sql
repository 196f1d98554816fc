-- Whether the fact table forgets its day fingerprints when written outside a merge (migration 006): only
-- then may a merge trust them and skip days.
SELECT EXISTS (
    SELECT 1 FROM pg_trigger WHERE tgrelid = %(table)s::regclass AND tgname = 'day_hashes_guard' AND tgenabled <> 'D'
)
