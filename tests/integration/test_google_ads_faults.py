"""Faults from the Google Ads sandbox, through the real DAGs: the final tables end as a fault-free run
leaves them, or as they were before the run."""
from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Fault
from tests.staging import staging_rows

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "1234567890"
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def snapshot(db) -> dict[str, list[tuple]]:
    tables = ("campaigns", "ad_groups", "campaign_daily", "ad_group_daily")
    return {
        t: db.execute(
            f"SELECT * FROM ads.{t} WHERE account_id = %s ORDER BY 1, 2, 3, 4", (ACCOUNT,)
        ).fetchall()
        for t in tables
    }


def values(snap: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Rows without updated_at (the last column), for comparing loads made at different times."""
    return {t: [r[:-1] for r in rows] for t, rows in snap.items()}


def last_sync(db) -> tuple:
    return db.execute(
        "SELECT status, error, rows_inserted, rows_updated, rows_deleted FROM ads_sync.sync_runs"
        " ORDER BY id DESC LIMIT 1"
    ).fetchone()




@pytest.mark.parametrize("error", ["UNAVAILABLE", "INTERNAL", "RATE_EXCEEDED", "STREAM_REMOVED"])
def test_stream_broken_mid_way_is_reread_and_nothing_is_duplicated(bag, db, fresh_sandbox, error) -> None:
    assert bag.dags[DAG].test().state == "success"
    reference = values(snapshot(db))
    db.execute("TRUNCATE ads.campaign_daily, ads.ad_group_daily")

    fresh_sandbox.reset()
    fresh_sandbox.faults.add(Fault(service="google_ads", error=error, resource="ad_group", nth=2, after_rows=5))
    assert bag.dags[DAG].test().state == "success"
    assert values(snapshot(db)) == reference
    # entities, campaign report, the broken ad group report and its re-read, the reconciliation (issue 10)
    assert fresh_sandbox.requests.count(service="google_ads", customer_id=ACCOUNT) == 6
    assert staging_rows(db) == 0


def test_refresh_token_rejected_fails_at_once_and_marks_the_account(bag, db, fresh_sandbox) -> None:
    assert bag.dags[DAG].test().state == "success"
    before = snapshot(db)
    fresh_sandbox.reset()
    fresh_sandbox.faults.add(Fault(service="oauth", error="invalid_grant", times=-1))
    # a fresh token is needed: the hook of this run has none yet
    try:
        run = bag.dags[DAG].test()
    finally:
        fresh_sandbox.faults.clear()
    assert run.state == "failed"
    extract = [ti for ti in run.get_task_instances() if ti.task_id == "extract"][0]
    assert extract.try_number == 1  # no retries for authentication
    status, error = db.execute(
        "SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s", (ACCOUNT,)
    ).fetchone()
    assert status == "auth_failed" and "refresh token" in error
    assert last_sync(db)[0] == "failed"
    assert snapshot(db) == before
    assert staging_rows(db) == 0
    assert fresh_sandbox.requests.count(service="google_ads") == 0


def test_daily_quota_stops_quickly_and_the_next_run_succeeds(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="google_ads", error="DAILY_QUOTA", resource="campaign", times=-1))
    try:
        run = bag.dags[DAG].test()
    finally:
        fresh_sandbox.faults.clear()
    assert run.state == "failed"
    status, error = db.execute(
        "SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s", (ACCOUNT,)
    ).fetchone()
    assert status == "failed" and "quota" in error.lower()
    assert db.execute("SELECT count(*) FROM ads.campaign_daily").fetchone()[0] == 0
    assert bag.dags[DAG].test().state == "success"
    assert db.execute(
        "SELECT status FROM ads_sync.account_status WHERE account_id = %s", (ACCOUNT,)
    ).fetchone()[0] == "idle"


def test_permission_denied_leaves_the_loaded_data_as_it_was(bag, db, fresh_sandbox) -> None:
    assert bag.dags[DAG].test().state == "success"
    before = snapshot(db)
    fresh_sandbox.faults.add(Fault(service="google_ads", error="PERMISSION_DENIED", resource="ad_group",
                                   nth=2, times=-1))
    try:
        run = bag.dags[DAG].test()
    finally:
        fresh_sandbox.faults.clear()
    assert run.state == "failed"
    assert snapshot(db) == before
    assert staging_rows(db) == 0
