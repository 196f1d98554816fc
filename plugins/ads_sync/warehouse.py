"""The warehouse side of a sync: migrations, staging by COPY, the window-replace merge, bookkeeping.

Everything here takes an open psycopg 3 connection; the caller decides transactions, except `merge`,
which is one transaction by design (a failure anywhere leaves the final tables as they were).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ads_sync.errors import BadApiData
from ads_sync.tables import Table

if TYPE_CHECKING:
    import psycopg

SQL_DIR = Path(__file__).resolve().parents[2] / "include" / "sql"
#: a merge that inserts or deletes this many rows refreshes the final table's planner statistics
ANALYZE_AFTER_ROWS = 10_000


@cache
def sql_text(name: str) -> str:
    """One SQL file from include/sql, e.g. 'merge/insert_new.sql'."""
    return (SQL_DIR / name).read_text()


def connect(conn_id: str = "ads_warehouse") -> psycopg.Connection[Any]:
    """A psycopg 3 connection to the warehouse named by an Airflow connection."""
    from airflow.providers.postgres.hooks.postgres import PostgresHook

    conn: psycopg.Connection[Any] = PostgresHook(postgres_conn_id=conn_id).get_conn()  # type: ignore[assignment]
    conn.autocommit = False
    return conn


# -- migrations -------------------------------------------------------------------------------------

_MIGRATION = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str]]:
    found = []
    for path in sorted((SQL_DIR / "schema").iterdir()):
        match = _MIGRATION.match(path.name)
        if match:
            found.append((int(match.group(1)), path.name))
    return found


def migrate(conn: psycopg.Connection[Any]) -> list[str]:
    """Apply the schema migrations not applied yet, in order, each once; return the names applied.

    Serialized by an advisory lock so that workers starting together do not race.
    """
    applied_now: list[str] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('ads_sync:migrate', 0))")
        conn.execute("CREATE SCHEMA IF NOT EXISTS ads_sync")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS ads_sync.schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM ads_sync.schema_migrations")}
        for version, name in migrations():
            if version in done:
                continue
            conn.execute(sql_text(f"schema/{name}").encode())
            conn.execute(
                "INSERT INTO ads_sync.schema_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
            applied_now.append(name)
    return applied_now


# -- staging ----------------------------------------------------------------------------------------

def stage(
    conn: psycopg.Connection[Any],
    table: Table,
    *,
    load_id: str,
    platform: str,
    account_id: str,
    rows: Iterable[tuple[object, ...]],
) -> int:
    """Stream rows into ads_staging.<table> by COPY; return how many. Rows must follow `table.columns`.

    Each row goes through psycopg's `write_row` (text format, escaping and buffering in C): about 4x
    less client CPU than formatting COPY lines in Python (bench/, "load step"), and the extract task is
    CPU-bound on the client.
    """
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier("ads_staging", table.name),
        sql.SQL(", ").join(map(sql.Identifier, ("load_id", "platform", "account_id", *table.columns))),
    )
    tag = (load_id, platform, account_id)
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            write((*tag, *row))
            count += 1
    return count


def clear_staging(conn: psycopg.Connection[Any], tables: Iterable[Table], load_id: str) -> None:
    for table in tables:
        conn.execute(_merge_sql("clear_staging", table), {"load_id": load_id})


# -- merge ------------------------------------------------------------------------------------------


@dataclass
class MergeCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def add(self, other: MergeCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.deleted += other.deleted

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    def as_dict(self) -> dict[str, int]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }


@cache
def _merge_sql(name: str, table: Table) -> Any:
    from psycopg import sql

    def cols(alias: str, names: tuple[str, ...]) -> Any:
        return sql.SQL(", ").join(sql.Identifier(alias, n) for n in names)

    return sql.SQL(sql_text(f"merge/{name}.sql")).format(
        final=sql.Identifier("ads", table.name),
        staging=sql.Identifier("ads_staging", table.name),
        # the final row of a staged row; for facts also bounded to the load's window (staged dates are in it),
        # so the planner reads the window's range of the primary key, not the account's whole history
        key_match=sql.SQL(" AND ").join(
            ([sql.SQL("f.date BETWEEN %(start)s AND %(end)s")] if table.windowed else [])
            + [sql.SQL("{} = {}").format(sql.Identifier("f", k), sql.Identifier("s", k)) for k in table.keys]
        ),
        keys=sql.SQL(", ").join(map(sql.Identifier, table.keys)),
        columns=sql.SQL(", ").join(map(sql.Identifier, table.columns)),
        s_columns=cols("s", table.columns),
        values=sql.SQL(", ").join(map(sql.Identifier, table.values)),
        f_values=cols("f", table.values),
        s_values=cols("s", table.values),
    )


def check_staged(conn: psycopg.Connection[Any], table: Table, load_id: str) -> None:
    """Refuse a load in which the API returned one key twice; name the key."""
    row = conn.execute(_merge_sql("find_duplicate", table), {"load_id": load_id}).fetchone()
    if row:
        key = ", ".join(f"{k}={v}" for k, v in zip(table.keys, row, strict=False))
        raise BadApiData(
            f"the API returned {table.name} row {key} {row[-1]} times in one window; nothing was merged"
        )


def merge_table(
    conn: psycopg.Connection[Any], table: Table, params: Mapping[str, Any]
) -> MergeCounts:
    """Merge one staged table into its final table (inside the caller's transaction)."""
    conn.execute(sql_text("merge/plan_bulk.sql"))
    conn.execute(_merge_sql("analyze_staging", table))
    staged = conn.execute(_merge_sql("count_staged", table), params).fetchone()[0]  # type: ignore[index]
    deleted = conn.execute(_merge_sql("delete_vanished", table), params).rowcount if table.windowed else 0
    updated = conn.execute(_merge_sql("update_changed", table), params).rowcount
    inserted = conn.execute(_merge_sql("insert_new", table), params).rowcount
    if table.windowed:
        conn.execute(_merge_sql("record_coverage", table), {**params, "report": table.name})
    conn.execute(_merge_sql("clear_staging", table), params)
    if inserted + deleted >= ANALYZE_AFTER_ROWS:
        conn.execute(_merge_sql("analyze_final", table))
    return MergeCounts(inserted, updated, staged - inserted - updated, deleted)


def lock_account(conn: psycopg.Connection[Any], platform: str, account_id: str) -> None:
    conn.execute(sql_text("merge/lock_account.sql"), {"platform": platform, "account_id": account_id})


# -- bookkeeping ------------------------------------------------------------------------------------


def run_sql(conn: psycopg.Connection[Any], name: str, params: Mapping[str, Any]) -> int:
    """Execute one parameterised file from include/sql; return the row count."""
    return conn.execute(sql_text(name), params).rowcount
