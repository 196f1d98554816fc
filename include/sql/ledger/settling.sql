-- Settling per platform, from the re-reads of the last %(days)s days: a re-read is a later look, on a
-- later day (account time zone), at a date already seen; its age is the date's age in days then.
-- Two kinds of re-read count: our loads of the date (coverage_loads: did our numbers move?) and the
-- reconciliation's checks of it (ads_sync.reconciliation: did the platform's own account totals move?),
-- the latter being the platform's word on when its numbers stop changing.
-- last_changed_age: the oldest age at which a re-read still moved cost or conversions;
-- oldest_stable_age: the oldest age of a re-read beyond that which moved nothing (the evidence).
WITH loads AS (
    SELECT l.platform,
           (l.loaded_at AT TIME ZONE a.timezone)::date - l.date AS age,
           (l.cost_change <> 0 OR l.conversions_change <> 0) AS changed
    FROM ads_sync.coverage_loads AS l
    JOIN ads.accounts AS a USING (platform, account_id)
    WHERE l.cost_change IS NOT NULL
      -- the first complete load after a partial one: the rest of the day arriving, not a restatement
      AND NOT l.previous_partial
      -- a re-read on the day of the previous load says nothing about ageing
      AND (l.previous_loaded_at AT TIME ZONE a.timezone)::date < (l.loaded_at AT TIME ZONE a.timezone)::date
      AND l.loaded_at > %(now)s::timestamptz - make_interval(days => %(days)s)
), checks AS (
    SELECT r.platform, r.account_id, r.date, r.metric, r.platform_total, r.checked_at,
           lag(r.platform_total) OVER w AS previous_total,
           lag(r.checked_at) OVER w AS previous_at
    FROM ads_sync.reconciliation AS r
    WHERE r.metric IN ('cost', 'conversions') AND r.state <> 'partial'
    WINDOW w AS (PARTITION BY r.platform, r.account_id, r.date, r.metric ORDER BY r.checked_at, r.id)
), platform_checks AS (
    SELECT c.platform,
           (c.checked_at AT TIME ZONE a.timezone)::date - c.date AS age,
           bool_or(c.platform_total <> c.previous_total) AS changed
    FROM checks AS c
    JOIN ads.accounts AS a USING (platform, account_id)
    WHERE c.previous_total IS NOT NULL
      AND (c.previous_at AT TIME ZONE a.timezone)::date < (c.checked_at AT TIME ZONE a.timezone)::date
      AND c.checked_at > %(now)s::timestamptz - make_interval(days => %(days)s)
    GROUP BY c.platform, c.account_id, c.date, c.checked_at, a.timezone
), reads AS (
    SELECT platform, age, changed FROM loads
    UNION ALL
    SELECT platform, age, changed FROM platform_checks
), per_platform AS (
    SELECT platform, count(*) AS rereads, count(*) FILTER (WHERE changed) AS changed_rereads,
           max(age) FILTER (WHERE changed) AS last_changed_age
    FROM reads
    GROUP BY platform
)
SELECT p.platform, p.rereads, p.changed_rereads, p.last_changed_age,
       (SELECT max(r.age) FROM reads AS r
        WHERE r.platform = p.platform AND NOT r.changed AND r.age > coalesce(p.last_changed_age, -1)
       ) AS oldest_stable_age
FROM per_platform AS p
ORDER BY p.platform
