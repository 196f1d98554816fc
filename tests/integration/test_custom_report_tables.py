"""A custom report's table in a real PostgreSQL: created from its declaration, migrated when fields are added
(older days null, never 0), refused before any write when a field is removed or retyped or the key changes;
and its load goes through the same window-replace merge, day fingerprints and coverage ledger as a built-in
report. The rows are staged by steps of our own (the API side is tested against the sandbox elsewhere)."""
from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ads_sync.reports import custom, custom_tables
from ads_sync.reports.columns import Column

pytestmark = pytest.mark.integration

KEYS = [Column("date", "date", True, "segments.date"), Column("campaign_id", "bigint", True, "campaign.id"),
        Column("device", "text", True, "segments.device")]
CLICKS = Column("clicks", "bigint", False, "metrics.clicks")
COST = Column("cost", "numeric", False, "metrics.cost_micros")
START = date(2026, 3, 1)


@pytest.fixture
def wh(db: Any) -> Any:
    """The emptied warehouse without any custom table (the fixture `db` empties, but keeps, their tables)."""
    for schema, name in db.execute("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'ads_custom'"
                                   " OR (schemaname = 'ads_staging' AND tablename LIKE 'ads_custom__%')").fetchall():
        db.execute(f'DROP TABLE "{schema}"."{name}"')
    return db


def table_for(columns: list[Column]) -> Any:
    return custom.table_of("by_device", tuple(c.name for c in columns if c.key),
                           tuple(c.name for c in columns if not c.key))


def account() -> Any:
    from ads_sync.registry import Account

    return Account("google_ads", "1234567890", "Acme", "Europe/Berlin", "EUR")


def load(conn: Any, columns: list[Column], rows: list[tuple], run: str, days: int = 3, first: int = 0) -> Any:
    """Stage `rows` through a step of this report and merge the `days` from START + `first` on."""
    from ads_sync import pipeline
    from ads_sync.retry import RetryPolicy
    from ads_sync.windows import Window

    table = table_for(columns)
    step = pipeline.Step(table, "rows of the test", lambda: iter(rows),
                         lambda c: custom_tables.ensure(c, table, columns, "google_ads"))
    window = Window(START + timedelta(days=first), START + timedelta(days=first + days - 1))
    pipeline.extract(conn, [step], load_id=run, account=account(), classify=lambda e: e, policy=RetryPolicy())
    return pipeline.merge(conn, [table], load_id=run, account=account(), window=window, run=None)


def day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def test_created_from_the_declaration_then_loaded_like_a_built_in_report(wh: Any, migrated_warehouse: str) -> None:
    import psycopg

    rows = [(day(0), 11, "MOBILE", 5, "1.500000"), (day(0), 11, "DESKTOP", 2, "0.250000"),
            (day(1), 11, "MOBILE", 7, "2.000001")]
    with psycopg.connect(migrated_warehouse) as conn:
        counts = load(conn, [*KEYS, CLICKS, COST], rows, "t/1")
    assert counts.inserted == 3
    assert wh.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns WHERE "
                      "table_schema = 'ads_custom' AND table_name = 'by_device' ORDER BY ordinal_position"
                      ).fetchall() == [
        ("platform", "text", "NO"), ("account_id", "text", "NO"), ("date", "date", "NO"),
        ("campaign_id", "bigint", "NO"), ("device", "text", "NO"), ("clicks", "bigint", "YES"),
        ("cost", "numeric", "YES"), ("updated_at", "timestamp with time zone", "NO")]
    assert wh.execute("SELECT sum(cost) FROM ads_custom.by_device").fetchone()[0] == Decimal("3.750001")
    coverage = wh.execute("SELECT date, rows, cost FROM ads_sync.coverage WHERE report = 'custom:by_device' "
                          "ORDER BY date").fetchall()
    assert coverage == [(START, 2, Decimal("1.75")), (START + timedelta(days=1), 1, Decimal("2.000001")),
                        (START + timedelta(days=2), 0, Decimal(0))]  # a day without rows is covered, with 0 rows
    catalogue = wh.execute("SELECT platform, key, columns FROM ads_sync.ads_custom_tables WHERE name = 'by_device'"
                           ).fetchone()
    assert catalogue[:2] == ("google_ads", ["date", "campaign_id", "device"])
    assert [c["source"] for c in catalogue[2]][-1] == "metrics.cost_micros"

    # the same rows again: every day's fingerprint matches, nothing is written
    with psycopg.connect(migrated_warehouse) as conn:
        again = load(conn, [*KEYS, CLICKS, COST], rows, "t/2")
    assert (again.inserted, again.updated, again.deleted, again.unchanged) == (0, 0, 0, 3)
    # a row the API no longer returns for its day is deleted with the window replace; a change is updated
    with psycopg.connect(migrated_warehouse) as conn:
        moved = load(conn, [*KEYS, CLICKS, COST], [rows[0], (day(1), 11, "MOBILE", 8, "2.000001")], "t/3")
    assert (moved.deleted, moved.updated) == (1, 1)
    assert wh.execute("SELECT count(*) FROM ads_sync.day_hashes WHERE report = 'custom:by_device'").fetchone()[0] == 3


