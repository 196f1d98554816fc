"""CLI backfills: `airflow backfill create` on the daily DAG, carried out by the running scheduler, loads
each day of the range once (one request per report per day, not a 7-day window per run), the coverage
ledger shows the range, and re-running with `--reprocess-behavior completed` changes no row.

The metadata is PostgreSQL, and both CLI calls write it while the scheduler is busy with another account's
force_sync (on SQLite that is when `backfill create` failed with "database is locked")."""
from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from ads_sync import local
from tests.e2e.conftest import Deployment, google_accounts, local_today
from tests.e2e.test_schedules import wall_clock_instant

pytestmark = pytest.mark.timeout(480)

BETWEEN = re.compile(r"FROM (\w+) WHERE segments\.date BETWEEN '([0-9-]+)' AND '([0-9-]+)'")


def keep_busy(deployment: Deployment, account: Any) -> tuple[str, str]:
    """Trigger another account's force_sync and wait until the scheduler runs it: its tasks are being
    scheduled, run and recorded in the metadata while the CLI writes there."""
    dag_id = f"ads_sync__google_ads__{account.account_id}__force_sync"
    deployment.api.set_paused(dag_id, False)  # runs of a paused DAG stay queued
    resp = deployment.api.trigger(dag_id, {"weeks": 2})
    assert resp.status_code == 200, resp.text
    run_id = resp.json()["dag_run_id"]
    deadline = time.monotonic() + 120
    while deployment.api.run(dag_id, run_id)["state"] == "queued":
        assert time.monotonic() < deadline, f"{dag_id} {run_id} still queued"
        time.sleep(0.5)
    return dag_id, run_id


