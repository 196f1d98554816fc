"""Issue 17: intraday runs with dag.test() against the sandbox (its clock set through the control API) and
a real PostgreSQL: today so far, partial in the ledger; a second run updates only what changed; an
unchanged run writes nothing; the next day's daily run turns the partial day complete."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "1234567890"  # Nordlicht Outdoor, Europe/Berlin, frequency: hourly in the demo registry
TZ = ZoneInfo("Europe/Berlin")
DAG_ID = f"ads_sync__google_ads__{ACCOUNT}__intraday"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


@pytest.fixture
def clock(fresh_sandbox) -> Iterator[object]:
    """The sandbox's control API; its clock is back on real time afterwards (the sandbox is the session's)."""
    from sandbox.client import SandboxClient

    client = SandboxClient(fresh_sandbox.http_url)
    try:
        yield client
    finally:
        client.set_now(None)


def day_under_test() -> date:
    return datetime.now(UTC).astimezone(TZ).date() - timedelta(days=2)


def at(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def new_spender(day: date) -> tuple[int, list[int]]:
    """An hour in which some ad group first delivers at half past (and the ones that do): between HH:05 and
    HH:45 only they change, every other ad group's numbers are refreshed at the top of the hour."""
    from sandbox import data

    groups = data.ad_groups(ACCOUNT)
    for hour in range(1, 10):
        starters = [g.id for g in groups if data.first_delivery(ACCOUNT, g.id, day) == hour * 60 + 30
                    and data.ad_group_metrics(ACCOUNT, g.id, day, day + timedelta(days=1)) is not None]
        if starters:
            return hour, starters
    raise AssertionError("no ad group of the sandbox account starts at half past an hour")


def run_intraday(bag, clock, instant: datetime):
    clock.set_now(instant)
    run = bag.get_dag(DAG_ID).test(logical_date=instant)
    assert run.state == "success"
    return run


def sync_row(db, run) -> dict:
    cur = db.execute(
        "SELECT kind, status, window_start, window_end, rows_inserted, rows_updated, rows_unchanged, rows_deleted,"
        " api_requests, data_change, push_status FROM ads_sync.sync_runs WHERE dag_id = %s AND run_id = %s",
        (DAG_ID, run.run_id),
    )
    return dict(zip([c.name for c in cur.description], cur.fetchone(), strict=True))


def stamps(db, table: str, key: str, day: date) -> dict[str, datetime]:
    rows = db.execute(f"SELECT {key}, updated_at FROM ads.{table} WHERE account_id = %s AND date = %s",
                      (ACCOUNT, day)).fetchall()
    return dict(rows)


def all_stamps(db, day: date) -> dict[str, dict[str, datetime]]:
    return {t: stamps(db, t, k, day) for t, k in (("ad_group_daily", "ad_group_id"), ("campaign_daily", "campaign_id"))}


def so_far(day: date, now: datetime) -> tuple[dict[str, object], dict[str, object]]:
    """What the sandbox serves for `day` at `now`: per ad group and per campaign."""
    from sandbox import data

    as_of = (now.astimezone(UTC) + timedelta(hours=14)).date()
    groups = {str(g.id): data.ad_group_metrics(ACCOUNT, g.id, day, as_of, now=now) for g in data.ad_groups(ACCOUNT)}
    campaigns = {str(c.id): data.campaign_metrics(ACCOUNT, c.id, day, as_of, now=now) for c in data.campaigns(ACCOUNT)}
    return ({k: v for k, v in groups.items() if v is not None}, {k: v for k, v in campaigns.items() if v is not None})


