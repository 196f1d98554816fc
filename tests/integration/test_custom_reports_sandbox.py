"""Custom reports end to end against the sandbox (its GoogleAdsFieldService and segments.device) and a real
PostgreSQL: the demo registry's `campaign_by_device` loaded by the daily DAG lands in ads_custom, typed from
the API's field metadata, and its devices sum exactly to the campaign's day the platform serves; a field the
API does not know is refused before any report request.

NEEDS h-sandbox's work (GoogleAdsApiHook.field_metadata, sources/google_ads/fields.py, segments.device in the
sandbox): these tests fail on a tree without it. The Meta test further needs sources/meta/custom.py and the
sandbox's Meta breakdowns."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox import data

ROOT = Path(__file__).resolve().parents[2]
SURF = "3456789012"  # Sunset Surf: `custom_reports: [campaign_by_device]` in the demo registry
FJORD = "104857600123456"  # Fjord & Fell: `custom_reports: [adset_by_age_gender]`

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def window(db, run) -> tuple[date, date]:
    return db.execute("SELECT window_start, window_end FROM ads_sync.sync_runs WHERE run_id = %s",
                      (run.run_id,)).fetchone()


def test_campaign_by_device_sums_to_the_platforms_campaign_days(bag, db, fresh_sandbox) -> None:
    run = bag.get_dag(f"ads_sync__google_ads__{SURF}__daily").test()
    assert run.state == "success"
    first, last = window(db, run)

    # typed from GoogleAdsFieldService: ids bigint, the device an enum name, cost exact from micros
    types = dict(db.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
                            " 'ads_custom' AND table_name = 'campaign_by_device'").fetchall())
    assert types == {"platform": "text", "account_id": "text", "date": "date", "campaign_id": "bigint",
                     "device": "text", "impressions": "bigint", "clicks": "bigint", "cost": "numeric",
                     "conversions": "numeric", "updated_at": "timestamp with time zone"}
    devices = {r[0] for r in db.execute("SELECT DISTINCT device FROM ads_custom.campaign_by_device").fetchall()}
    assert devices and devices <= {"MOBILE", "DESKTOP", "TABLET", "CONNECTED_TV", "OTHER"}

    summed = {(d, str(c)): (i, k, cost) for d, c, i, k, cost in db.execute(
        "SELECT date, campaign_id, sum(impressions), sum(clicks), sum(cost) FROM ads_custom.campaign_by_device"
        " WHERE account_id = %s GROUP BY 1, 2", (SURF,)).fetchall()}
    served = {}
    for campaign in data.campaigns(SURF):
        day = first
        while day <= last:
            m = data.campaign_metrics(SURF, campaign.id, day, fresh_sandbox.today)
            if m is not None and m.impressions:
                served[(day, str(campaign.id))] = (m.impressions, m.clicks, Decimal(m.cost_micros) / 1_000_000)
            day += timedelta(days=1)
    assert served and summed == served
    # and the campaign report of the same run says the same
    loaded = {(d, c): (i, k, cost) for d, c, i, k, cost in db.execute(
        "SELECT date, campaign_id, impressions, clicks, cost FROM ads.campaign_daily WHERE account_id = %s",
        (SURF,)).fetchall()}
    assert loaded == summed

    # the same ledger as every report: each window day, as `custom:<name>`
    coverage = dict(db.execute("SELECT report, count(*) FROM ads_sync.coverage WHERE account_id = %s"
                               " GROUP BY report", (SURF,)).fetchall())
    assert coverage["custom:campaign_by_device"] == (last - first).days + 1
    queries = [e["query"] for e in fresh_sandbox.requests.filter(service="google_ads", customer_id=SURF)]
    custom_query = [q for q in queries if q and "segments.device" in q]
    assert len(custom_query) == 1 and f"segments.date BETWEEN '{first}' AND '{last}'" in custom_query[0]

    # a re-run changes nothing: every day's fingerprint matches
    again = bag.get_dag(f"ads_sync__google_ads__{SURF}__daily").test()
    assert again.state == "success"
    assert db.execute("SELECT rows_inserted, rows_updated, rows_deleted FROM ads_sync.sync_runs WHERE run_id = %s",
                      (again.run_id,)).fetchone() == (0, 0, 0)


def test_an_unknown_field_is_refused_before_any_report_request(db, sandbox, fresh_sandbox) -> None:
    import psycopg

    from ads_sync import pipeline
    from ads_sync.errors import InvalidRequest
    from ads_sync.registry import parse_registry
    from ads_sync.retry import RetryPolicy
    from ads_sync.sources.google_ads.connector import GoogleAdsConnector
    from ads_sync.windows import Window

    registry = parse_registry({"accounts": [{
        "platform": "google_ads", "account_id": "2345678901", "name": "Kiwi", "timezone": "Pacific/Auckland",
        "currency": "NZD", "custom_reports": [{"name": "typo", "platform": "google_ads", "query":
                                               "SELECT campaign.id, segments.date, metrics.clikcs FROM campaign"}]}]})
    assert not registry.errors  # well-formed: only the API knows the field does not exist
    account = registry.accounts[0]
    connector = GoogleAdsConnector(account)
    end = fresh_sandbox.today - timedelta(days=1)
    steps = connector.steps(Window(end - timedelta(days=6), end))
    with psycopg.connect(db.info.dsn) as conn, \
            pytest.raises(InvalidRequest, match="metrics.clikcs is not a Google Ads"):
        pipeline.extract(conn, steps, load_id="t/typo", account=account, classify=connector.classify,
                         policy=RetryPolicy())
    # the field check was the one request: no SearchStream, not even the entities'
    assert [e["method"] for e in fresh_sandbox.requests.filter(service="google_ads")] == ["SearchGoogleAdsFields"]
    assert db.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'typo'").fetchone()[0] == 0


def test_adset_by_age_gender_sums_to_the_ad_sets(bag, db, fresh_sandbox) -> None:
    """NEEDS h-sandbox's sources/meta/custom.py and Meta breakdowns in the sandbox."""
    pytest.importorskip("ads_sync.sources.meta.custom")
    run = bag.get_dag(f"ads_sync__meta__{FJORD}__daily").test()
    assert run.state == "success"
    first, last = window(db, run)
    types = dict(db.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema ="
                            " 'ads_custom' AND table_name = 'adset_by_age_gender'").fetchall())
    assert types == {"platform": "text", "account_id": "text", "date": "date", "adset_id": "text", "age": "text",
                     "gender": "text", "impressions": "bigint", "clicks": "bigint", "spend": "numeric",
                     "actions_purchase": "numeric", "action_values_purchase": "numeric",
                     "updated_at": "timestamp with time zone"}
    summed = {(d, a): (i, c, s, p) for d, a, i, c, s, p in db.execute(
        "SELECT date, adset_id, sum(impressions), sum(clicks), sum(spend), sum(actions_purchase)"
        " FROM ads_custom.adset_by_age_gender WHERE account_id = %s GROUP BY 1, 2", (FJORD,)).fetchall()}
    rolled = {(d, a): (i, c, s) for d, a, i, c, s in db.execute(
        "SELECT date, ad_group_id, impressions, clicks, cost FROM ads.ad_group_daily WHERE account_id = %s"
        " AND impressions > 0", (FJORD,)).fetchall()}
    # the ad sets' age and gender rows sum to the ad sets' days (rolled up from the ad rows of the same run),
    # except for deleted ads: the account node never returns them, and only ad rows are read again by id
    with_deleted = {r[0] for r in db.execute("SELECT DISTINCT ad_group_id FROM ads.ads WHERE account_id = %s"
                                             " AND status = 'DELETED'", (FJORD,)).fetchall()}
    assert summed and {k: v[:3] for k, v in summed.items() if k[1] not in with_deleted} == \
        {k: v for k, v in rolled.items() if k[1] not in with_deleted}
    assert all(summed.get(k, (0, 0, 0))[2] <= v[2] for k, v in rolled.items() if k[1] in with_deleted)
    coverage = db.execute("SELECT count(*), sum(cost) FROM ads_sync.coverage WHERE account_id = %s AND report ="
                          " 'custom:adset_by_age_gender'", (FJORD,)).fetchone()
    assert coverage == ((last - first).days + 1, sum(v[2] for v in summed.values()))  # the ledger's cost is spend
