-- For the rest of this transaction: one run at a time creates or migrates a custom report's tables (accounts
-- that share a definition share its table).
SELECT pg_advisory_xact_lock(hashtextextended('ads_custom:' || %(name)s, 0))
