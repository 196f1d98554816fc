"""Platform-neutral steps of a sync: stream each request into staging, then merge the load at once."""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ads_sync import runlog, warehouse
from ads_sync.retry import RetryPolicy, call_with_retries
from ads_sync.tables import Table
from ads_sync.warehouse import MergeCounts

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account
    from ads_sync.windows import Window

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Step:
    """One API request whose rows fill one staging table."""

    table: Table
    #: the request as a person reads it (GAQL, Graph path and parameters): logged, and all a dry run shows
    request: str
    #: streams the rows, from the start each time it is called (a broken stream is re-read whole)
    fetch: Callable[[], Iterable[Sequence[object]]]
    #: run before any step of the load fetches (custom reports: check the fields with the API, then create
    #: or migrate the step's tables); None for the built-in tables, which migrations make
    prepare: Callable[[psycopg.Connection[Any]], None] | None = None


@dataclass(frozen=True)
class Rollup:
    """A staging table filled in SQL from another staged table of the same load, without an API request
    (Meta reports by ad; its campaign and ad set facts are sums of the ad rows)."""

    table: Table
    #: an include/sql/rollup file: INSERT INTO {target} ... FROM {source}, the load's two staging tables
    sql: str
    #: the staged table it sums
    source: Table


def tables(steps: Sequence[Step], rollups: Sequence[Rollup] = ()) -> list[Table]:
    """The staging tables a load fills, each once, in the order they are filled (and merged)."""
    seen: dict[str, Table] = {}
    for table in [s.table for s in steps] + [r.table for r in rollups]:
        seen.setdefault(table.name, table)
    return list(seen.values())


def extract(
    conn: psycopg.Connection[Any],
    steps: Sequence[Step],
    *,
    load_id: str,
    account: Account,
    classify: Callable[[BaseException], BaseException],
    policy: RetryPolicy,
    rollups: Sequence[Rollup] = (),
) -> int:
    """Stage every step's rows under `load_id`, then the rollups; return the rows fetched.

    Each step is one transaction: a failure mid-stream rolls its partial rows back before the retry.
    Rows left by an earlier try of the same load are cleared first.
    """
    for step in steps:
        if step.prepare is not None:
            call_with_retries(lambda step=step: step.prepare(conn),  # type: ignore[misc]
                              classify=classify, policy=policy, what=f"{account.key} {step.table.name} (prepare)")
    with conn.transaction():
        warehouse.clear_staging(conn, load_id, tables(steps, rollups))
    total = 0
    for step in steps:

        def attempt(step: Step = step) -> int:
            with conn.transaction():
                return warehouse.stage(conn, step.table, load_id=load_id, rows=step.fetch())

        count = call_with_retries(
            attempt, classify=classify, policy=policy, what=f"{account.key} {step.table.name}"
        )
        log.info("Staged %s rows of %s for %s", count, step.table.name, account.key)
        total += count
    if rollups:
        with conn.transaction():
            for rollup in rollups:
                rolled = warehouse.rollup(conn, rollup.table, rollup.source, rollup.sql, load_id)
                log.info("Rolled up %s rows of %s for %s", rolled, rollup.table.name, account.key)
    return total


def merge(
    conn: psycopg.Connection[Any],
    tables: Sequence[Table],
    *,
    load_id: str,
    account: Account,
    window: Window,
    run: runlog.RunRef | None,
) -> MergeCounts:
    """Merge a staged load into the final tables in one transaction, under the account's lock.

    Every table's plan (which days changed, duplicate keys) is made before the first write; days whose
    fingerprint equals the one stored by the last merge are skipped (warehouse.plan_merge).
    The run is finished in the run log inside the same transaction, so the log commits with the data or
    not at all; `run` None merges without a run log (benchmarks, tests of the merge alone).
    """
    params = {
        "load_id": load_id,
        "platform": account.platform,
        "account_id": account.account_id,
        "start": window.start,
        "end": window.end,
        # the instant the window's numbers stand for (an intraday run's slot): dates not over then are partial
        "as_of": window.as_of,
        "timezone": account.timezone,
    }
    total = MergeCounts()
    per_table: list[tuple[Table, MergeCounts]] = []
    with conn.transaction():
        warehouse.lock_account(conn, account.platform, account.account_id)
        staged = set(warehouse.load_tables(conn, load_id))
        plans = [warehouse.plan_merge(conn, table, params, staged) for table in tables]
        warehouse.run_sql(conn, "merge/upsert_account.sql", {
            "platform": account.platform, "account_id": account.account_id, "name": account.name,
            "timezone": account.timezone, "currency": account.currency,
        })
        for plan in plans:
            counts = warehouse.merge_table(conn, plan, params)
            if plan.days:
                skipped = len(plan.days) - len(plan.changed_days)
                log.info("Merged %s for %s: %s; %s of %s days unchanged (skipped)", plan.table.name,
                         account.key, counts.as_dict(), skipped, len(plan.days))
            else:
                log.info("Merged %s for %s: %s", plan.table.name, account.key, counts.as_dict())
            total.add(counts)
            per_table.append((plan.table, counts))
        if run is not None:
            runlog.finished(conn, run, total)
    for table, counts in per_table:  # committed: statistics outside the transaction (issue 14)
        warehouse.refresh_statistics(conn, table, counts)
    return total
