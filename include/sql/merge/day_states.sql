-- Per date of the window: the staged rows' count, cost, conversions and fingerprint, and whether the
-- fingerprint equals the one stored by the last merge of that day (then the final table already holds
-- exactly these rows and the day is skipped). One pass over the load's staged rows. A date with no
-- staged rows has count 0 and fingerprint 0, so a day that became empty is a change like any other.
-- A report without a cost (or conversions) column records null there, never 0.
-- The last row (date NULL) counts staged rows outside the window, which the merge refuses.
WITH staged AS (
    SELECT s.date, count(*) AS rows, {cost_sum} AS cost, {conversions_sum} AS conversions,
           sum(hash_record_extended(ROW({s_columns}), %(seed)s)) AS hash
    FROM {staging} AS s
    GROUP BY s.date
)
SELECT d::date AS date, coalesce(t.rows, 0)::bigint AS rows, coalesce(t.cost, {no_cost}) AS cost,
       coalesce(t.conversions, {no_conversions}) AS conversions, coalesce(t.hash, 0) AS hash,
       coalesce(h.rows = coalesce(t.rows, 0) AND h.hash = coalesce(t.hash, 0), false) AS unchanged
FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
LEFT JOIN staged AS t ON t.date = d::date
LEFT JOIN ads_sync.day_hashes AS h
       ON h.platform = %(platform)s AND h.account_id = %(account_id)s AND h.report = %(report)s AND h.date = d::date
UNION ALL
SELECT NULL, coalesce(sum(t.rows), 0)::bigint, 0, 0, 0, false
FROM staged AS t
WHERE t.date NOT BETWEEN %(start)s::date AND %(end)s::date
ORDER BY 1 NULLS LAST
