-- One row per account a discovery reported (new, changed, gone, apart), tagged with the run.
INSERT INTO ads_sync.discovered_accounts
    (run_id, platform, root, account_id, change, name, timezone, currency, status, login_customer_id, details)
VALUES (%(run_id)s, %(platform)s, %(root)s, %(account_id)s, %(change)s, %(name)s, %(timezone)s, %(currency)s,
        %(status)s, %(login_customer_id)s, %(details)s)
