-- Settling per platform, from the re-reads of the last %(days)s days: a re-read is a load of a date
-- that had been loaded on an earlier day; its age is the date's age in days (account time zone) when re-read.
-- last_changed_age: the oldest age at which a re-read still moved cost or conversions;
-- oldest_stable_age: the oldest age of a re-read beyond that which moved nothing (the evidence).
WITH reads AS (
    SELECT l.platform,
           (l.loaded_at AT TIME ZONE a.timezone)::date - l.date AS age,
           (l.cost_change <> 0 OR l.conversions_change <> 0) AS changed
    FROM ads_sync.coverage_loads AS l
    JOIN ads.accounts AS a USING (platform, account_id)
    WHERE l.cost_change IS NOT NULL
      -- a re-read on the day of the previous load says nothing about ageing
      AND (l.previous_loaded_at AT TIME ZONE a.timezone)::date < (l.loaded_at AT TIME ZONE a.timezone)::date
      AND l.loaded_at > %(now)s::timestamptz - make_interval(days => %(days)s)
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
