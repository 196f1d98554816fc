"""Every Meta DAG kind with dag.test() against the sandbox's Graph API and a real PostgreSQL: the synchronous
path (daily), the async path (weekly, force_sync of 52 weeks with a failed report run that is split),
throttling that pauses and resumes, an expired token that fails at once."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sandbox import Fault, meta_data

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "209715200654321"  # America/Chicago: west of UTC; counts purchases and registrations
TZ = ZoneInfo("America/Chicago")
OTHER = "104857600123456"  # Europe/Oslo, default action types

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def run(bag, kind: str, conf: dict | None = None, account: str = ACCOUNT):
    return bag.get_dag(f"ads_sync__meta__{account}__{kind}").test(run_conf=conf)


def today_local(tz: ZoneInfo = TZ) -> date:
    return datetime.now(UTC).astimezone(tz).date()


def sync_row(db, result) -> dict:
    cur = db.execute(
        "SELECT status, window_start, window_end, api_requests, rows_extracted, rows_inserted, rows_updated,"
        " rows_unchanged, rows_deleted, error FROM ads_sync.sync_runs WHERE run_id = %s AND dag_id LIKE %s",
        (result.run_id, "%meta%"),
    )
    return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))


def facts(db, account: str = ACCOUNT) -> tuple[int, Decimal, int]:
    return db.execute(
        "SELECT count(*), coalesce(sum(cost), 0), coalesce(sum(impressions), 0) FROM ads.ad_daily"
        " WHERE platform = 'meta' AND account_id = %s", (account,)
    ).fetchone()


def assert_rollups_match(db, account: str = ACCOUNT) -> None:
    for table, key in (("campaign_daily", "campaign_id"), ("ad_group_daily", "ad_group_id")):
        mismatch = db.execute(
            f"SELECT count(*) FROM ads.{table} t FULL JOIN ("
            f"  SELECT date, {key}, sum(cost) cost, sum(clicks) clicks, sum(conversions) conv FROM ads.ad_daily"
            f"  WHERE account_id = %s GROUP BY 1, 2) a USING (date, {key})"
            f" WHERE (t.account_id = %s OR t.account_id IS NULL)"
            f"   AND (t.cost IS DISTINCT FROM a.cost OR t.clicks IS DISTINCT FROM a.clicks"
            f"        OR t.conversions IS DISTINCT FROM a.conv)", (account, account),
        ).fetchone()[0]
        assert mismatch == 0, table


def test_daily_uses_the_sync_endpoint_loads_ads_rolls_up_and_a_rerun_changes_nothing(bag, db, fresh_sandbox) -> None:
    first = run(bag, "daily")
    assert first.state == "success"
    yesterday = today_local() - timedelta(days=1)
    start = yesterday - timedelta(days=6)
    log = sync_row(db, first)
    assert (log["status"], log["window_start"], log["window_end"]) == ("success", start, yesterday)
    expected = meta_data.expected(ACCOUNT, start, yesterday, fresh_sandbox.today)
    assert facts(db) == (expected.rows, expected.spend, expected.impressions)
    assert_rollups_match(db)
    requests = fresh_sandbox.requests.filter(service="meta", customer_id=ACCOUNT)
    # the ad rows, the deleted ads' rows by id (issue 10) and the reconciliation's account totals (issue 10)
    assert sorted(e["resource"] for e in requests) == [
        "account_insights", "ads", "adsets", "campaigns", "insights", "insights_by_id"]
    assert log["api_requests"] == len(requests)
    assert all("access_token" not in (e["query"] or "") for e in requests)
    entities = db.execute(
        "SELECT (SELECT count(*) FROM ads.campaigns WHERE account_id = %(a)s),"
        " (SELECT count(*) FROM ads.ad_groups WHERE account_id = %(a)s),"
        " (SELECT count(*) FROM ads.ads WHERE account_id = %(a)s),"
        " (SELECT count(*) FROM ads.campaigns WHERE account_id = %(a)s AND daily_budget IS NOT NULL)"
        " + (SELECT count(*) FROM ads.ad_groups WHERE account_id = %(a)s"
        "    AND coalesce(daily_budget, lifetime_budget) IS NOT NULL)", {"a": ACCOUNT},
    ).fetchone()
    assert entities[:3] == (len(meta_data.campaign_objects(ACCOUNT)), len(meta_data.adset_objects(ACCOUNT)),
                            len(meta_data.ads(ACCOUNT)))
    assert entities[3] > 0
    # conversions are this account's action types only: purchases and registrations, every window
    wanted = {"purchase", "complete_registration"}
    want = sum(
        (Decimal(a["value"]) for _, row in meta_data.insights(ACCOUNT, start, yesterday, fresh_sandbox.today)
         for a in row["actions"] if a["action_type"] in wanted), Decimal(0))
    loaded = db.execute("SELECT sum(conversions) FROM ads.ad_daily WHERE account_id = %s", (ACCOUNT,)).fetchone()[0]
    assert loaded == want

    second = run(bag, "daily")
    again = sync_row(db, second)
    assert second.state == "success"
    assert again["rows_inserted"] == again["rows_updated"] == again["rows_deleted"] == 0
    assert again["rows_unchanged"] == log["rows_inserted"]


def test_one_query_answers_spend_per_day_per_platform(bag, db, fresh_sandbox) -> None:
    assert run(bag, "daily", account=OTHER).state == "success"
    assert bag.get_dag("ads_sync__google_ads__1234567890__daily").test().state == "success"
    rows = db.execute(
        "SELECT date, platform, sum(cost) FROM ads.campaign_daily GROUP BY 1, 2 ORDER BY 1, 2"
    ).fetchall()
    assert {r[1] for r in rows} == {"google_ads", "meta"}
    meta_spend = sum(r[2] for r in rows if r[1] == "meta")
    assert meta_spend == facts(db, OTHER)[1]


def test_weekly_goes_through_one_async_report_run(bag, db, fresh_sandbox) -> None:
    result = run(bag, "weekly", account=OTHER)
    assert result.state == "success"
    log = sync_row(db, result)
    assert log["window_end"] - log["window_start"] == timedelta(days=69)
    expected = meta_data.expected(OTHER, log["window_start"], log["window_end"], fresh_sandbox.today)
    assert facts(db, OTHER) == (expected.rows, expected.spend, expected.impressions)
    assert_rollups_match(db, OTHER)
    requests = fresh_sandbox.requests.filter(service="meta", customer_id=OTHER)
    # the account's custom report (adset_by_age_gender, issue 13) is read synchronously, by breakdown
    resources = [e["resource"] for e in requests if "breakdowns" not in (e["query"] or "")]
    assert resources.count("async_report") == 1 and "insights" not in resources
    assert resources.count("report_run") >= 2  # polled until completed
    assert log["api_requests"] == len(requests)


def test_force_sync_52_weeks_with_a_failed_report_run_is_split_and_completes(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="JOB_FAILED", customer_id=ACCOUNT, resource="async_report"))
    result = run(bag, "force_sync", {"weeks": 52})
    assert result.state == "success"
    log = sync_row(db, result)
    assert log["window_end"] - log["window_start"] == timedelta(days=52 * 7 - 1)
    expected = meta_data.expected(ACCOUNT, log["window_start"], log["window_end"], fresh_sandbox.today)
    assert facts(db) == (expected.rows, expected.spend, expected.impressions)
    assert log["rows_extracted"] >= expected.rows
    assert_rollups_match(db)
    requests = fresh_sandbox.requests.filter(service="meta", customer_id=ACCOUNT)
    posts = [e for e in requests if e["resource"] == "async_report"]
    assert len(posts) == 3  # the whole year, failed; then its two halves
    assert log["api_requests"] == len(requests)
    dates = db.execute("SELECT min(date), max(date), count(DISTINCT date) FROM ads.campaign_daily"
                       " WHERE account_id = %s", (ACCOUNT,)).fetchone()
    assert dates[0] >= log["window_start"] and dates[1] <= log["window_end"] and dates[2] > 300


def test_a_short_window_that_keeps_failing_is_split_by_campaign(bag, db, fresh_sandbox) -> None:
    end = today_local() - timedelta(days=2)
    start = end - timedelta(days=14)  # 15 days: async
    fresh_sandbox.faults.add(Fault(service="meta", error="JOB_FAILED", customer_id=ACCOUNT,
                                   resource="async_report", times=3))
    result = run(bag, "force_sync", {"start_date": start.isoformat(), "end_date": end.isoformat()})
    assert result.state == "success"
    expected = meta_data.expected(ACCOUNT, start, end, fresh_sandbox.today)
    assert facts(db) == (expected.rows, expected.spend, expected.impressions)
    posts = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", customer_id=ACCOUNT)
             if e["resource"] == "async_report"]
    # 15 days failed; 7 + 8 days failed; the 7 days per campaign (3), the 8 days in halves (2)
    assert len(posts) == 3 + 3 + 2
    assert sum("campaign.id" in q for q in posts) == 3


def test_throttling_pauses_and_resumes(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="USAGE_HIGH", customer_id=ACCOUNT, resource="adsets"))
    fresh_sandbox.faults.add(Fault(service="meta", error="APP_LIMIT", customer_id=ACCOUNT, resource="insights"))
    result = run(bag, "daily")
    assert result.state == "success"
    log = sync_row(db, result)
    expected = meta_data.expected(ACCOUNT, log["window_start"], log["window_end"], fresh_sandbox.today)
    assert facts(db) == (expected.rows, expected.spend, expected.impressions)
    requests = fresh_sandbox.requests.filter(service="meta", customer_id=ACCOUNT)
    # then the deleted ads by id and the reconciliation's account totals (issue 10): one request each
    assert [e["resource"] for e in requests] == ["campaigns", "adsets", "ads", "insights", "insights",
                                                 "insights_by_id", "account_insights"]
    at = [datetime.fromisoformat(e["at"]) for e in requests]
    assert at[2] - at[1] >= timedelta(seconds=2)  # usage at 80 %: paused before the next request
    assert requests[3]["status"] == 4 and requests[4]["status"] == "OK"  # code 4, retried
    assert log["api_requests"] == 7


def test_expired_token_fails_at_once_without_retries(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="TOKEN_EXPIRED", times=-1))
    result = run(bag, "daily")
    assert result.state == "failed"
    extract = [ti for ti in result.get_task_instances() if ti.task_id == "extract"][0]
    assert extract.try_number == 1
    assert fresh_sandbox.requests.count(service="meta") == 1
    status, error = db.execute(
        "SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s", (ACCOUNT,)
    ).fetchone()
    assert status == "auth_failed" and "access token" in error and "sandbox-meta-access-token" not in error
    assert facts(db)[0] == 0


def test_dry_run_of_a_year_requests_nothing(bag, db, fresh_sandbox) -> None:
    result = run(bag, "force_sync", {"weeks": 52, "dry_run": True})
    assert result.state == "success"
    assert fresh_sandbox.requests.count(service="meta") == 0
    assert db.execute("SELECT count(*) FROM ads_sync.sync_runs").fetchone()[0] == 0
