-- The UI's coverage calendar: one account's loads per report and date from %(first)s to %(last)s.
SELECT c.report, c.date, c.loaded_at, c.load_id, c.rows, c.loads, c.partial_as_of
FROM ads_sync.coverage AS c
WHERE c.platform = %(platform)s AND c.account_id = %(account_id)s
  AND c.date BETWEEN %(first)s AND %(last)s
ORDER BY c.report, c.date