def test_second_run_updates_only_what_changed_and_an_unchanged_run_writes_nothing(bag, db, clock) -> None:
    day = day_under_test()
    hour, starters = new_spender(day)
    t1, t2, t3 = at(day, hour, 5), at(day, hour, 45), at(day, hour, 55)

    first = run_intraday(bag, clock, t1)
    log = sync_row(db, first)
    assert (log["kind"], log["window_start"], log["window_end"]) == ("intraday", day, day)
    assert log["data_change"] == "changed"
    groups1, campaigns1 = so_far(day, t1)
    assert set(stamps(db, "ad_group_daily", "ad_group_id", day)) == set(groups1)
    assert set(stamps(db, "campaign_daily", "campaign_id", day)) == set(campaigns1)
    # an empty warehouse knows no entity: the facts named some, so entities were loaded (2 queries) too
    assert db.execute("SELECT count(*) FROM ads.ad_groups WHERE account_id = %s", (ACCOUNT,)).fetchone()[0] > 0
    assert log["api_requests"] == 2 + 2 + 1  # 2 reports, 2 entity queries, the reconciliation's totals
    partial = db.execute("SELECT DISTINCT partial_as_of FROM ads_sync.coverage WHERE account_id = %s AND date = %s",
                         (ACCOUNT, day)).fetchall()
    assert partial == [(t1,)]
    assert log["push_status"] == "success"  # the first push of the day's numbers
    before = all_stamps(db, day)

    second = run_intraday(bag, clock, t2)
    log2 = sync_row(db, second)
    groups2, campaigns2 = so_far(day, t2)
    changed_groups = {k for k in groups2 if groups1.get(k) != groups2[k]}
    assert changed_groups == {str(s) for s in starters}  # a new ad group spends; nothing else moved
    changed_campaigns = {k for k in campaigns2 if campaigns1.get(k) != campaigns2[k]}
    new_rows = len(changed_groups - set(groups1)) + len(changed_campaigns - set(campaigns1))
    updated_rows = len(changed_groups & set(groups1)) + len(changed_campaigns & set(campaigns1))
    assert (log2["rows_inserted"], log2["rows_updated"], log2["rows_deleted"]) == (new_rows, updated_rows, 0)
    assert log2["api_requests"] == 2 + 1  # one request per report and the totals; no entity requests
    after = all_stamps(db, day)
    for table, changed in (("ad_group_daily", changed_groups), ("campaign_daily", changed_campaigns)):
        untouched = {k: v for k, v in after[table].items() if k not in changed}
        assert untouched == {k: before[table][k] for k in untouched}, table
    assert log2["push_status"] == "skipped"  # changed, but pushed less than an hour ago
    assert db.execute("SELECT DISTINCT partial_as_of FROM ads_sync.coverage WHERE account_id = %s AND date = %s",
                      (ACCOUNT, day)).fetchall() == [(t2,)]

    third = run_intraday(bag, clock, t3)
    log3 = sync_row(db, third)
    assert (log3["rows_inserted"], log3["rows_updated"], log3["rows_deleted"]) == (0, 0, 0)
    assert log3["rows_unchanged"] == len(groups2) + len(campaigns2)
    assert log3["data_change"] == "no change"
    assert log3["push_status"] == "skipped"
    assert all_stamps(db, day) == after
    # the reconciliation compared the day still moving as partial, never as a mismatch
    states = {r[0] for r in db.execute("SELECT state FROM ads_sync.reconciliation WHERE account_id = %s AND date = %s",
                                       (ACCOUNT, day)).fetchall()}
    assert states == {"partial"}


def test_next_days_daily_run_turns_the_partial_day_complete(bag, db, clock) -> None:
    from ads_sync import ledger, status
    from ads_sync.registry import load_registry
    from sandbox import data

    account = next(a for a in load_registry(ROOT / "include" / "accounts.yaml").accounts if a.account_id == ACCOUNT)
    day = day_under_test()
    run_intraday(bag, clock, at(day, 14, 30))
    partial = ledger.partial_days(db, [account], since=day)[account.key]
    assert partial == {day: at(day, 14, 30)}
    assert ledger.partial_label(partial[day], account.timezone) == "partial as of 14:30 (Europe/Berlin)"
    rows = status.account_rows(db, [account], now=at(day, 14, 35).astimezone(UTC))
    assert rows[0]["today"]["label"] == "partial as of 14:30 (Europe/Berlin)"
    assert rows[0]["newest_date"] is None  # a partial day is no complete day: the account is not fresh
    assert rows[0]["status"] == "never_synced"
    # after midnight, before the daily run: yesterday is only partial, so it is a gap, not a complete day
    rows = status.account_rows(db, [account], now=at(day + timedelta(days=1), 1, 0).astimezone(UTC))
    assert rows[0]["gap_dates"] == [day] and rows[0]["newest_date"] is None

    next_morning = at(day + timedelta(days=1), 2, 0)
    clock.set_now(next_morning)
    daily = bag.get_dag(f"ads_sync__google_ads__{ACCOUNT}__daily").test(logical_date=next_morning)
    assert daily.state == "success"
    assert db.execute("SELECT count(*) FROM ads_sync.coverage WHERE account_id = %s AND partial_as_of IS NOT NULL",
                      (ACCOUNT,)).fetchone()[0] == 0
    as_of = (next_morning.astimezone(UTC) + timedelta(hours=14)).date()
    complete = data.account_metrics(ACCOUNT, day, as_of)
    cost = db.execute("SELECT sum(cost) FROM ads.campaign_daily WHERE account_id = %s AND date = %s",
                      (ACCOUNT, day)).fetchone()[0]
    assert cost == Decimal(complete.cost_micros) / 1_000_000 and cost > 0
    rows = status.account_rows(db, [account], now=next_morning.astimezone(UTC))
    assert rows[0]["newest_date"] == day and rows[0]["status"] == "fresh"
    assert rows[0]["today"] is None
    # the day completing is not a restatement
    assert not [r for r in ledger.restatements(db, platform="google_ads", account_id=ACCOUNT) if r["date"] == day]


