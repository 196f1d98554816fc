-- A key the API returned twice in one window: refuse to merge rather than pick one silently.
SELECT {keys}, count(*) AS copies
FROM {staging}
WHERE load_id = %(load_id)s
GROUP BY {keys}
HAVING count(*) > 1
LIMIT 1
