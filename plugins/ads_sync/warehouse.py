"""The warehouse side of a sync: migrations, staging by COPY, the window-replace merge, bookkeeping.

Everything here takes an open psycopg 3 connection; the caller decides transactions, except `merge`,
which is one transaction by design (a failure anywhere leaves the final tables as they were).
"""
from __future__ import annotations

import hashlib
import logging
import re
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ads_sync.errors import BadApiData, StagingMissing
from ads_sync.tables import Table

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)
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
#
# Each load stages into tables of its own, `ads_staging.<table>_<digest of the load id>`, made like the
# table's template `ads_staging.<table>` (migration 013): one account's rows, no tag columns, no index, and
# dropped when the merge commits (or the load fails), never deleted from. On a million-row load that is a
# fifth less time than one shared table (bench/RESULTS.md), and no load ever scans another's rows.


def _digest(load_id: str) -> str:
    return hashlib.sha1(load_id.encode()).hexdigest()[:16]


def staging_name(table: Table, load_id: str) -> str:
    """The name of `load_id`'s staging table for `table` in ads_staging: at most 63 characters, so a long
    custom report name is cut and told apart by a checksum of the whole."""
    name = table.staging_name
    if len(name) > 46:
        name = f"{name[:37]}_{zlib.crc32(name.encode()):08x}"
    return f"{name}_{_digest(load_id)}"


def staging_table(table: Table, load_id: str) -> Any:
    from psycopg import sql

    return sql.Identifier("ads_staging", staging_name(table, load_id))


def create_staging(conn: psycopg.Connection[Any], table: Table, load_id: str) -> None:
    """The load's staging table for `table`, empty, shaped like its template (if it is not there yet).

    Without autovacuum: a freshly loaded table is what autovacuum picks next, and its lock would make the
    merge's DROP wait (until deadlock_timeout cancels it), merges of different accounts among them (issue
    14's 0 waits). The table lives for one load; the merge reads it once and needs no statistics of it.
    """
    from psycopg import sql

    conn.execute(sql.SQL(sql_text("staging/create.sql")).format(
        staging=staging_table(table, load_id), template=sql.Identifier("ads_staging", table.staging_name)))


def stage(conn: psycopg.Connection[Any], table: Table, *, load_id: str, rows: Iterable[Sequence[object]]) -> int:
    """Stream rows into the load's staging table by COPY; return how many. Rows follow `table.columns`.

    Each row goes through psycopg's `write_row` (text format, escaping and buffering in C): about 4x
    less client CPU than formatting COPY lines in Python (bench/, "load step"), and the extract task is
    CPU-bound on the client. The table is made first even when no row comes: the merge tells "the API
    returned nothing" (a day to empty) from "nothing was staged" (an error) by the table being there.
    """
    from psycopg import sql

    create_staging(conn, table, load_id)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        staging_table(table, load_id), sql.SQL(", ").join(map(sql.Identifier, table.columns)))
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        write = copy.write_row
        for row in rows:
            write(row)
            count += 1
    return count


def rollup(conn: psycopg.Connection[Any], target: Table, source: Table, sql_name: str, load_id: str) -> int:
    """Fill the load's `target` staging table from its `source` one with an include/sql/rollup file."""
    from psycopg import sql

    create_staging(conn, target, load_id)
    statement = sql.SQL(sql_text(sql_name)).format(
        target=staging_table(target, load_id), source=staging_table(source, load_id))
    return conn.execute(statement).rowcount


def load_tables(conn: psycopg.Connection[Any], load_id: str | None = None) -> list[str]:
    """The staging tables of `load_id` in ads_staging, or of every load (None), by name; never a template."""
    pattern = f"_{_digest(load_id)}$" if load_id is not None else "_[0-9a-f]{16}$"
    return [row[0] for row in conn.execute(sql_text("staging/load_tables.sql"), {"pattern": pattern}).fetchall()]


