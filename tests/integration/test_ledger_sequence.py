"""The ledger over a scripted sequence of syncs: restatements equal what the source changed, settling
is the oldest age at which a re-read still moved numbers, gaps are exactly the uncovered dates.

The sandbox's clock is pinned to each sync's day, and after each sync the timestamps it recorded are
moved to that day: the syncs then look as if they ran days apart, which a test cannot wait for."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "1234567890"
TZ = ZoneInfo("Europe/Berlin")

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def sync_as_of(bag, db, sandbox, kind: str, as_of: date, today: date, conf: dict | None = None) -> None:
    sandbox.set_today(as_of)
    try:
        run = bag.get_dag(f"ads_sync__google_ads__{ACCOUNT}__{kind}").test(run_conf=conf)
    finally:
        sandbox.set_today(None)
    assert run.state == "success"
    shift = timedelta(days=(today - as_of).days)
    load_id = f"ads_sync__google_ads__{ACCOUNT}__{kind}/{run.run_id}"
    db.execute("UPDATE ads_sync.coverage SET loaded_at = loaded_at - %s WHERE load_id = %s", (shift, load_id))
    db.execute("UPDATE ads_sync.coverage_loads SET loaded_at = loaded_at - %s WHERE load_id = %s", (shift, load_id))
    db.execute("UPDATE ads_sync.reconciliation SET checked_at = checked_at - %s WHERE run_id = %s", (shift, run.run_id))


def test_restatements_settling_and_gaps_over_scripted_syncs(bag, db, fresh_sandbox) -> None:
    from ads_sync import ledger
    from ads_sync.registry import load_registry
    from sandbox import data

    account = next(a for a in load_registry(ROOT / "include" / "accounts.yaml").accounts if a.account_id == ACCOUNT)
    now = datetime.now(UTC)
    today = now.astimezone(TZ).date()
    first, last = today - timedelta(days=30), today - timedelta(days=21)
    window = {"start_date": first.isoformat(), "end_date": last.isoformat()}
    as_ofs = [today - timedelta(days=20), today - timedelta(days=15), today - timedelta(days=5)]
    for as_of in as_ofs:
        sync_as_of(bag, db, fresh_sandbox, "force_sync", as_of, today, window)

    # restatements: each date's latest change equals the source's change between the last two reads
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    coverage = dict(db.execute(
        "SELECT date, conversions_change FROM ads_sync.coverage WHERE account_id = %s AND report = 'campaign_daily'",
        (ACCOUNT,),
    ).fetchall())
    for day in days:
        before, after = (data.account_metrics(ACCOUNT, day, a) for a in as_ofs[1:])
        assert float(coverage[day]) == pytest.approx(after.conversions - before.conversions), day
    restated = ledger.restatements(db, platform="google_ads", account_id=ACCOUNT)
    assert {r["date"] for r in restated} <= set(days) and restated

    # settling: the oldest age at which the source still changed between consecutive reads
    changed_ages = [
        (as_ofs[k] - day).days
        for day in days for k in (1, 2)
        if data.account_metrics(ACCOUNT, day, as_ofs[k]) != data.account_metrics(ACCOUNT, day, as_ofs[k - 1])
    ]
    settle = ledger.settling(db, now=now)["google_ads"]
    assert settle.settles_after_days == max(changed_ages)
    assert settle.settles_after_days <= data.CONVERSION_LAG_DAYS + 9  # seen at the next re-read only
    # two re-reads of each date, two reports; and two re-checks of the platform's own totals of each date
    # (issue 10: settling also reads the reconciliation history), which moved exactly as the source did
    assert settle.rereads == 2 * len(days) * 2 + 2 * len(days)

    # gaps: from the first loaded date to yesterday, minus the loaded window
    yesterday = today - timedelta(days=1)
    gaps = ledger.gaps(db, [account], now=now)[account.key]
    assert [g["date"] for g in gaps] == [last + timedelta(days=i) for i in range(1, (yesterday - last).days + 1)]
    assert gaps[0]["reports"] == ["ad_group_daily", "campaign_daily"]

    # a daily run fills its last 7 days; the rest stays a gap
    sync_as_of(bag, db, fresh_sandbox, "daily", today, today)
    gaps = ledger.gaps(db, [account], now=now)[account.key]
    assert [g["date"] for g in gaps] == [last + timedelta(days=i) for i in range(1, (yesterday - last).days - 6)]
    # an inactive account's history ends at its newest loaded date: no gap after it
    import dataclasses

    assert ledger.gaps(db, [dataclasses.replace(account, active=False)], now=now)[account.key] == gaps
