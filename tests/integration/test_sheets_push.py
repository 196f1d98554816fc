"""push_summaries against the Sheets sandbox and a real PostgreSQL: the cells equal what SQL over the
final tables says, a second push writes nothing, stale rows go, 429 is retried, 403 fails only the push."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "1234567890"  # Europe/Berlin, sheet sandbox-nordlicht-outdoor in include/accounts.yaml
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@pytest.fixture(scope="module")
def account():
    from ads_sync.registry import load_registry

    registry = load_registry(ROOT / "include" / "accounts.yaml")
    return next(a for a in registry.accounts if a.account_id == ACCOUNT)


@pytest.fixture
def hook(sandbox):
    from ads_sync.hooks.sheets import SheetsHook
    from ads_sync.retry import RetryPolicy

    return SheetsHook(policy=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1))


@pytest.fixture
def loaded(bag, db, fresh_sandbox):
    """The account's last 7 days loaded by a real daily run (which also pushed once)."""
    run = bag.get_dag(DAG).test()
    assert run.state == "success"
    fresh_sandbox.reset()
    return run


def push(db_url, hook, account, overview=None):
    import psycopg

    from ads_sync.operators.push import push as push_summaries

    with psycopg.connect(db_url) as conn:
        return push_summaries(conn, hook, account=account, overview_sheet=overview, now=datetime.now(UTC))


def values(hook, sheet_id: str, title: str) -> list[list]:
    ws = hook.get_client().open_by_key(sheet_id).worksheet(title)
    return ws.get_values(value_render_option="UNFORMATTED_VALUE", date_time_render_option="SERIAL_NUMBER")


def as_date(serial: float) -> date:
    return date(1899, 12, 30) + timedelta(days=int(serial))


def yesterday() -> date:
    return datetime.now(ZoneInfo("Europe/Berlin")).date() - timedelta(days=1)


def test_cells_equal_sql_over_the_final_tables(loaded, db, hook, account, migrated_warehouse) -> None:
    push(migrated_warehouse, hook, account)
    daily = values(hook, account.sheet, "Daily")
    assert daily[0][:3] == ["Date", "Spend (EUR)", "Impressions"]
    expected = db.execute(
        "SELECT date, sum(cost)::float8, sum(impressions)::int8, sum(clicks)::int8, sum(conversions)::float8"
        " FROM ads.campaign_daily WHERE account_id = %s AND date > %s::date - 90 GROUP BY date ORDER BY date",
        (ACCOUNT, yesterday()),
    ).fetchall()
    assert len(expected) == 7
    got = [(as_date(r[0]), r[1], r[2], r[3], r[6]) for r in daily[1:]]
    assert [g[0] for g in got] == [e[0] for e in expected]
    for g, e in zip(got, expected, strict=True):
        assert g[1:] == pytest.approx(e[1:])

    summary = {row[0]: row[1:] for row in values(hook, account.sheet, "Summary")[1:]}
    spend_yesterday, clicks_7, impressions_7 = db.execute(
        "SELECT (sum(cost) FILTER (WHERE date = %(y)s))::float8, (sum(clicks) FILTER (WHERE date > %(y)s - 7))::int8,"
        " (sum(impressions) FILTER (WHERE date > %(y)s - 7))::int8 FROM ads.campaign_daily WHERE account_id = %(a)s",
        {"y": yesterday(), "a": ACCOUNT},
    ).fetchone()
    assert as_date(summary["From"][0]) == yesterday()
    assert summary["Spend (EUR)"][0] == pytest.approx(spend_yesterday)
    assert summary["Clicks"][3] == clicks_7
    assert summary["CTR"][3] == pytest.approx(clicks_7 / impressions_7)
    # previous 7 days never loaded: "no data", not 0 (a gap is not zero; issue 10), and no change
    assert summary["Clicks"][4] == "no data" and summary["Clicks"][5] == ""

    campaigns = values(hook, account.sheet, "Campaigns")
    by_spend = db.execute(
        "SELECT c.name, sum(f.cost)::float8 FROM ads.campaign_daily f JOIN ads.campaigns c"
        " ON c.account_id = f.account_id AND c.id = f.campaign_id WHERE f.account_id = %s"
        " GROUP BY c.name ORDER BY 2 DESC", (ACCOUNT,),
    ).fetchall()
    assert [(r[0], pytest.approx(r[3])) for r in campaigns[1:]] == [(n, pytest.approx(s)) for n, s in by_spend]

    grid = hook.metadata(account.sheet, grid_data=False)
    frozen = {s["properties"]["title"]: s["properties"]["gridProperties"].get("frozenRowCount")
              for s in grid["sheets"]}
    assert frozen["Summary"] == frozen["Campaigns"] == frozen["Daily"] == 1


def test_second_push_changes_nothing_and_sends_no_write(loaded, hook, account, migrated_warehouse, sandbox) -> None:
    push(migrated_warehouse, hook, account)
    before = sandbox.sheets.snapshot()
    sandbox.reset()
    [result] = push(migrated_warehouse, hook, account)
    assert result["writes"] == 0 and result["changed"] == []
    assert [e["method"] for e in sandbox.requests.filter(service="sheets")] == ["get"]
    assert sandbox.sheets.snapshot() == before


