-- The columns of a table's primary key, in key order.
SELECT a.attname
FROM pg_index AS i
JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) ON true
JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indrelid = %(table)s::regclass AND i.indisprimary
ORDER BY k.n
