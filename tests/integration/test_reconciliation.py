"""Numbers that match the platform (issue 10), with dag.test() against the sandbox and a real PostgreSQL.

Every comparison here is with what the sandbox says the account's totals are (its own level=account /
FROM customer data), never with our own loaded numbers: archived, deleted and removed objects included.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sandbox import Fault, data, meta_data

ROOT = Path(__file__).resolve().parents[2]
META = "209715200654321"  # America/Chicago: an archived ad, a deleted ad, an archived and a deleted campaign
GOOGLE = "1234567890"  # Europe/Berlin, with a sheet: its third campaign is REMOVED and delivered

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@pytest.fixture(scope="module")
def registry():
    from ads_sync.registry import load_registry

    return load_registry(ROOT / "include" / "accounts.yaml")


def account(registry, account_id: str):
    return next(a for a in registry.accounts if a.account_id == account_id)


def run(bag, platform: str, account_id: str, kind: str, conf: dict | None = None):
    result = bag.get_dag(f"ads_sync__{platform}__{account_id}__{kind}").test(run_conf=conf)
    assert result.state == "success", [(t.task_id, t.state) for t in result.get_task_instances()]
    return result


def window_of(db, result) -> tuple[date, date]:
    return db.execute("SELECT window_start, window_end FROM ads_sync.sync_runs WHERE run_id = %s",
                      (result.run_id,)).fetchone()


def loaded_by_day(db, platform: str, account_id: str, start: date, end: date) -> dict[date, tuple]:
    rows = db.execute(
        "SELECT date, sum(cost), sum(impressions), sum(clicks) FROM ads.campaign_daily"
        " WHERE platform = %s AND account_id = %s AND date BETWEEN %s AND %s GROUP BY date",
        (platform, account_id, start, end),
    ).fetchall()
    return {r[0]: (r[1], int(r[2]), int(r[3])) for r in rows}


def meta_totals(start: date, end: date, as_of: date) -> dict[date, tuple]:
    """What the sandbox's Graph API serves as the account's level=account totals."""
    return {date.fromisoformat(r["date_start"]): (Decimal(r["spend"]), int(r["impressions"]), int(r["clicks"]))
            for _, r in meta_data.account_insights(META, start, end, as_of)}


def google_totals(start: date, end: date, as_of: date) -> dict[date, tuple]:
    """What the sandbox's FROM customer query serves (the sum of every ad group, removed ones included)."""
    out = {}
    day = start
    while day <= end:
        m = data.account_metrics(GOOGLE, day, as_of)
        if m is not None and m.impressions:
            out[day] = (Decimal(m.cost_micros) / 1_000_000, m.impressions, m.clicks)
        day += timedelta(days=1)
    return out


def assert_equals_platform(db, platform: str, result, as_of: date) -> None:
    start, end = window_of(db, result)
    expected = (meta_totals if platform == "meta" else google_totals)(start, end, as_of)
    account_id = META if platform == "meta" else GOOGLE
    assert loaded_by_day(db, platform, account_id, start, end) == expected  # to the cent, every day
    checks = db.execute(
        "SELECT state, count(DISTINCT date) FROM ads_sync.reconciliation WHERE run_id = %s GROUP BY state",
        (result.run_id,),
    ).fetchall()
    assert checks == [("match", (end - start).days + 1)]


def status_of(db, registry, account_id: str) -> dict:
    from ads_sync import status

    return status.account_rows(db, [account(registry, account_id)], now=datetime.now(UTC))[0]


