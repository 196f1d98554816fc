-- Rows each platform's report loaded in the given runs (load ids 'dag_id/run_id'), from the coverage ledger.
SELECT platform, report, sum(rows)::bigint AS rows
FROM ads_sync.coverage
WHERE load_id = ANY(%(load_ids)s)
GROUP BY platform, report
