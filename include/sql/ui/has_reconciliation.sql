-- Whether the reconciliation table exists yet (issue 10's migration): without it the UI says "not checked".
SELECT to_regclass('ads_sync.reconciliation') IS NOT NULL AS present