def test_meta_archived_and_deleted_spend_lands_and_equals_the_account_totals(bag, db, fresh_sandbox, registry):
    as_of = fresh_sandbox.today
    statuses = {a.effective_status for a in meta_data.ads(META)}
    assert {"ARCHIVED", "DELETED"} <= statuses
    assert set(meta_data.campaign_status(META).values()) >= {"ARCHIVED", "DELETED"}

    daily = run(bag, "meta", META, "daily")
    assert_equals_platform(db, "meta", daily, as_of)
    weekly = run(bag, "meta", META, "weekly")  # async report run
    assert_equals_platform(db, "meta", weekly, as_of)
    # a short async window whose jobs keep failing: halves, then one job per campaign (deleted ones included)
    end = datetime.now(UTC).astimezone(ZoneInfo("America/Chicago")).date() - timedelta(days=2)
    fresh_sandbox.faults.add(Fault(service="meta", error="JOB_FAILED", customer_id=META, resource="async_report",
                                   times=3))
    split = run(bag, "meta", META, "force_sync",
                {"start_date": (end - timedelta(days=14)).isoformat(), "end_date": end.isoformat()})
    posts = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", customer_id=META)
             if e["resource"] == "async_report"]
    assert sum("campaign.id" in q for q in posts) == len(meta_data.campaign_objects(META))
    assert_equals_platform(db, "meta", split, as_of)
    force = run(bag, "meta", META, "force_sync", {"weeks": 4})
    assert_equals_platform(db, "meta", force, as_of)

    # entities in every status are stored with it; the deleted campaign's spend is on the deleted campaign
    stored = dict(db.execute("SELECT id, status FROM ads.ads WHERE account_id = %s", (META,)).fetchall())
    assert stored == {str(a.id): a.effective_status for a in meta_data.ads(META)}
    deleted = [c for c, s in meta_data.campaign_status(META).items() if s == "DELETED"][0]
    start, end = window_of(db, force)
    want = sum((Decimal(r["spend"]) for _, r in meta_data.insights(META, start, end, as_of)
                if r["campaign_id"] == str(deleted)), Decimal(0))
    got = db.execute("SELECT sum(cost) FROM ads.campaign_daily WHERE account_id = %s AND campaign_id = %s"
                     " AND date BETWEEN %s AND %s", (META, str(deleted), start, end)).fetchone()[0]
    assert want > 0 and got == want
    row = status_of(db, registry, META)
    assert row["status"] != "mismatch" and row["reconciled"].startswith(f"{row['reconciliation']['checked_days']}/")


def test_google_removed_objects_keep_their_metrics_and_equal_the_account_totals(bag, db, fresh_sandbox, registry):
    as_of = fresh_sandbox.today
    removed = [c for c in data.campaigns(GOOGLE) if c.status == "REMOVED"]
    assert len(removed) == 1
    for kind in ("daily", "weekly"):
        result = run(bag, "google_ads", GOOGLE, kind)
        assert_equals_platform(db, "google_ads", result, as_of)
    status, cost = db.execute(
        "SELECT c.status, sum(f.cost) FROM ads.campaigns c JOIN ads.campaign_daily f"
        " ON f.account_id = c.account_id AND f.campaign_id = c.id WHERE c.account_id = %s AND c.id = %s"
        " GROUP BY c.status", (GOOGLE, str(removed[0].id)),
    ).fetchone()
    assert status == "REMOVED" and cost > 0
    assert db.execute("SELECT count(*) FROM ads.ad_groups WHERE account_id = %s AND status = 'REMOVED'",
                      (GOOGLE,)).fetchone()[0] == sum(1 for g in data.ad_groups(GOOGLE) if g.status == "REMOVED")
    # one request per run for the check, counted in the sync log
    queries = [e["query"] for e in fresh_sandbox.requests.filter(service="google_ads", customer_id=GOOGLE)]
    assert sum("FROM customer" in q for q in queries) == 2


def dropped_meta_row(start: date, end: date, as_of: date) -> dict:
    """The row DROP_ROW leaves out: the first one the account node serves (first day, first listed ad)."""
    _, row = next(iter(meta_data.insights(META, start, end, as_of, statuses=meta_data.DEFAULT_STATUSES | {"ARCHIVED"})))
    return row