def clear_staging(conn: psycopg.Connection[Any], load_id: str, tables: Iterable[Table] | None = None) -> list[str]:
    """Drop the staging tables of `load_id`: those of `tables` (an extract about to stage them, beside what
    the load staged before, as an intraday run's entities), or every one (None: a failed or abandoned run,
    found in the catalogue, so tables of a report the caller does not know go too); return their names."""
    from psycopg import sql

    names = load_tables(conn, load_id)
    if tables is not None:
        names = sorted(set(names) & {staging_name(t, load_id) for t in tables})
    for name in names:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier("ads_staging", name)))
    return names


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


#: a merge of some days runs its joins over at most this many date ranges (nearby ranges are joined,
#: taking unchanged days along, which is always correct and only a little slower)
MAX_DAY_RANGES = 8

DayRanges = tuple[tuple[date, date], ...]


@lru_cache(maxsize=512)
def _merge_sql(name: str, table: Table, days: DayRanges | None = None, load_id: str = "") -> Any:
    """One merge statement for `table` and the load's staging table; with `days`, its joins read only those
    date ranges."""
    from psycopg import sql

    def cols(alias: str, names: tuple[str, ...]) -> Any:
        return sql.SQL(", ").join(sql.Identifier(alias, n) for n in names)

    def on_days(alias: str, default: Any) -> Any:
        if days is None:
            return default
        return sql.SQL("({})").format(sql.SQL(" OR ").join(
            sql.SQL("{} BETWEEN {} AND {}").format(sql.Identifier(alias, "date"), sql.Literal(a), sql.Literal(b))
            for a, b in days
        ))

    def staged_sum(column: str) -> Any:
        # a report without cost (or conversions) records null in the ledger, never a made-up 0
        return sql.SQL("sum({})").format(sql.Identifier("s", column)) if column in table.values \
            else sql.SQL("NULL::numeric")

    f_days = on_days("f", sql.SQL("f.date BETWEEN %(start)s AND %(end)s"))
    return sql.SQL(sql_text(f"merge/{name}.sql")).format(
        final=sql.Identifier(table.schema, table.name),
        staging=staging_table(table, load_id),
        cost_sum=staged_sum(table.cost_column),
        conversions_sum=staged_sum(table.conversions_column),
        no_cost=sql.SQL("0" if table.cost_column in table.values else "NULL"),
        no_conversions=sql.SQL("0" if table.conversions_column in table.values else "NULL"),
        # the final row of a staged row; for facts also bounded to the merged days (staged dates are in them),
        # so the planner reads those ranges of the primary key, not the account's whole history
        key_match=sql.SQL(" AND ").join(
            ([f_days] if table.windowed else [])
            + [sql.SQL("{} = {}").format(sql.Identifier("f", k), sql.Identifier("s", k)) for k in table.keys]
        ),
        f_days=f_days,
        s_days=on_days("s", sql.SQL("TRUE")),
        keys=sql.SQL(", ").join(map(sql.Identifier, table.keys)),
        columns=sql.SQL(", ").join(map(sql.Identifier, table.columns)),
        s_columns=cols("s", table.columns),
        values=sql.SQL(", ").join(map(sql.Identifier, table.values)),
        f_values=cols("f", table.values),
        s_values=cols("s", table.values),
    )


@dataclass(frozen=True)
class Day:
    """One date of a load's window as staged: the figures the coverage ledger records, and its fingerprint."""

    date: date
    rows: int
    #: None for a report without that column (a custom report may have neither)
    cost: Decimal | None
    conversions: Decimal | None
    hash: Decimal
    #: the stored fingerprint of the final table's rows equals this one: nothing to merge
    unchanged: bool


@dataclass(frozen=True)
class MergePlan:
    """What one table's merge does, decided before any write: which days it merges."""

    table: Table
    staged: int
    days: tuple[Day, ...] = ()
    #: None: every day of the window (or an entity table); else only these date ranges (maybe none)
    ranges: DayRanges | None = None
    #: the table's fingerprints may be trusted and are kept up to date (its guard trigger is in place)
    fingerprinted: bool = False
    #: the final table held no row of the window: the merge only inserts (a first load)
    fresh: bool = False
    #: an entity table the load did not stage: nothing to merge
    unstaged: bool = False

    @property
    def changed_days(self) -> list[Day]:
        return [d for d in self.days if not d.unchanged] if self.ranges is not None else list(self.days)


