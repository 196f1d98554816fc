"""Reports as declarations: what a report is (its table, request, key, mapping, entities, rollups), the DDL
and merge that follow from it, and the custom reports an account's registry entry asks for."""
