"""Issue 13 §1: the spec is all a platform takes. Fake Ads is declared only under tests/fakeplatform/ (spec,
fake hook, connector) and registered here; with nothing else changed, a registry entry of it validates by
its own rules, its DAGs build, a daily run loads its rows into ads.campaign_daily through the real
pipeline (extract, merge, reconcile on the real PostgreSQL), and `ads-sync status` shows the account."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.fakeplatform import hook as fake
from tests.fakeplatform.spec import SPEC

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "F000042"
ENTRY = {"platform": "fake_ads", "account_id": ACCOUNT, "name": "Fake One", "timezone": "Europe/Berlin",
         "currency": "EUR", "region": "us"}


@pytest.fixture
def fake_platform() -> Iterator[None]:
    from ads_sync import platforms

    platforms.register(SPEC)
    try:
        yield
    finally:
        platforms.unregister(SPEC.name)


@pytest.fixture
def registry_file(tmp_path: Path, fake_platform: None) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_text(json.dumps({"accounts": [ENTRY]}))  # JSON is YAML
    return path


def test_the_registry_validates_the_entry_by_the_spec(fake_platform: None) -> None:
    from ads_sync.registry import parse_registry

    reg = parse_registry({"accounts": [
        ENTRY,
        {**ENTRY, "account_id": "42"},  # its own id rule
        {**ENTRY, "account_id": "F000043", "region": "mars"},  # its own option's check
        {**ENTRY, "account_id": "F000044", "login_customer_id": "1234567890"},  # another platform's option
        {**ENTRY, "platform": "google_ads", "account_id": "1234567890"},  # its option on another platform
        {**ENTRY, "account_id": "F000045", "reports": ["ad_daily"]},  # only its reports
    ]})
    (account,) = reg.accounts
    assert (account.key, account.conn_id, account.reports, account.option("region")) == (
        "fake_ads__F000042", "fake_ads_default", ("campaign_daily",), "us")
    assert [(e.field, e.message) for e in reg.errors] == [
        ("account_id", "'42' is not a valid Fake Ads account id; F and six digits, e.g. F000042"),
        ("region", "'mars' is not a Fake Ads region; use one of: eu, us"),
        ("login_customer_id", "applies only to google_ads accounts; remove it from this fake_ads entry"),
        ("region", "applies only to fake_ads accounts; remove it from this google_ads entry"),
        ("reports", "'ad_daily' is not a Fake Ads report (did you mean 'campaign_daily'?); "
                    "choose from: campaign_daily"),
    ]


def test_its_dags_build_from_the_spec(registry_file: Path) -> None:
    from ads_sync.dag_factory import build_dags
    from ads_sync.registry_schema import schema

    dags = {d.dag_id: d for d in build_dags(registry_file)}
    assert set(dags) == {f"ads_sync__fake_ads__{ACCOUNT}__{k}" for k in ("daily", "weekly", "force_sync")} | {
        "ads_sync__discover"}
    daily = dags[f"ads_sync__fake_ads__{ACCOUNT}__daily"]
    assert daily.get_task("extract").pool == daily.get_task("reconcile").pool == "fake_ads_api"
    assert "Fake Ads" in (daily.description or "")
    # the exported schema knows it too: its reports, its id pattern, its option
    rules = {r["if"]["properties"]["platform"]["const"]: r["then"] for r in schema()["$defs"]["Entry"]["allOf"]}
    assert rules["fake_ads"]["properties"]["account_id"] == {"pattern": SPEC.account_id_pattern.pattern}
    assert {"required": ["region"]} in rules["google_ads"]["not"]["anyOf"]


def test_a_daily_run_merges_its_rows_and_status_shows_the_account(
    registry_file: Path, db, capsys: pytest.CaptureFixture[str], airflow_db, monkeypatch: pytest.MonkeyPatch
) -> None:
    from airflow.dag_processing.dagbag import DagBag

    from ads_sync import cli

    # the bundle's own DAG files, reading this registry (dag.test() syncs the bundle before it runs)
    monkeypatch.setenv("ADS_SYNC_REGISTRY", str(registry_file))
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert bag.import_errors == {}
    run = bag.get_dag(f"ads_sync__fake_ads__{ACCOUNT}__daily").test()
    assert run.state == "success"
    start, end, inserted = db.execute(
        "SELECT window_start, window_end, rows_inserted FROM ads_sync.sync_runs WHERE platform = 'fake_ads'"
    ).fetchone()
    assert (end - start).days == 6  # the default lookback: 7 days
    # what the fake API serves for the window, row for row
    wanted = {(start + timedelta(days=i), cid, *fake.campaign_day(cid, start + timedelta(days=i)))
              for i in range(7) for cid, _ in fake.CAMPAIGNS}
    got = set(db.execute(
        "SELECT date, campaign_id, impressions, clicks, cost, conversions, conversion_value FROM ads.campaign_daily"
        " WHERE platform = 'fake_ads' AND account_id = %s", (ACCOUNT,)).fetchall())
    assert got == wanted and inserted >= len(wanted)
    assert all(isinstance(r[4], Decimal) for r in got)
    names = db.execute("SELECT name FROM ads.campaigns WHERE platform = 'fake_ads' ORDER BY id").fetchall()
    assert [n for (n,) in names] == ["Brand (us)", "Search (us)", "Retargeting (us)"]  # the option reached it
    # the reconciliation compared the load with the fake API's own totals: every day matches
    states = db.execute("SELECT DISTINCT state FROM ads_sync.reconciliation WHERE platform = 'fake_ads'").fetchall()
    assert states == [("match",)]

    capsys.readouterr()
    assert cli.main(["status", "--json", "--registry", str(registry_file)]) == 0
    (row,) = json.loads(capsys.readouterr().out)["accounts"]
    assert (row["platform"], row["account"], row["status"], row["rows"]) == ("fake_ads", ACCOUNT, "fresh", len(wanted))
    assert row["newest_date"] == end.isoformat() and row["api_version"] is None
    assert row["reconciled"] == "7/7" and row["gaps_90d"] == 0
    # and the table a person reads
    assert cli.main(["status", "--registry", str(registry_file)]) == 0
    line = next(t for t in capsys.readouterr().out.splitlines() if t.startswith("fake_ads"))
    assert f"{ACCOUNT} Fake One" in line and "fresh" in line


def test_dev_wiring_loops_over_the_declared_platforms(fake_platform: None) -> None:
    from ads_sync import provider, settings_loader
    from ads_sync.discovery.run import names

    settings = settings_loader.with_platform_pools(settings_loader.load(ROOT / "airflow_settings.yaml"))
    pools = {p.name: p.slots for p in settings.pools}
    assert pools["fake_ads_api"] == SPEC.pool_slots and pools["google_ads_api"] == 4  # the file's, kept
    assert "fake_ads" not in names()  # it declares no discovery: the CLI and the DAG do not offer it
    assert set(provider.get_provider_info()["connection-types"][0]) >= {"connection-type", "hook-class-name"}
    assert all(t["connection-type"].startswith("ads_sync_") for t in provider.get_provider_info()["connection-types"])