def test_a_report_without_cost_records_null_cost_not_zero(wh: Any, migrated_warehouse: str) -> None:
    import psycopg

    with psycopg.connect(migrated_warehouse) as conn:
        load(conn, [*KEYS, CLICKS], [(day(0), 11, "MOBILE", 5)], "t/1", days=1)
    assert wh.execute("SELECT rows, cost, conversions FROM ads_sync.coverage WHERE report = 'custom:by_device'"
                      ).fetchall() == [(1, None, None)]


def test_an_added_field_adds_a_column_and_older_days_stay_null(wh: Any, migrated_warehouse: str,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    import psycopg

    with psycopg.connect(migrated_warehouse) as conn:
        load(conn, [*KEYS, CLICKS], [(day(0), 11, "MOBILE", 5), (day(1), 11, "MOBILE", 6)], "t/1", days=2)
    with caplog.at_level(logging.WARNING), psycopg.connect(migrated_warehouse) as conn:
        load(conn, [*KEYS, CLICKS, COST], [(day(1), 11, "MOBILE", 6, "1.250000")], "t/2", days=1, first=1)
    assert "added cost to ads_custom.by_device" in caplog.text and "null there (not loaded, not 0)" in caplog.text
    assert wh.execute("SELECT date, clicks, cost FROM ads_custom.by_device ORDER BY date").fetchall() == [
        (START, 5, None), (START + timedelta(days=1), 6, Decimal("1.25"))]


@pytest.mark.parametrize(("declared", "words"), [
    ([*KEYS, CLICKS], "no longer selects the column 'cost'"),
    ([*KEYS, CLICKS, Column("cost", "bigint", False, "metrics.cost_micros")], "is now bigint, but"),
    ([*KEYS[:2], CLICKS, COST], "its key would change from (date, campaign_id, device) to (date, campaign_id)"),
])
def test_a_change_that_would_lose_data_is_refused_before_any_write(wh: Any, migrated_warehouse: str,
                                                                   declared: list[Column], words: str) -> None:
    import psycopg

    with psycopg.connect(migrated_warehouse) as conn:
        load(conn, [*KEYS, CLICKS, COST], [(day(0), 11, "MOBILE", 5, "1.500000")], "t/1", days=1)
    before = (wh.execute("SELECT * FROM ads_custom.by_device").fetchall(),
              wh.execute("SELECT columns, changed_at FROM ads_sync.ads_custom_tables").fetchall(),
              wh.execute("SELECT * FROM ads_sync.coverage").fetchall())
    rows = [(day(0), 11, "MOBILE", 9)] if len(declared) == 4 and declared[-1] is CLICKS else []
    with psycopg.connect(migrated_warehouse) as conn, pytest.raises(custom_tables.CustomReportRefused) as refused:
        load(conn, declared, rows, "t/2", days=1)
    message = str(refused.value)
    assert words in message and "nothing was written" in message
    assert "ALTER TABLE ads_custom.by_device DROP COLUMN" in message or "DROP TABLE ads_custom.by_device" in message
    assert (wh.execute("SELECT * FROM ads_custom.by_device").fetchall(),
            wh.execute("SELECT columns, changed_at FROM ads_sync.ads_custom_tables").fetchall(),
            wh.execute("SELECT * FROM ads_sync.coverage").fetchall()) == before
