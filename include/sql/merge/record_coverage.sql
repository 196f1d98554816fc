-- Every date of the window is covered by this run, including dates the API returned no rows for, and
-- including the days the merge skipped as unchanged (they were read and checked). The per-date figures
-- come from the merge's one pass over staging (day_states.sql). A date not over yet in the account's zone
-- at the window's as-of instant (an intraday run's slot; else now) is partial as of then.
INSERT INTO ads_sync.coverage AS c
    (platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions, partial_as_of)
SELECT %(platform)s, %(account_id)s, %(report)s, t.date, now(), %(load_id)s, t.rows, t.cost, t.conversions,
       CASE WHEN coalesce(%(as_of)s::timestamptz, now())
                 < ((t.date + 1)::timestamp AT TIME ZONE %(timezone)s)
            THEN coalesce(%(as_of)s::timestamptz, now()) END
FROM unnest(%(dates)s::date[], %(rows)s::integer[], %(costs)s::numeric[], %(conversions)s::numeric[])
     AS t(date, rows, cost, conversions)
ON CONFLICT (platform, account_id, report, date) DO UPDATE
SET loaded_at = EXCLUDED.loaded_at,
    load_id = EXCLUDED.load_id,
    rows = EXCLUDED.rows,
    cost = EXCLUDED.cost,
    conversions = EXCLUDED.conversions,
    cost_change = EXCLUDED.cost - c.cost,
    conversions_change = EXCLUDED.conversions - c.conversions,
    loads = c.loads + 1,
    partial_as_of = EXCLUDED.partial_as_of
