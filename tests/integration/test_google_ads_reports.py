"""The opt-in Google Ads reports (ad_daily, keyword_daily) loaded by the daily DAG against the sandbox and
a real PostgreSQL: every loaded row equals what the platform serves (the sandbox's own numbers), they go
through the same merge and coverage ledger, and an account that does not opt in asks for nothing more."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from sandbox import data

ROOT = Path(__file__).resolve().parents[2]
OPTED_IN = "3456789012"  # Sunset Surf: `reports:` names ad_daily and keyword_daily
DEFAULT = "2345678901"  # Kiwi Coffee: no `reports:`, the default set

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def daily(bag, account: str):
    run = bag.get_dag(f"ads_sync__google_ads__{account}__daily").test()
    assert run.state == "success"
    return run


def window(db, run) -> tuple[date, date]:
    return db.execute("SELECT window_start, window_end FROM ads_sync.sync_runs WHERE run_id = %s",
                      (run.run_id,)).fetchone()


def served(days: tuple[date, date], as_of: date, entities, metrics) -> dict[tuple, tuple]:
    """What the platform reports per (date, entity key): rows without impressions are not served."""
    out = {}
    day = days[0]
    while day <= days[1]:
        for entity, key in entities:
            m = metrics(entity, day, as_of)
            if m is not None and m.impressions:
                out[(day, *key)] = (m.impressions, m.clicks, Decimal(m.cost_micros) / 1_000_000,
                                    Decimal(f"{m.conversions:.2f}"), Decimal(f"{m.conversion_value:.2f}"))
        day = date.fromordinal(day.toordinal() + 1)
    return out


def loaded(db, sql: str, account: str) -> dict[tuple, tuple]:
    return {tuple(r[:-5]): tuple(r[-5:]) for r in db.execute(sql, (account,)).fetchall()}


def test_ad_and_keyword_rows_are_the_platforms(bag, db, fresh_sandbox) -> None:
    run = daily(bag, OPTED_IN)
    days, as_of = window(db, run), fresh_sandbox.today

    ads = data.ads(OPTED_IN)
    expected_ads = served(days, as_of, [(a, (str(a.id), str(a.ad_group_id), str(a.campaign_id))) for a in ads],
                          lambda a, d, t: data.ad_metrics(OPTED_IN, a, d, t))
    got_ads = loaded(db, "SELECT date, ad_id, ad_group_id, campaign_id, impressions, clicks, cost, conversions,"
                         " conversion_value FROM ads.ad_daily WHERE platform = 'google_ads' AND account_id = %s",
                     OPTED_IN)
    assert expected_ads and got_ads == expected_ads
    assert db.execute("SELECT count(*) FROM ads.ad_daily WHERE account_id = %s AND (reach IS NOT NULL"
                      " OR frequency IS NOT NULL)", (OPTED_IN,)).fetchone()[0] == 0  # Meta's extras stay null

    keywords = data.keywords(OPTED_IN)
    expected_kw = served(days, as_of, [(k, (str(k.ad_group_id), str(k.criterion_id), str(k.campaign_id)))
                                       for k in keywords], lambda k, d, t: data.keyword_metrics(OPTED_IN, k, d, t))
    got_kw = loaded(db, "SELECT date, ad_group_id, keyword_id, campaign_id, impressions, clicks, cost, conversions,"
                        " conversion_value FROM ads.keyword_daily WHERE account_id = %s", OPTED_IN)
    assert expected_kw and got_kw == expected_kw

    # entities in every status, with the keyword's text and match type; removed ones keep their history
    assert set(db.execute("SELECT id, ad_group_id, campaign_id, name, status FROM ads.ads WHERE account_id = %s",
                          (OPTED_IN,)).fetchall()) == {
        (str(a.id), str(a.ad_group_id), str(a.campaign_id), a.name, a.status) for a in ads}
    assert set(db.execute("SELECT ad_group_id, id, campaign_id, text, match_type, status FROM ads.keywords"
                          " WHERE account_id = %s", (OPTED_IN,)).fetchall()) == {
        (str(k.ad_group_id), str(k.criterion_id), str(k.campaign_id), k.text, k.match_type, k.status)
        for k in keywords}
    removed = {str(a.id) for a in ads if a.status == "REMOVED"}
    assert removed & {key[1] for key in got_ads}

    # the platform's guarantee, as loaded: an ad group's ads sum to its ad group row; keywords to at most it
    ads_off, keywords_over = db.execute(
        "SELECT (SELECT count(*) FROM ads.ad_group_daily g FULL JOIN (SELECT account_id, date, ad_group_id,"
        "   sum(cost) cost, sum(impressions) imp FROM ads.ad_daily GROUP BY 1, 2, 3) a USING (account_id, date,"
        "   ad_group_id) WHERE account_id = %(a)s AND (g.cost IS DISTINCT FROM a.cost OR g.impressions"
        "   IS DISTINCT FROM a.imp)),"
        " (SELECT count(*) FROM ads.ad_group_daily g JOIN (SELECT account_id, date, ad_group_id, sum(cost) cost"
        "   FROM ads.keyword_daily GROUP BY 1, 2, 3) k USING (account_id, date, ad_group_id)"
        "   WHERE account_id = %(a)s AND k.cost > g.cost)", {"a": OPTED_IN}).fetchone()
    assert (ads_off, keywords_over) == (0, 0)

    # the same coverage ledger as every report: each window day, with the day's rows
    coverage = dict(db.execute("SELECT report, count(*) FROM ads_sync.coverage WHERE account_id = %s"
                               " GROUP BY report", (OPTED_IN,)).fetchall())
    span = (days[1] - days[0]).days + 1
    assert coverage == {"campaign_daily": span, "ad_group_daily": span, "ad_daily": span, "keyword_daily": span,
                        "custom:campaign_by_device": span}  # and its custom report (issue 13; needs h-sandbox)
    # entities (campaigns, ad groups, ads, keywords) + four reports + its custom report + the reconciliation's
    # totals (the custom report's field metadata request names no customer)
    assert fresh_sandbox.requests.count(service="google_ads", customer_id=OPTED_IN) == 10
    states = {r[0] for r in db.execute("SELECT state FROM ads_sync.reconciliation WHERE run_id = %s",
                                       (run.run_id,)).fetchall()}
    assert states == {"match"}  # the account's totals still reconcile

    again = daily(bag, OPTED_IN)
    counts = db.execute("SELECT rows_inserted, rows_updated, rows_deleted FROM ads_sync.sync_runs WHERE run_id = %s",
                        (again.run_id,)).fetchone()
    assert counts == (0, 0, 0)


def test_an_account_without_opt_in_makes_no_extra_request(bag, db, fresh_sandbox) -> None:
    daily(bag, DEFAULT)
    resources = [e.get("resource") for e in fresh_sandbox.requests.filter(service="google_ads", customer_id=DEFAULT)]
    assert sorted(resources) == ["ad_group", "ad_group", "campaign", "campaign", "customer"]
    for table in ("ads", "ad_daily", "keywords", "keyword_daily"):
        assert db.execute(f"SELECT count(*) FROM ads.{table} WHERE account_id = %s", (DEFAULT,)).fetchone()[0] == 0
