-- Issue 11: a run the platform refuses because the account is cancelled or suspended is skipped, not failed,
-- and the account says so.
ALTER TABLE ads_sync.sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE ads_sync.sync_runs
    ADD CONSTRAINT sync_runs_status_check CHECK (status IN ('running', 'retrying', 'success', 'failed', 'skipped'));

ALTER TABLE ads_sync.account_status DROP CONSTRAINT account_status_status_check;
ALTER TABLE ads_sync.account_status
    ADD CONSTRAINT account_status_status_check
    CHECK (status IN ('idle', 'syncing', 'failed', 'auth_failed', 'disabled'));