def seed(table: Table) -> int:
    """The fingerprint seed of a report: its column list, so a change of columns changes every fingerprint."""
    return zlib.crc32(",".join((table.name, *table.columns)).encode())


def day_ranges(dates: list[date], limit: int = MAX_DAY_RANGES) -> DayRanges:
    """Sorted dates as contiguous ranges, the closest ones joined until at most `limit` remain."""
    ranges: list[list[date]] = []
    for d in sorted(dates):
        if ranges and (d - ranges[-1][1]).days == 1:
            ranges[-1][1] = d
        else:
            ranges.append([d, d])
    while len(ranges) > limit:
        gap = min(range(len(ranges) - 1), key=lambda i: (ranges[i + 1][0] - ranges[i][1]).days)
        ranges[gap][1] = ranges.pop(gap + 1)[1]
    return tuple((a, b) for a, b in ranges)


def _fingerprinted(conn: psycopg.Connection[Any], table: Table) -> bool:
    row = conn.execute(sql_text("merge/day_guard.sql"), {"table": table.qualified}).fetchone()
    return bool(row and row[0])


def plan_merge(
    conn: psycopg.Connection[Any], table: Table, params: Mapping[str, Any], staged_tables: Iterable[str]
) -> MergePlan:
    """Read the load's staged days once and decide which to merge; refuse duplicate keys and rows outside
    the window. Writes nothing, so every table's plan is made before the first write of the merge.
    `staged_tables`: the load's staging tables (`load_tables`), read once for all of the merge's plans."""
    conn.execute(sql_text("merge/mark_merging.sql"))
    load_id = params["load_id"]
    if staging_name(table, load_id) not in staged_tables:
        if not table.windowed:
            # entities are upserted, never deleted: a load that did not ask for them (an intraday run whose
            # facts name only known entities) has nothing to merge there
            return MergePlan(table, 0, unstaged=True)
        raise StagingMissing(
            f"load {load_id} has no staged {table.name}: its extract did not finish, or its staging was dropped "
            "(a failed try, an upgrade between extract and merge); nothing was merged. Clear the run's extract "
            "task to stage it again."
        )
    if not table.windowed:
        staged = conn.execute(_merge_sql("count_staged", table, None, load_id), params
                              ).fetchone()[0]  # type: ignore[index]
        check_staged(conn, table, load_id)
        return MergePlan(table, staged)
    fingerprinted = _fingerprinted(conn, table)
    rows = conn.execute(
        _merge_sql("day_states", table, None, load_id), {**params, "report": table.report_name, "seed": seed(table)}
    ).fetchall()
    outside = rows.pop()[1]
    if outside:
        raise BadApiData(
            f"{outside} staged {table.name} rows lie outside the window {params['start']}..{params['end']}; "
            "nothing was merged"
        )
    days = tuple(Day(d, n, cost, conv, h, bool(same and fingerprinted)) for d, n, cost, conv, h, same in rows)
    staged = sum(d.rows for d in days)
    changed = [d.date for d in days if not d.unchanged]
    ranges = None if len(changed) == len(days) else day_ranges(changed)
    fresh = bool(conn.execute(_merge_sql("window_empty", table), params).fetchone()[0])  # type: ignore[index]
    if ranges != () and not fresh:  # a fresh window's primary key refuses duplicates itself (merge_table)
        check_staged(conn, table, load_id, ranges)
    return MergePlan(table, staged, days, ranges, fingerprinted, fresh)


def check_staged(conn: psycopg.Connection[Any], table: Table, load_id: str, days: DayRanges | None = None) -> None:
    """Refuse a load in which the API returned one key twice; name the key."""
    row = conn.execute(_merge_sql("find_duplicate", table, days, load_id)).fetchone()
    if row:
        key = ", ".join(f"{k}={v}" for k, v in zip(table.keys, row, strict=False))
        raise BadApiData(
            f"the API returned {table.name} row {key} {row[-1]} times in one window; nothing was merged"
        )


