-- After a large insert or delete, so the next merge of this table plans with its real size.
ANALYZE {final}