def backfill(deployment: Deployment, dag_id: str, start: date, end: date, *extra: str,
             busy_with: Any) -> list[dict[str, Any]]:
    """Run the CLI while the scheduler runs another account's force_sync, then wait until the scheduler has
    finished this backfill; its runs (a reprocess re-runs the existing runs of those dates, under the same
    run ids). The busy run must succeed too."""
    busy = keep_busy(deployment, busy_with)
    invoked = datetime.now(UTC)
    done = deployment.cli(
        "backfill", "create", "--dag-id", dag_id, "--from-date", start.isoformat(), "--to-date", end.isoformat(),
        "--max-active-runs", "3", *extra,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    newest = max(deployment.api.ok("GET", "/api/v2/backfills", dag_id=dag_id)["backfills"], key=lambda b: b["id"])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        deployment.processes.check()
        # the scheduler closes a backfill once its last run ends; only then may another one start
        if deployment.api.ok("GET", f"/api/v2/backfills/{newest['id']}")["completed_at"]:
            assert deployment.api.wait_for_run(*busy)["state"] == "success", busy
            return [
                r for r in deployment.api.runs(dag_id, run_type="backfill")
                if r["end_date"] and datetime.fromisoformat(r["end_date"]) >= invoked
            ]
        time.sleep(2)
    raise TimeoutError(f"backfill {newest} of {dag_id} not finished; the CLI said: {done.stdout[-3000:]}")


def facts(db: Any, account: Any) -> dict[str, list[tuple[Any, ...]]]:
    """The account's rows of every report it loads (its registry `reports`, opt-in ones included)."""
    return {
        table: db.execute(
            f"SELECT * FROM ads.{table} WHERE account_id = %s ORDER BY 1, 2, 3, 4", (account.account_id,)
        ).fetchall()
        for table in account.reports
    }


def steady_start(zone: str, latest: date, days: int) -> date:
    """The latest start on or before `latest` whose window, a day either side, keeps one UTC offset in
    `zone`. On the day a zone leaves summer time 02:00 happens twice, and Airflow 3.3's cron alignment
    skips that day's run when a backfill starts at the first one (README, "Backfills from the command
    line"): Airflow's behaviour, not what this test is about, and it made the test fail on the days that
    put the DST change in its window."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)

    def offset(d: date) -> timedelta | None:
        return datetime.combine(d, datetime.min.time(), tzinfo=tz).replace(hour=12).utcoffset()

    start = latest
    while len({offset(start + timedelta(days=i)) for i in range(-1, days + 2)}) > 1:
        start -= timedelta(days=1)
    return start


def test_backfill_loads_each_day_once_and_a_reprocess_changes_nothing(
    local_airflow: Deployment, quiet_account: Any, db: Any
) -> None:
    account = quiet_account
    assert local_airflow.env[local.METADATA_ENV].startswith("postgresql+psycopg2://"), "metadata is PostgreSQL"
    other = next(a for a in google_accounts() if a.account_id != account.account_id)
    dag_id = f"ads_sync__google_ads__{account.account_id}__daily"
    local_airflow.unpause_settled(dag_id)  # backfills need an unpaused, scheduled DAG
    db.execute(f"TRUNCATE {', '.join(f'ads.{t}' for t in account.reports)}, ads_sync.coverage, ads_sync.sync_runs")
    local_airflow.sandbox.reset()

    # old enough that the sandbox's late-conversion drift no longer moves these days
    start = steady_start(account.timezone, local_today("UTC") - timedelta(days=40), days=3)
    end = start + timedelta(days=3)
    # --from-date/--to-date are instants (midnight UTC): the days whose 02:00 local falls between them
    lo, hi = (datetime.combine(d, datetime.min.time(), tzinfo=UTC) for d in (start, end))
    days = sorted(
        d for d in (start + timedelta(days=i) for i in range(-1, 5))
        if lo <= wall_clock_instant(d, 2, account.timezone) <= hi
    )
    # both bounds are inclusive: 4 days when 02:00 local is midnight UTC itself (Europe/Berlin in summer)
    assert len(days) in (3, 4), days

    runs = backfill(local_airflow, dag_id, start, end, busy_with=other)
    assert len(runs) == len(days)
    assert all(r["state"] == "success" for r in runs), runs

    requests = local_airflow.sandbox.requests.filter(service="google_ads", customer_id=account.account_id)
    dated = [BETWEEN.search(r["query"] or "") for r in requests]
    # each run also asks for the account's own totals of its day (FROM customer: the reconciliation, issue 10)
    checks = Counter(m[2] for m in dated if m and m[1] == "customer")
    assert checks == Counter({d.isoformat(): 1 for d in days}), checks
    reports = [m for m in dated if m and m[1] != "customer"]
    per_report_day = Counter((m[1], m[2]) for m in reports if m)
    assert all(m[2] == m[3] for m in reports if m), "a backfill run asked for more than its own day"
    assert set(per_report_day.values()) == {1}, per_report_day
    assert {day for _, day in per_report_day} == {d.isoformat() for d in days}
    assert len(per_report_day) == len(days) * len(account.reports)

    coverage = db.execute(
        "SELECT report, date, load_id FROM ads_sync.coverage WHERE account_id = %s ORDER BY 1, 2",
        (account.account_id,),
    ).fetchall()
    assert {(report, day) for report, day, _ in coverage} == {(t, d) for t in account.reports for d in days}
    run_ids = {r["dag_run_id"] for r in runs}
    assert all(load_id.split("/", 1)[1] in run_ids for _, _, load_id in coverage)
    loaded = db.execute(
        "SELECT DISTINCT date FROM ads.campaign_daily WHERE account_id = %s", (account.account_id,)
    ).fetchall()
    assert sorted(r[0] for r in loaded) == days
    first = facts(db, account)

    again = backfill(local_airflow, dag_id, start, end, "--reprocess-behavior", "completed", busy_with=other)
    assert len(again) == len(days) and all(r["state"] == "success" for r in again), again
    assert facts(db, account) == first
    assert {r["dag_run_id"] for r in again} == run_ids  # the same runs, run again
    counts = db.execute(
        "SELECT sum(rows_inserted), sum(rows_updated), sum(rows_deleted), sum(rows_unchanged), count(*)"
        " FROM ads_sync.sync_runs WHERE dag_id = %s AND run_id = ANY(%s) AND status = 'success'",
        (dag_id, list(run_ids)),
    ).fetchone()
    assert counts[:3] == (0, 0, 0) and counts[3] > 0 and counts[4] == len(days), counts
