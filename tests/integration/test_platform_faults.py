"""Issue 11's faults over the wire, through the real DAGs (dag.test) and the real client libraries: each error
the platforms send ends as they mean it. The bodies are the sandbox's recorded shapes (sandbox/meta.py,
sandbox/google_ads_errors.py name their public sources); tests/unit/test_platform_errors.py holds the bodies
as the issue threads and docs record them."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sandbox import Fault

ROOT = Path(__file__).resolve().parents[2]
GOOGLE = "1234567890"
META = "209715200654321"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def dag(bag, platform: str, account: str, kind: str = "daily"):
    return bag.dags[f"ads_sync__{platform}__{account}__{kind}"]


def run_log(db, run) -> tuple:
    return db.execute("SELECT status, error FROM ads_sync.sync_runs WHERE run_id = %s AND dag_id = %s",
                      (run.run_id, run.dag_id)).fetchone()


def account_status(db, account: str) -> tuple:
    return db.execute("SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s",
                      (account,)).fetchone()


def fact_rows(db, account: str, table: str) -> list[tuple]:
    return db.execute(f"SELECT date, impressions, clicks, cost FROM ads.{table} WHERE account_id = %s"
                      " ORDER BY 1, 2, 3, 4", (account,)).fetchall()


def try_number(run, task_id: str) -> int:
    return next(ti.try_number for ti in run.get_task_instances() if ti.task_id == task_id)


# -- Google Ads ------------------------------------------------------------------------------------------


def refresh_grants(sandbox) -> int:
    return sum(1 for e in sandbox.requests.filter(service="oauth") if e.get("grant_type") == "refresh_token")


def test_google_token_called_expired_is_refreshed_once_and_the_run_finishes(bag, db, fresh_sandbox) -> None:
    assert dag(bag, "google_ads", GOOGLE).test().state == "success"
    clean = refresh_grants(fresh_sandbox)  # one per hook: the extract's, the reconcile's
    fresh_sandbox.reset()
    fresh_sandbox.faults.add(Fault(service="google_ads", error="TOKEN_EXPIRED", customer_id=GOOGLE, nth=1))
    run = dag(bag, "google_ads", GOOGLE).test()
    assert run.state == "success" and run_log(db, run)[0] == "success"
    assert try_number(run, "extract") == 1  # inside the task: no Airflow retry, no auth_failed
    assert account_status(db, GOOGLE)[0] == "idle"
    assert refresh_grants(fresh_sandbox) == clean + 1  # exactly one refresh more
    streams = fresh_sandbox.requests.filter(service="google_ads", customer_id=GOOGLE)
    assert streams[0]["status"] != "OK" and streams[1]["status"] == "OK"
    assert fact_rows(db, GOOGLE, "campaign_daily")


def test_google_customer_not_enabled_skips_the_run_and_marks_the_account_disabled(bag, db, fresh_sandbox) -> None:
    from ads_sync import status
    from ads_sync.registry import load_registry

    fresh_sandbox.faults.add(Fault(service="google_ads", error="CUSTOMER_NOT_ENABLED", customer_id=GOOGLE,
                                   times=-1))
    run = dag(bag, "google_ads", GOOGLE).test()
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["extract"] == "skipped" and states["merge"] == "skipped"
    assert run.state != "failed"
    log_status, log_error = run_log(db, run)
    assert log_status == "skipped" and "not enabled" in log_error
    assert account_status(db, GOOGLE)[0] == "disabled"
    accounts = [a for a in load_registry(ROOT / "include" / "accounts.yaml").accounts if a.account_id == GOOGLE]
    [row] = status.account_rows(db, accounts, now=datetime.now(UTC))
    assert row["status"] == "disabled" and "deactivated" in row["last_error"]


def test_google_long_term_quota_fails_at_once_with_the_message(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="google_ads", error="LONG_TERM_QUOTA", customer_id=GOOGLE, times=-1))
    run = dag(bag, "google_ads", GOOGLE).test()
    assert run.state == "failed"
    assert try_number(run, "extract") == 1
    assert fresh_sandbox.requests.count(service="google_ads", customer_id=GOOGLE) == 1  # not retried as short-term
    log_status, log_error = run_log(db, run)
    assert log_status == "failed" and "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION" in log_error
    assert "long term" in log_error and account_status(db, GOOGLE)[0] == "failed"


def test_google_stream_has_a_deadline(fresh_sandbox) -> None:
    """A stream that hangs ends as DEADLINE_EXCEEDED (transient) instead of holding the worker."""
    from ads_sync.errors import TransientApiError
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    hook = GoogleAdsApiHook(stream_deadline_s=1)
    fresh_sandbox.faults.add(Fault(service="google_ads", error="SLOW", customer_id=GOOGLE, delay_s=4))
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        list(hook.search_stream(GOOGLE, "SELECT campaign.id FROM campaign"))
    assert time.monotonic() - started < 4
    error = hook.classify(caught.value)
    assert isinstance(error, TransientApiError) and "DEADLINE_EXCEEDED" in str(error)


# -- Meta ------------------------------------------------------------------------------------------------


def test_meta_reduce_the_amount_of_data_splits_the_request_and_loads_the_window_whole(bag, db, fresh_sandbox) -> None:
    clean = dag(bag, "meta", META).test()
    assert clean.state == "success"
    reference = fact_rows(db, META, "ad_daily")
    db.execute("TRUNCATE ads.ad_daily, ads.ad_group_daily, ads.campaign_daily")
    fresh_sandbox.reset()
    fresh_sandbox.faults.add(Fault(service="meta", error="REDUCE_DATA", customer_id=META, resource="insights", nth=1))
    run = dag(bag, "meta", META).test()
    assert run.state == "success" and try_number(run, "extract") == 1
    assert fact_rows(db, META, "ad_daily") == reference
    insights = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", resource="insights")]
    campaigns = fresh_sandbox.requests.count(service="meta", resource="campaigns")
    # the refused request, then one per campaign (a 7-day window is split by campaign, not by days)
    assert len(insights) >= 3 and all("campaign.id" in q for q in insights[1:])
    assert campaigns == 2  # the entity step, and the campaign ids for the split


def test_meta_throttle_of_a_minute_defers_without_a_worker_and_then_finishes(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="THROTTLED", customer_id=META, resource="insights", nth=1))
    run = dag(bag, "meta", META).test()
    assert run.state == "success" and run_log(db, run)[0] == "success"
    assert try_number(run, "extract") == 1  # deferred and resumed, not failed and retried
    insights = fresh_sandbox.requests.filter(service="meta", resource="insights")
    assert insights[0]["status"] == 17 and insights[-1]["status"] == "OK"
    assert fact_rows(db, META, "ad_daily")


def test_an_account_never_synced_shows_no_gap_count_not_zero(db) -> None:
    """No history means the gaps are unknown: null in JSON and '-' in the table, never a reassuring 0."""
    import dataclasses
    import json

    from ads_sync import status
    from ads_sync.registry import load_registry

    [known] = [a for a in load_registry(ROOT / "include" / "accounts.yaml").accounts if a.account_id == GOOGLE]
    never = dataclasses.replace(known, account_id="9876543210", name="Never synced")
    [row] = status.account_rows(db, [never], now=datetime.now(UTC))
    assert row["status"] == "never_synced" and row["gaps_90d"] is None
    assert json.loads(status.render_json([row]))["accounts"][0]["gaps_90d"] is None
    header, line = status.render_table([row]).splitlines()[-2:]
    at = header.index("gaps_90d")
    assert line[at:at + len("gaps_90d")].strip() == "-", (header, line)
