-- For the rest of this transaction: a lock that is not free at once is an error, not a wait (the caller
-- skips work another session is already doing, e.g. an ANALYZE of the same table).
SET LOCAL lock_timeout = '50ms'
