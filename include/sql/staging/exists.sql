-- Whether a load's staging table is there (NULL: it is not): the merge refuses to read a missing one as empty.
SELECT to_regclass(%(table)s)