def merge_table(conn: psycopg.Connection[Any], plan: MergePlan, params: Mapping[str, Any]) -> MergeCounts:
    """Merge one staged table into its final table (inside the caller's transaction), as `plan` says:
    the days whose fingerprint is unchanged are skipped (their staged rows count as unchanged), the others
    are merged by delete, update and insert, as if nothing were skipped."""
    table, days, load_id = plan.table, plan.ranges, params["load_id"]
    if plan.unstaged:
        return MergeCounts()
    inserted = updated = deleted = 0
    if days != () and plan.fresh:
        inserted = _insert_fresh(conn, plan, params)
    elif days != ():
        # no ANALYZE of staging here: it takes a self-conflicting lock held to commit, and staging is shared,
        # so merges of different accounts would queue behind each other (issue 14). plan_bulk's hash and
        # merge joins do not depend on staging's statistics being fresh.
        conn.execute(sql_text("merge/plan_bulk.sql"))
        if table.windowed:
            deleted = conn.execute(_merge_sql("delete_vanished", table, days, load_id), params).rowcount
        updated = conn.execute(_merge_sql("update_changed", table, days, load_id), params).rowcount
        inserted = conn.execute(_merge_sql("insert_new", table, days, load_id), params).rowcount
    if table.windowed:
        report = {**params, "report": table.report_name}
        conn.execute(_merge_sql("record_coverage", table), {
            **report, "dates": [d.date for d in plan.days], "rows": [d.rows for d in plan.days],
            "costs": [d.cost for d in plan.days], "conversions": [d.conversions for d in plan.days],
        })
        changed = plan.changed_days
        if plan.fingerprinted and changed:
            conn.execute(sql_text("merge/save_day_hashes.sql"), {
                **report, "dates": [d.date for d in changed], "rows": [d.rows for d in changed],
                "hashes": [d.hash for d in changed],
            })
    conn.execute(_merge_sql("drop_staging", table, None, load_id))
    return MergeCounts(inserted, updated, plan.staged - inserted - updated, deleted)


def refresh_statistics(conn: psycopg.Connection[Any], table: Table, counts: MergeCounts) -> bool:
    """After the merge committed: ANALYZE the final table when the merge moved many rows, so the next merge
    plans with its real size. Its own transaction, and never a wait: ANALYZE's lock conflicts with itself
    (and autovacuum's), and a session already analyzing the table refreshes the same statistics. Returns
    whether it ran."""
    from psycopg import errors

    if counts.inserted + counts.deleted < ANALYZE_AFTER_ROWS:
        return False
    try:
        with conn.transaction():
            conn.execute(sql_text("merge/no_lock_wait.sql"))
            conn.execute(_merge_sql("analyze_final", table))
    except errors.LockNotAvailable:
        log.info("%s is being analyzed by another session; its statistics serve this merge too", table.qualified)
        return False
    return True


def _insert_fresh(conn: psycopg.Connection[Any], plan: MergePlan, params: Mapping[str, Any]) -> int:
    """Insert every staged row of a window the final table held nothing of: no delete, update or anti-join
    to run. A key staged twice breaks the primary key; then the duplicate is named as plan_merge would."""
    from psycopg import errors

    try:
        with conn.transaction():
            return conn.execute(_merge_sql("insert_fresh", plan.table, plan.ranges, params["load_id"]), params).rowcount
    except errors.UniqueViolation:
        check_staged(conn, plan.table, params["load_id"], plan.ranges)
        raise


def lock_account(conn: psycopg.Connection[Any], platform: str, account_id: str) -> None:
    conn.execute(sql_text("merge/lock_account.sql"), {"platform": platform, "account_id": account_id})


# -- bookkeeping ------------------------------------------------------------------------------------


def run_sql(conn: psycopg.Connection[Any], name: str, params: Mapping[str, Any]) -> int:
    """Execute one parameterised file from include/sql; return the row count."""
    return conn.execute(sql_text(name), params).rowcount
