-- Fresh planner statistics for this load: staging holds anything from a few rows to millions, and
-- with the stale ones a NOT EXISTS over a million staged rows becomes a nested loop that runs for hours.
ANALYZE {staging}
