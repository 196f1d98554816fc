-- Gaps: dates in an account's history that no successful run covered, per report, within the last
-- %(days)s days of that history. The history runs from the earliest date any successful run loaded
-- to %(last_days)s: yesterday for an active account, NULL (= its newest loaded date) for an inactive one.
-- A date loaded only partially (intraday, before it was over) is still a gap until a complete load.
WITH registry AS (
    SELECT *
    FROM unnest(%(platforms)s::text[], %(account_ids)s::text[], %(last_days)s::date[])
         AS r (platform, account_id, last_day)
), reports AS (
    SELECT c.platform, c.account_id, c.report, min(c.date) AS first_date, max(c.date) AS last_date
    FROM ads_sync.coverage AS c
    JOIN registry USING (platform, account_id)
    GROUP BY c.platform, c.account_id, c.report
), bounds AS (
    SELECT g.platform, g.account_id, min(p.first_date) AS first_day, coalesce(g.last_day, max(p.last_date)) AS last_day
    FROM registry AS g
    JOIN reports AS p USING (platform, account_id)
    GROUP BY g.platform, g.account_id, g.last_day
), expected AS (
    SELECT b.platform, b.account_id, p.report, d::date AS date
    FROM bounds AS b
    JOIN reports AS p USING (platform, account_id)
    CROSS JOIN LATERAL generate_series(
        greatest(b.first_day, b.last_day - (%(days)s - 1)), b.last_day, interval '1 day'
    ) AS d
)
SELECT e.platform, e.account_id, e.date, array_agg(e.report ORDER BY e.report) AS reports
FROM expected AS e
WHERE NOT EXISTS (
    SELECT 1 FROM ads_sync.coverage AS c
    WHERE c.platform = e.platform AND c.account_id = e.account_id AND c.report = e.report AND c.date = e.date
      AND c.partial_as_of IS NULL
)
GROUP BY e.platform, e.account_id, e.date
ORDER BY e.platform, e.account_id, e.date
