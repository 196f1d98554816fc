-- Daily, weekly and force-sync runs of one account never interleave their merges.
SELECT pg_advisory_xact_lock(hashtextextended(%(platform)s || ':' || %(account_id)s, 0))