def test_shorter_result_clears_stale_rows(loaded, db, hook, account, migrated_warehouse) -> None:
    push(migrated_warehouse, hook, account)
    assert len(values(hook, account.sheet, "Daily")) == 8
    db.execute("DELETE FROM ads.campaign_daily WHERE account_id = %s AND date < %s",
               (ACCOUNT, yesterday() - timedelta(days=2)))
    [result] = push(migrated_warehouse, hook, account)
    assert result["changed"] == ["Summary", "Campaigns", "Daily"] and result["writes"] == 1
    daily = values(hook, account.sheet, "Daily")
    assert [as_date(r[0]) for r in daily[1:]] == [yesterday() - timedelta(days=i) for i in (2, 1, 0)]
    sheets = hook.metadata(account.sheet, grid_data=False)["sheets"]
    props = {s["properties"]["title"]: s["properties"]["gridProperties"] for s in sheets}
    assert props["Daily"]["rowCount"] == 4


def test_rate_limit_then_success(loaded, db, hook, account, migrated_warehouse, sandbox) -> None:
    from sandbox import Fault

    db.execute("DELETE FROM ads.campaign_daily WHERE account_id = %s AND date = %s", (ACCOUNT, yesterday()))
    sandbox.faults.add(Fault(service="sheets", error="RATE_LIMIT", customer_id=account.sheet, resource="batchUpdate"))
    [result] = push(migrated_warehouse, hook, account)
    assert result["writes"] == 1
    methods = [(e["method"], e["status"]) for e in sandbox.requests.filter(service="sheets")]
    assert methods == [("get", "OK"), ("batchUpdate", "RESOURCE_EXHAUSTED"), ("batchUpdate", "OK")]
    assert as_date(values(hook, account.sheet, "Daily")[-1][0]) == yesterday() - timedelta(days=1)


def test_permission_denied_fails_only_the_push_and_names_the_service_account(
    bag, db, fresh_sandbox, account
) -> None:
    from ads_sync.local import SANDBOX_SERVICE_ACCOUNT
    from sandbox import Fault

    fresh_sandbox.faults.add(Fault(service="sheets", error="PERMISSION_DENIED", customer_id=account.sheet, times=-1))
    run = bag.get_dag(DAG).test()
    assert run.state == "failed"
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states == {"resolve_window": "success", "extract": "success", "merge": "success",
                      "reconcile": "success", "push_summaries": "failed"}
    row = db.execute(
        "SELECT status, push_status, push_error, rows_inserted FROM ads_sync.sync_runs WHERE run_id = %s",
        (run.run_id,),
    ).fetchone()
    assert row[0] == "success" and row[1] == "failed" and row[3] > 0
    assert SANDBOX_SERVICE_ACCOUNT in row[2] and "share the spreadsheet" in row[2]
    # one attempt: a permission error is not retried
    assert [e["status"] for e in fresh_sandbox.requests.filter(service="sheets")] == ["PERMISSION_DENIED"]
    status = db.execute("SELECT status FROM ads_sync.account_status WHERE account_id = %s", (ACCOUNT,)).fetchone()
    assert status == ("idle",)


def test_no_sheet_configured_skips_the_push(db, fresh_sandbox, account, airflow_db) -> None:
    import dataclasses

    from ads_sync.dag_factory import build_account_dag

    dag = build_account_dag(dataclasses.replace(account, sheet=None), "daily", overview_sheet=None)
    run = dag.test()
    states = {ti.task_id: ti.state for ti in run.get_task_instances()}
    assert states["merge"] == "success" and states["push_summaries"] == "skipped"
    assert run.state == "success"
    assert fresh_sandbox.requests.count(service="sheets") == 0
    pushed = db.execute("SELECT push_status FROM ads_sync.sync_runs WHERE run_id = %s", (run.run_id,)).fetchone()
    assert pushed == ("skipped",)


def test_overview_has_one_row_per_account(loaded, hook, account, migrated_warehouse) -> None:
    results = push(migrated_warehouse, hook, account, overview="sandbox-test-overview")
    assert [r["spreadsheet_id"] for r in results] == [account.sheet, "sandbox-test-overview"]
    rows = values(hook, "sandbox-test-overview", "Overview")
    assert rows[0][:6] == ["Platform", "Account", "Account ID", "Currency", "Status", "Last successful sync (UTC)"]
    assert [r[1:5] for r in rows[1:]] == [[account.name, ACCOUNT, "EUR", "ok"]]
    assert isinstance(rows[1][5], float)  # a date-time serial number, not text


def test_concurrent_pushes_of_one_spreadsheet_both_succeed(loaded, hook, account, migrated_warehouse) -> None:
    """Two runs of one account adding the same worksheets at once: the loser reads again and plans again."""
    import dataclasses
    from concurrent.futures import ThreadPoolExecutor

    from ads_sync.hooks.sheets import SheetsHook
    from ads_sync.retry import RetryPolicy

    fresh = f"sandbox-concurrent-{datetime.now(UTC).timestamp():.0f}"
    target = dataclasses.replace(account, sheet=fresh)
    hooks = [SheetsHook(policy=RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.1)) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda h: push(migrated_warehouse, h, target), hooks))
    assert all(r[0]["spreadsheet_id"] == fresh for r in results)
    titles = [s["properties"]["title"] for s in hook.metadata(fresh, grid_data=False)["sheets"]]
    assert titles == ["Summary", "Campaigns", "Daily"]  # the new spreadsheet's empty Sheet1 removed
