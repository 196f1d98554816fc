-- Every date of the window is covered by this run, including dates the API returned no rows for.
-- A date not over yet in the account's zone at the window's as-of instant (an intraday run's slot; else
-- now) is partial as of then.
INSERT INTO ads_sync.coverage AS c
    (platform, account_id, report, date, loaded_at, load_id, rows, cost, conversions, partial_as_of)
SELECT %(platform)s, %(account_id)s, %(report)s, d::date, now(), %(load_id)s,
       coalesce(t.rows, 0), coalesce(t.cost, 0), coalesce(t.conversions, 0),
       CASE WHEN coalesce(%(as_of)s::timestamptz, now())
                 < ((d::date + 1)::timestamp AT TIME ZONE %(timezone)s)
            THEN coalesce(%(as_of)s::timestamptz, now()) END
FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
LEFT JOIN (
    SELECT date, count(*) AS rows, sum(cost) AS cost, sum(conversions) AS conversions
    FROM {staging}
    WHERE load_id = %(load_id)s
    GROUP BY date
) AS t ON t.date = d::date
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
