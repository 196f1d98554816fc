"""The run log against PostgreSQL: a run is `success` exactly when its merge committed, and every other
event leaves the rows the status page and the sweep read.

The merge's last statement is the run log's: a merge that fails there (its run's row held by another
connection past the lock timeout) has already written its data, and must leave neither the data nor a
`success`.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.integration

ACCOUNT = "8282828282"
START = date(2026, 3, 1)
DAYS = 3


def ref(run_id: str = "r1") -> Any:
    from ads_sync.runlog import RunRef

    return RunRef(dag_id="runlog_test", run_id=run_id, platform="google_ads", account_id=ACCOUNT)


def account() -> Any:
    from ads_sync.registry import Account

    return Account(platform="google_ads", account_id=ACCOUNT, name="Run log", timezone="UTC", currency="EUR",
                   reports=("ad_group_daily",))


def start(conn: psycopg.Connection[Any], run_id: str = "r1") -> Any:
    from ads_sync import runlog

    run = ref(run_id)
    runlog.started(conn, run, run_type="manual", kind="daily", start=START, end=START + timedelta(days=DAYS - 1))
    conn.commit()
    return run


def stage_and_merge(conn: psycopg.Connection[Any], load_id: str, clicks: int, run: Any, *,
                    duplicate: bool = False) -> Any:
    from ads_sync import pipeline, warehouse
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    rows = [(START + timedelta(days=d), "g1", "c1", 100, clicks, "1.500000", "2", "3.25") for d in range(DAYS)]
    with conn.transaction():
        warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, rows=rows + rows[:1] if duplicate else rows)
    return pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=account(),
                          window=Window(START, START + timedelta(days=DAYS - 1), why="test"), run=run)


def run_row(db: Any, run_id: str = "r1") -> tuple:
    return db.execute("SELECT status, rows_inserted, rows_updated, error FROM ads_sync.sync_runs"
                      " WHERE dag_id = 'runlog_test' AND run_id = %s", (run_id,)).fetchone()


def account_row(db: Any) -> tuple:
    return db.execute("SELECT status, last_error, runs_with_changes FROM ads_sync.account_status"
                      " WHERE account_id = %s", (ACCOUNT,)).fetchone()


def clicks(db: Any) -> list[int]:
    return [r[0] for r in db.execute("SELECT clicks FROM ads.ad_group_daily WHERE account_id = %s ORDER BY date",
                                     (ACCOUNT,)).fetchall()]


def test_the_merge_finishes_its_run_in_the_same_commit(db, migrated_warehouse: str) -> None:
    with psycopg.connect(migrated_warehouse) as conn:
        run = start(conn)
        assert run_row(db)[0] == "running" and account_row(db)[0] == "syncing"
        counts = stage_and_merge(conn, "runlog/1", 5, run)
    assert clicks(db) == [5] * DAYS
    assert run_row(db) == ("success", counts.inserted, 0, None) and counts.inserted == DAYS
    assert account_row(db) == ("idle", None, 1)


def test_a_merge_failing_after_its_data_writes_leaves_neither_data_nor_success(db, migrated_warehouse) -> None:
    with psycopg.connect(migrated_warehouse) as conn:
        stage_and_merge(conn, "runlog/0", 1, None)  # what stands before: no run log of its own
        run = start(conn)
    with psycopg.connect(migrated_warehouse) as locker, psycopg.connect(migrated_warehouse) as conn:
        locker.execute("SELECT 1 FROM ads_sync.sync_runs WHERE run_id = 'r1' FOR UPDATE")
        conn.execute("SET lock_timeout = '200ms'")
        conn.commit()
        with pytest.raises(psycopg.errors.LockNotAvailable):
            stage_and_merge(conn, "runlog/1", 7, run)
        locker.rollback()
    assert clicks(db) == [1] * DAYS  # the update of every row was rolled back with the run log's
    assert run_row(db) == ("running", 0, 0, None) and account_row(db)[0] == "syncing"

    with psycopg.connect(migrated_warehouse) as conn:  # the retry: the staged load is still there
        from ads_sync import pipeline
        from ads_sync.tables import AD_GROUP_DAILY
        from ads_sync.windows import Window

        pipeline.merge(conn, [AD_GROUP_DAILY], load_id="runlog/1", account=account(),
                       window=Window(START, START + timedelta(days=DAYS - 1), why="test"), run=run)
    assert clicks(db) == [7] * DAYS
    assert run_row(db) == ("success", 0, DAYS, None)


def test_a_merge_refused_before_its_writes_leaves_the_run_running(db, migrated_warehouse) -> None:
    from ads_sync.errors import BadApiData

    with psycopg.connect(migrated_warehouse) as conn:
        run = start(conn)
        with pytest.raises(BadApiData):
            stage_and_merge(conn, "runlog/dup", 3, run, duplicate=True)
    assert clicks(db) == []
    assert run_row(db) == ("running", 0, 0, None)


def test_failures_retries_and_auth_failures(db, migrated_warehouse) -> None:
    from ads_sync import runlog
    from ads_sync.errors import AuthFailure

    with psycopg.connect(migrated_warehouse) as conn:
        run = start(conn)
        runlog.failed(conn, run, RuntimeError("x" * 3000), final=False)
        conn.commit()
        status, _, _, error = run_row(db)
        assert (status, account_row(db)[0]) == ("retrying", "syncing")  # Airflow retries: the account waits
        assert error == ("RuntimeError: " + "x" * 3000)[:runlog.ERROR_LIMIT]
        runlog.failed(conn, run, AuthFailure("token expired"), final=True)
        conn.commit()
    assert run_row(db)[0::3] == ("failed", "AuthFailure: token expired")
    assert account_row(db)[:2] == ("auth_failed", "AuthFailure: token expired")


def test_a_push_is_recorded_beside_a_successful_run(db, migrated_warehouse) -> None:
    from ads_sync import runlog

    with psycopg.connect(migrated_warehouse) as conn:
        run = start(conn)
        stage_and_merge(conn, "runlog/p", 2, run)
        runlog.push_recorded(conn, run, "running", requests=0)
        runlog.push_recorded(conn, run, "retrying", error=ValueError("sheet gone"), requests=3)
        runlog.push_recorded(conn, run, "failed", error=ValueError("sheet gone"), requests=None)  # the callback
        conn.commit()
    assert db.execute("SELECT status, push_status, push_error, push_requests, pushed_at IS NOT NULL"
                      " FROM ads_sync.sync_runs WHERE run_id = 'r1'").fetchone() == (
        "success", "failed", "ValueError: sheet gone", 3, True)
    assert account_row(db)[0] == "idle"


def test_the_sweep_reads_and_ends_abandoned_runs(db, migrated_warehouse) -> None:
    from ads_sync import runlog

    with psycopg.connect(migrated_warehouse) as conn:
        old = start(conn, "old")
        now = start(conn, "now")
        assert runlog.unfinished(conn, now) == [(old, "running")]
        runlog.abandoned(conn, old, "abandoned: test")
        conn.commit()
        assert runlog.unfinished(conn, now) == []
    assert run_row(db, "old")[0::3] == ("failed", "abandoned: test")
    assert account_row(db)[:2] == ("failed", "abandoned: test")
    assert run_row(db, "now")[0] == "running"
