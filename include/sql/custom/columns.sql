-- A custom report's final table as it is: its columns and types, in table order (none: no table yet).
SELECT column_name, data_type
FROM information_schema.columns
WHERE table_schema = %(schema)s AND table_name = %(name)s
ORDER BY ordinal_position
