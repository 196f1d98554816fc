-- A key the API returned twice in one window: refuse to merge rather than pick one silently. Only the
-- days to merge are checked: a skipped day's rows match, in count and fingerprint, the final table's
-- rows of that day, which its primary key keeps unique.
SELECT {keys}, count(*) AS copies
FROM {staging} AS s
WHERE {s_days}
GROUP BY {keys}
HAVING count(*) > 1
LIMIT 1
