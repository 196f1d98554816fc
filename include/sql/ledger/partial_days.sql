-- Dates loaded before they were over (intraday: today so far), per registry account: the as-of instant
-- of the date's oldest partial report (what every report has at least), and how many reports are partial.
WITH registry AS (
    SELECT * FROM unnest(%(platforms)s::text[], %(account_ids)s::text[]) AS r (platform, account_id)
)
SELECT c.platform, c.account_id, c.date, min(c.partial_as_of) AS partial_as_of, count(*) AS reports
FROM ads_sync.coverage AS c
JOIN registry USING (platform, account_id)
WHERE c.partial_as_of IS NOT NULL
  AND c.date >= %(since)s::date
GROUP BY c.platform, c.account_id, c.date
ORDER BY c.platform, c.account_id, c.date
