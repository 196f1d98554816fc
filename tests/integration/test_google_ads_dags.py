"""Each DAG kind run with dag.test() against the sandbox and a real PostgreSQL."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "2345678901"  # Pacific/Auckland: east of UTC, so its "yesterday" is not UTC's
TZ = ZoneInfo("Pacific/Auckland")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def run(bag, kind: str, conf: dict | None = None, account: str = ACCOUNT, at: datetime | None = None):
    dag = bag.get_dag(f"ads_sync__google_ads__{account}__{kind}")
    return dag.test(run_conf=conf, logical_date=at)


def today_local() -> date:
    return datetime.now(UTC).astimezone(TZ).date()


def fact_dates(db, table: str, account: str = ACCOUNT) -> set[date]:
    rows = db.execute(f"SELECT DISTINCT date FROM ads.{table} WHERE account_id = %s", (account,)).fetchall()
    return {r[0] for r in rows}


def sync_row(db, run) -> dict:
    cur = db.execute(
        "SELECT status, window_start, window_end, rows_inserted, rows_updated, rows_unchanged, rows_deleted,"
        " api_requests, error FROM ads_sync.sync_runs WHERE run_id = %s",
        (run.run_id,),
    )
    names = [c.name for c in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))


def test_daily_loads_exactly_the_last_seven_days_and_a_rerun_changes_nothing(bag, db, fresh_sandbox) -> None:
    first = run(bag, "daily")
    assert first.state == "success"
    yesterday = today_local() - timedelta(days=1)
    window = {yesterday - timedelta(days=i) for i in range(7)}
    assert fact_dates(db, "campaign_daily") == window
    assert fact_dates(db, "ad_group_daily") == window
    log = sync_row(db, first)
    assert (log["status"], log["window_start"], log["window_end"]) == ("success", min(window), yesterday)
    assert log["rows_inserted"] > 0 and log["rows_updated"] == log["rows_deleted"] == 0
    # entities + 2 reports, one request each, + the reconciliation's FROM customer totals (issue 10)
    assert fresh_sandbox.requests.count(service="google_ads", customer_id=ACCOUNT) == 5
    assert log["api_requests"] == 5

    # campaign facts equal the sum of ad group facts, in the account's currency units
    mismatch = db.execute(
        "SELECT count(*) FROM ads.campaign_daily c JOIN ("
        "  SELECT date, campaign_id, sum(cost) cost, sum(clicks) clicks FROM ads.ad_group_daily GROUP BY 1, 2"
        ") g USING (date, campaign_id) WHERE c.cost <> g.cost OR c.clicks <> g.clicks"
    ).fetchone()[0]
    assert mismatch == 0
    status = db.execute(
        "SELECT status, runs_attempted, last_completed_at IS NOT NULL FROM ads_sync.account_status"
        " WHERE account_id = %s", (ACCOUNT,)
    ).fetchone()
    assert status == ("idle", 1, True)

    second = run(bag, "daily")
    assert second.state == "success"
    again = sync_row(db, second)
    assert again["rows_inserted"] == again["rows_updated"] == again["rows_deleted"] == 0
    assert again["rows_unchanged"] == log["rows_inserted"]


def test_conversions_that_arrive_late_update_only_what_changed(bag, db, fresh_sandbox) -> None:
    # both runs stand for one instant: run just before midnight in Auckland, the second run's window
    # would otherwise move on a day and insert it
    at = datetime.now(UTC)
    assert run(bag, "daily", at=at).state == "success"

    def per_day(column: str) -> dict:
        return dict(db.execute(
            f"SELECT date, sum({column}) FROM ads.ad_group_daily WHERE account_id = %s GROUP BY date", (ACCOUNT,)
        ).fetchall())

    conversions, clicks = per_day("conversions"), per_day("clicks")
    oldest = min(clicks)
    db.execute("UPDATE ads.ad_group_daily SET clicks = clicks + 1000 WHERE date = %s AND account_id = %s",
               (oldest, ACCOUNT))
    # The sandbox moves on a day: conversions of the last 14 days grow, clicks stay.
    fresh_sandbox.set_today(today_local() + timedelta(days=1))
    try:
        assert run(bag, "daily", at=at + timedelta(microseconds=1)).state == "success"
    finally:
        fresh_sandbox.set_today(None)
    updated, deleted, inserted = db.execute(
        "SELECT rows_updated, rows_deleted, rows_inserted FROM ads_sync.sync_runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert updated > 0 and deleted == 0 and inserted == 0
    assert per_day("clicks") == clicks  # the tampered day is the API's again
    grown = per_day("conversions")
    assert all(grown[d] >= conversions[d] for d in conversions)
    assert any(grown[d] > conversions[d] for d in conversions)


def test_weekly_loads_ten_complete_iso_weeks(bag, db, fresh_sandbox) -> None:
    result = run(bag, "weekly")
    assert result.state == "success"
    today = today_local()
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(weeks=10)
    assert fact_dates(db, "campaign_daily") == {start + timedelta(days=i) for i in range(70)}


def test_force_sync_weeks_three(bag, db, fresh_sandbox) -> None:
    result = run(bag, "force_sync", {"weeks": 3})
    assert result.state == "success"
    today = today_local()
    this_monday = today - timedelta(days=today.weekday())
    assert fact_dates(db, "ad_group_daily") == {this_monday - timedelta(days=21 - i) for i in range(21)}


def test_force_sync_dates_replace_only_their_window(bag, db, fresh_sandbox) -> None:
    end = today_local() - timedelta(days=3)
    start = end - timedelta(days=4)
    result = run(bag, "force_sync", {"start_date": start.isoformat(), "end_date": end.isoformat()})
    assert result.state == "success"
    assert fact_dates(db, "campaign_daily") == {start + timedelta(days=i) for i in range(5)}
    coverage = db.execute(
        "SELECT count(*) FROM ads_sync.coverage WHERE account_id = %s AND report = 'campaign_daily'", (ACCOUNT,)
    ).fetchone()[0]
    assert coverage == 5


@pytest.mark.parametrize(
    "conf, words",
    [
        ({"weeks": 3, "preset": "yesterday"}, ["weeks", "preset"]),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, ["end"]),
        ({"start_date": "2099-01-01", "end_date": "2099-01-02"}, ["future"]),
        ({"bogus": 1}, ["bogus"]),
        ({"start_date": "2026-01-01"}, ["end_date"]),
    ],
)
def test_invalid_conf_fails_first_task_before_any_request_or_write(bag, db, fresh_sandbox, conf, words) -> None:
    result = run(bag, "force_sync", conf)
    assert result.state == "failed"
    states = {ti.task_id: ti.state for ti in result.get_task_instances()}
    assert states["resolve_window"] == "failed"
    assert states["extract"] in ("upstream_failed", None)
    assert fresh_sandbox.requests.count() == 0
    for table in ("ads.campaign_daily", "ads.ad_group_daily", "ads.campaigns", "ads_sync.sync_runs",
                  "ads_sync.account_status"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_out_of_range_param_is_refused_by_airflow(bag, fresh_sandbox) -> None:
    from airflow.sdk.exceptions import ParamValidationError

    with pytest.raises(ParamValidationError, match="weeks"):
        run(bag, "force_sync", {"weeks": 53})
    assert fresh_sandbox.requests.count() == 0


def test_dry_run_touches_neither_api_nor_warehouse(bag, db, fresh_sandbox) -> None:
    result = run(bag, "force_sync", {"preset": "last_7_days", "dry_run": True})
    assert result.state == "success"
    states = {ti.task_id: ti.state for ti in result.get_task_instances()}
    assert states == {"resolve_window": "success", "extract": "skipped", "merge": "skipped",
                      "reconcile": "skipped", "push_summaries": "skipped"}
    assert fresh_sandbox.requests.count() == 0
    assert db.execute("SELECT count(*) FROM ads_sync.sync_runs").fetchone()[0] == 0


def test_manager_account_sends_login_customer_id(bag, db, fresh_sandbox) -> None:
    assert run(bag, "daily", account="3456789012").state == "success"
    # customer requests (the custom report's field metadata request names no customer, issue 13)
    entries = [e for e in fresh_sandbox.requests.entries if e["service"] == "google_ads" and e["customer_id"]]
    assert entries and {e["login_customer_id"] for e in entries} == {"9990001112"}
