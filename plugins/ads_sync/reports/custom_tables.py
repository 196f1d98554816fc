"""A custom report's final and staging tables, made to match its declaration before anything is staged.

The DDL follows from the declared columns and is built with psycopg.sql identifiers (a report's name and
columns are checked at parse time, and are still never pasted into SQL text). The existing table is what a
changed declaration is compared with (information_schema and its primary key), not a remembered copy:
- a new value column is added (ALTER TABLE ADD COLUMN); the days loaded before it hold null there, which
  reads "not loaded", never 0, and the log says so;
- a column no longer declared, a column of another type, or another key is refused before any write, with
  the SQL that would do it on purpose: data is never dropped silently.
"""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ads_sync.errors import InvalidRequest
from ads_sync.reports.columns import Column

if TYPE_CHECKING:
    import psycopg

    from ads_sync.tables import Table

log = logging.getLogger(__name__)

#: the PostgreSQL type of each column type; numeric is unconstrained so a ratio keeps every digit the API
#: sends (money from micros has six decimals exactly)
SQL_TYPES = {"bigint": "bigint", "numeric": "numeric", "text": "text", "date": "date", "boolean": "boolean"}


class CustomReportRefused(InvalidRequest):
    """A custom report's declaration no longer matches its table in a way that would lose data."""


def columns_json(columns: Sequence[Column]) -> str:
    return json.dumps([{"name": c.name, "sql_type": c.sql_type, "key": c.key, "source": c.source} for c in columns])


def create_sql(table: Table, columns: Sequence[Column]) -> Any:
    """CREATE TABLE for the final table: (platform, account_id, key columns NOT NULL, values, updated_at)."""
    from psycopg import sql

    defs: list[sql.Composable] = [sql.SQL("platform text NOT NULL"), sql.SQL("account_id text NOT NULL")]
    defs += [sql.SQL("{} {}{}").format(sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.sql_type]),
                                       sql.SQL(" NOT NULL" if c.key else "")) for c in columns]
    defs.append(sql.SQL("updated_at timestamptz NOT NULL DEFAULT now()"))
    defs.append(sql.SQL("PRIMARY KEY ({})").format(sql.SQL(", ").join(
        map(sql.Identifier, ("platform", "account_id", *(c.name for c in columns if c.key))))))
    return sql.SQL("CREATE TABLE {} ({})").format(sql.Identifier(table.schema, table.name), sql.SQL(", ").join(defs))


def guard_sql(table: Table) -> Any:
    """The day-fingerprint guard of migration 006, for a custom table (migration 012's function)."""
    from psycopg import sql

    return sql.SQL("CREATE TRIGGER day_hashes_guard AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION ads_sync.forget_custom_day_hashes()").format(
        sql.Identifier(table.schema, table.name))


def staging_sql(table: Table, columns: Sequence[Column]) -> list[Any]:
    """The staging template (UNLOGGED, every declared column nullable: the final table's key refuses a
    null) and the columns a changed declaration adds to it; each load stages into a copy of it
    (warehouse.create_staging)."""
    from psycopg import sql

    staging = sql.Identifier("ads_staging", table.staging_name)
    out = [sql.SQL("CREATE UNLOGGED TABLE IF NOT EXISTS {} ()").format(staging)]
    out += [sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}").format(
        staging, sql.Identifier(c.name), sql.SQL(SQL_TYPES[c.sql_type])) for c in columns]
    return out


def existing(conn: psycopg.Connection[Any], table: Table) -> tuple[dict[str, str], tuple[str, ...]] | None:
    """The final table's columns (name -> type) and key after (platform, account_id); None: no table."""
    from ads_sync.warehouse import sql_text

    rows = conn.execute(sql_text("custom/columns.sql"), {"schema": table.schema, "name": table.name}).fetchall()
    if not rows:
        return None
    key = conn.execute(sql_text("custom/primary_key.sql"), {"table": table.qualified}).fetchall()
    declared = {r[0]: r[1] for r in rows if r[0] not in ("platform", "account_id", "updated_at")}
    return declared, tuple(r[0] for r in key if r[0] not in ("platform", "account_id"))


def changes(table: Table, columns: Sequence[Column], found: tuple[dict[str, str], tuple[str, ...]]
            ) -> list[Column]:
    """The value columns to add; raises CustomReportRefused for any change that would lose data."""
    have, key = found
    where = table.qualified
    wanted_key = tuple(c.name for c in columns if c.key)
    if key != wanted_key:
        raise CustomReportRefused(
            f"custom report {table.name!r}: its key would change from ({', '.join(key)}) to "
            f"({', '.join(wanted_key)}) (key fields are the date, the attributes and the segments), which the "
            f"rows in {where} cannot be moved to; nothing was written. Keep the fields as they were, or give the "
            f"report a new name (a new table), or drop the old table on purpose: DROP TABLE {where}; "
            f"DELETE FROM ads_sync.day_hashes WHERE report = '{table.report_name}'"
        )
    declared = {c.name: c for c in columns}
    for name, pg_type in have.items():
        column = declared.get(name)
        if column is None:
            raise CustomReportRefused(
                f"custom report {table.name!r} no longer selects the column {name!r}, and {where} holds its "
                f"data; nothing was written. Put the field back, or give the report a new name, or drop the "
                f"column on purpose: ALTER TABLE {where} DROP COLUMN {name}"
            )
        if SQL_TYPES[column.sql_type] != pg_type:
            raise CustomReportRefused(
                f"custom report {table.name!r}: {column.source or name} is now {column.sql_type}, but "
                f"{where}.{name} is {pg_type}; nothing was written. Give the report a new name, or drop the "
                f"column on purpose (its history goes): ALTER TABLE {where} DROP COLUMN {name}"
            )
    return [c for c in columns if c.name not in have]


def ensure(conn: psycopg.Connection[Any], table: Table, columns: Sequence[Column], platform: str) -> list[str]:
    """Create or migrate the report's final and staging tables (one transaction, serialized per report so
    accounts sharing a definition never race); return the columns added. Refuses before writing anything."""
    from psycopg import sql

    from ads_sync.warehouse import sql_text

    with conn.transaction():
        conn.execute(sql_text("custom/lock.sql"), {"name": table.name})
        found = existing(conn, table)
        if found is None:
            conn.execute(create_sql(table, columns))
            conn.execute(guard_sql(table))
            added = [c.name for c in columns]
            log.info("Created %s for custom report %s: %s", table.qualified, table.name, ", ".join(added))
        else:
            new = changes(table, columns, found)
            for column in new:
                conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                    sql.Identifier(table.schema, table.name), sql.Identifier(column.name),
                    sql.SQL(SQL_TYPES[column.sql_type])))
            added = [c.name for c in new]
            if added:
                log.warning("Custom report %s selects new fields: added %s to %s; the days loaded before hold "
                            "null there (not loaded, not 0) until a run reloads them", table.name,
                            ", ".join(added), table.qualified)
        for statement in staging_sql(table, columns):
            conn.execute(statement)
        conn.execute(sql_text("custom/catalogue.sql"), {
            "name": table.name, "platform": platform, "columns": columns_json(columns),
            "key": [c.name for c in columns if c.key],
        })
    return added