def test_a_dropped_row_makes_the_meta_account_mismatch_and_the_next_clean_run_clears_it(
    bag, db, fresh_sandbox, registry, migrated_warehouse
):
    from ads_sync import cli

    fresh_sandbox.faults.add(Fault(service="meta", error="DROP_ROW", customer_id=META, resource="insights"))
    bad = run(bag, "meta", META, "daily")
    start, end = window_of(db, bad)
    dropped = dropped_meta_row(start, end, fresh_sandbox.today)
    day, spend = date.fromisoformat(dropped["date_start"]), Decimal(dropped["spend"])
    row = status_of(db, registry, META)
    assert row["status"] == "mismatch"
    days = (end - start).days + 1
    assert row["reconciled"] == f"{days - 1}/{days}, largest {day} cost -{spend.normalize():f}"
    differs = {(m["date"], m["metric"]): Decimal(m["difference"]) for m in row["reconciliation"]["mismatches"]}
    assert differs[(day.isoformat(), "cost")] == -spend
    assert differs[(day.isoformat(), "impressions")] == -int(dropped["impressions"])
    key = account(registry, META).key
    dag_id = f"ads_sync__meta__{META}__daily"
    lines = cli._reconciled_lines(migrated_warehouse, [(key, dag_id, bad.run_id)])
    assert f"reconciled: {key} differs from the platform on {day} cost -{spend.normalize():f}" in "\n".join(lines)
    assert lines[-1] == f"reconciled: 0 of 1 accounts match their platform totals ({days} days checked)"
    # nothing was invented to cover the difference
    platform_spend = meta_totals(day, day, fresh_sandbox.today)[day][0]
    assert loaded_by_day(db, "meta", META, day, day)[day][0] == platform_spend - spend

    clean = run(bag, "meta", META, "daily")
    row = status_of(db, registry, META)
    assert row["status"] != "mismatch" and row["reconciliation"]["mismatches"] == []
    assert cli._reconciled_lines(migrated_warehouse, [(key, dag_id, clean.run_id)]) == [
        f"reconciled: 1 of 1 accounts match their platform totals ({days} days checked)"]


def test_a_dropped_google_row_shows_in_the_sheet_until_a_clean_run(bag, db, fresh_sandbox, registry):
    from ads_sync.hooks.sheets import SheetsHook

    # nth=2: the first FROM campaign request reads the entities, the second the campaign report
    fresh_sandbox.faults.add(Fault(service="google_ads", error="DROP_ROW", customer_id=GOOGLE, resource="campaign",
                                   nth=2))
    run(bag, "google_ads", GOOGLE, "daily")
    assert status_of(db, registry, GOOGLE)["status"] == "mismatch"
    sheet = account(registry, GOOGLE).sheet
    summary = SheetsHook().get_client().open_by_key(sheet).worksheet("Summary").get_values()
    line = next(r for r in summary if r[0] == "Matches platform")
    # columns: yesterday, day before, change, last 7 days, ...: the dropped row is the window's first day
    assert line[4].startswith("differs: ") and "cost -" in line[4] and line[4].endswith("(1 day)")
    loaded_line = next(r for r in summary if r[0] == "Days loaded")
    assert loaded_line[4] == "7 of 7" and loaded_line[5] == "0 of 7"
    spend = next(r for r in summary if r[0].startswith("Spend"))
    assert spend[5] == "no data"  # never loaded: not 0
    titles = [ws.title for ws in SheetsHook().get_client().open_by_key(sheet).worksheets()]
    assert "Sheet1" not in titles

    run(bag, "google_ads", GOOGLE, "daily")
    assert status_of(db, registry, GOOGLE)["status"] != "mismatch"
    summary = SheetsHook().get_client().open_by_key(sheet).worksheet("Summary").get_values()
    assert next(r for r in summary if r[0] == "Matches platform")[4] == "matches"