def test_sheets_label_today_so_far(bag, db, clock) -> None:
    """The intraday run's push writes today beside the complete periods, labelled so far with its as-of."""
    from ads_sync.hooks.sheets import SheetsHook

    now = datetime.now(UTC)
    clock.set_now(now)
    run = bag.get_dag(DAG_ID).test()  # no logical date: today so far as of now
    assert run.state == "success"
    log = sync_row(db, run)
    today = now.astimezone(TZ).date()
    assert (log["window_start"], log["push_status"]) == (today, "success")
    book = SheetsHook().get_client().open_by_key("sandbox-nordlicht-outdoor")
    summary = book.worksheet("Summary").get_values()
    assert summary[0][-1] == "Today (so far)"
    label = next(r for r in summary if r[0] == "Days loaded")[-1]
    assert label.startswith("partial as of ") and label.endswith("(Europe/Berlin)")
    assert book.worksheet("Daily").get_values()[-1][0] == f"{today} so far"


def test_meta_intraday_reads_today_synchronously_and_entities_only_when_new(db, clock, migrated_warehouse) -> None:
    """Meta: today's insights by the synchronous path (time_range today), rolled up like the daily run; the
    entities only while the warehouse lacks one a fact names."""
    import psycopg

    from ads_sync import intraday, pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.registry import load_registry
    from ads_sync.windows import intraday_window

    account = next(a for a in load_registry(ROOT / "include" / "accounts.yaml").accounts
                   if a.account_id == "104857600123456")  # Fjord & Fell Knitwear, Europe/Oslo
    oslo = ZoneInfo(account.timezone)
    day = datetime.now(UTC).astimezone(oslo).date() - timedelta(days=2)
    log = clock  # the control API also reads the sandbox's request log

    def load(now: datetime, n: int) -> tuple[dict[str, int], list[dict]]:
        clock.set_now(now)
        log.reset()
        window = intraday_window(now, account.timezone)
        connector = connector_for(account)
        load_id = f"test/meta-intraday-{n}"
        with psycopg.connect(migrated_warehouse) as conn:
            connector.bind_warehouse(conn)
            _, unknown = intraday.extract(conn, connector, window, load_id=load_id, account=account)
            pipeline.merge(conn, intraday.merged_tables(connector, window),
                           load_id=load_id, account=account, window=window, run=None)
        return unknown, log.requests.filter(service="meta")

    unknown, first = load(datetime(day.year, day.month, day.day, 11, 0, tzinfo=oslo), 1)
    assert unknown  # an empty warehouse: every entity is new
    assert {e["resource"] for e in first} >= {"insights", "campaigns", "adsets", "ads"}
    from urllib.parse import parse_qs, urlsplit

    insights = [e for e in first if e["resource"] == "insights"]
    assert len(insights) == 1 and insights[0]["method"] == "GET insights"  # synchronous, not an async run
    query = parse_qs(urlsplit(insights[0]["query"]).query)
    assert json.loads(query["time_range"][0]) == {"since": day.isoformat(), "until": day.isoformat()}
    assert db.execute("SELECT count(*) FROM ads.ad_group_daily WHERE account_id = %s AND date = %s",
                      (account.account_id, day)).fetchone()[0] > 0  # rolled up from the ad rows
    unknown, second = load(datetime(day.year, day.month, day.day, 11, 40, tzinfo=oslo), 2)
    assert unknown == {}
    assert {e["resource"] for e in second} <= {"insights", "insights_by_id"}  # no entity request
    assert sum(e["resource"] == "insights" for e in second) == 1
