-- Whether the final table holds no row of the account in the window (one probe of the primary key).
SELECT NOT EXISTS (
    SELECT 1 FROM {final} AS f
    WHERE f.platform = %(platform)s AND f.account_id = %(account_id)s AND f.date BETWEEN %(start)s AND %(end)s
)
