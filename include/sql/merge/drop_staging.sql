-- The load's staging table, merged: dropped with the merge's commit (a rollback keeps it for the next try).
DROP TABLE {staging}