def test_money_that_breaks_floats_loads_and_reconciles_exactly(db, registry, migrated_warehouse):
    """0.1 + 0.2, 1 micro, 10^12 micros and Meta's "1234.56", through the real row mapping, staging, merge
    and comparison (platform payloads built by hand: the values the sandbox's generator never produces)."""
    import psycopg
    from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow

    from ads_sync import pipeline, reconcile
    from ads_sync.pipeline import Step
    from ads_sync.sources.google_ads import reports as google_ads
    from ads_sync.sources.meta import reports as meta
    from ads_sync.tables import CAMPAIGN_DAILY
    from ads_sync.windows import Window

    day = date(2026, 11, 2)
    window = Window(day, day + timedelta(days=1), "test")

    def gad(campaign: int, d: date, micros: int, conv: float) -> object:
        row = GoogleAdsRow.pb()()
        row.campaign.id, row.segments.date = campaign, d.isoformat()
        row.metrics.impressions, row.metrics.clicks, row.metrics.cost_micros = 1, 1, micros
        row.metrics.conversions, row.metrics.conversions_value = conv, conv
        return row

    ours = [gad(1, day, 100_000, 0.1), gad(2, day, 200_000, 0.2), gad(1, day + timedelta(days=1), 1, 0.0),
            gad(2, day + timedelta(days=1), 10**12, 0.0)]
    platform = [gad(0, day, 300_000, 0.1 + 0.2), gad(0, day + timedelta(days=1), 10**12 + 1, 0.0)]
    for row in platform:  # two campaigns' impressions and clicks a day
        row.metrics.impressions, row.metrics.clicks = 2, 2
    google = account(registry, GOOGLE)
    query = google_ads.REPORT_QUERIES["campaign_daily"]
    with psycopg.connect(migrated_warehouse) as conn:
        pipeline.extract(conn, [Step(CAMPAIGN_DAILY, "test", lambda: google_ads.map_rows(query, window, ours))],
                         load_id="money/g", account=google, classify=lambda e: e, policy=_policy())
        pipeline.merge(conn, [CAMPAIGN_DAILY], load_id="money/g", account=google, window=window, run=None)
        with conn.transaction():
            outcome = reconcile.check(conn, google, start=window.start, end=window.end,
                                      platform_totals=list(google_ads.account_totals(platform)),
                                      dag_id="money", run_id="g", now=datetime.now(UTC))
    assert outcome.mismatches == () and outcome.days_checked == 2
    assert loaded_by_day(db, "google_ads", GOOGLE, day, day + timedelta(days=1)) == {
        day: (Decimal("0.300000"), 2, 2), day + timedelta(days=1): (Decimal("1000000.000001"), 2, 2)}

    objs = [{"date_start": day.isoformat(), "date_stop": day.isoformat(), "ad_id": "7", "adset_id": "8",
             "campaign_id": "9", "impressions": "3", "clicks": "1", "spend": "1234.56",
             "actions": [{"action_type": "purchase", "7d_click": "0.1", "1d_view": "0.2"}]}]
    totals = [{"date_start": day.isoformat(), "date_stop": day.isoformat(), "impressions": "3", "clicks": "1",
               "spend": "1234.56", "actions": [{"action_type": "purchase", "7d_click": "0.3"}]}]
    fb = account(registry, META)
    with psycopg.connect(migrated_warehouse) as conn:
        from ads_sync.pipeline import Rollup
        from ads_sync.tables import AD_DAILY

        rollup = [Rollup(CAMPAIGN_DAILY, "rollup/campaign_daily_from_ad_daily.sql", AD_DAILY)]
        pipeline.extract(conn, [Step(AD_DAILY, "test", lambda: meta.insight_rows(objs, (day, day), ["purchase"]))],
                         load_id="money/m", account=fb, classify=lambda e: e, policy=_policy(), rollups=rollup)
        pipeline.merge(conn, [AD_DAILY, CAMPAIGN_DAILY], load_id="money/m", account=fb, window=Window(day, day, "t"),
                       run=None)
        with conn.transaction():
            outcome = reconcile.check(conn, fb, start=day, end=day, dag_id="money", run_id="m",
                                      platform_totals=[meta.account_total(t, ["purchase"]) for t in totals],
                                      now=datetime.now(UTC))
    assert outcome.mismatches == ()
    assert db.execute("SELECT cost, conversions FROM ads.campaign_daily WHERE account_id = %s", (META,)).fetchone() == (
        Decimal("1234.560000"), Decimal("0.300000"))


def _policy():
    from ads_sync.retry import RetryPolicy

    return RetryPolicy()


def test_an_unchanged_rerun_records_its_checks_and_changes_no_row(bag, db, fresh_sandbox):
    first = run(bag, "google_ads", GOOGLE, "daily")
    second = run(bag, "google_ads", GOOGLE, "daily")
    counts = db.execute("SELECT rows_inserted, rows_updated, rows_deleted, api_requests FROM ads_sync.sync_runs"
                        " WHERE run_id = %s", (second.run_id,)).fetchone()
    assert counts[:3] == (0, 0, 0) and counts[3] == 5  # entities, 2 reports, the check
    per_run = defaultdict(set)
    for run_id, state in db.execute("SELECT run_id, state FROM ads_sync.reconciliation").fetchall():
        per_run[run_id].add(state)
    assert per_run == {first.run_id: {"match"}, second.run_id: {"match"}}
