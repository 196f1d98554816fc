-- One check of one date and metric of a run (kept: the history is what settling is read from).
INSERT INTO ads_sync.reconciliation
    (platform, account_id, date, metric, platform_total, loaded_total, difference, state, dag_id, run_id, checked_at)
VALUES
    (%(platform)s, %(account_id)s, %(date)s, %(metric)s, %(platform_total)s, %(loaded_total)s, %(difference)s,
     %(state)s, %(dag_id)s, %(run_id)s, %(checked_at)s)
