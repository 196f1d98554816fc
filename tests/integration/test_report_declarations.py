"""The built-in reports' declarations are the truth that is checked: every declared table, column, type and
key is the migrated schema's (the DDL stays in the migrations, whose history matters), and the tables the
code stages and merges are the declared ones."""
from __future__ import annotations

from typing import Any

import pytest

from ads_sync import tables
from ads_sync.reports import custom_tables
from ads_sync.reports.declaration import Report
from ads_sync.sources.google_ads import reports as google_ads
from ads_sync.sources.meta import reports as meta

pytestmark = pytest.mark.integration

DECLARED: list[Report] = [*google_ads.ENTITIES.values(), *google_ads.REPORTS.values(), *meta.ENTITIES.values(),
                          *meta.REPORTS.values()]


def by_table() -> dict[str, list[Report]]:
    out: dict[str, list[Report]] = {}
    for report in DECLARED:
        out.setdefault(report.table_name, []).append(report)
    return out


@pytest.mark.parametrize("name", sorted(by_table()))
def test_each_declared_table_is_the_migrated_one(db: Any, name: str) -> None:
    reports = by_table()[name]
    found = custom_tables.existing(db, reports[0].table)
    assert found is not None, f"ads.{name} is declared but not migrated"
    migrated, key = found
    declared: dict[str, str] = {}
    for report in reports:
        assert report.keys == key, f"{report.name}: key {report.keys} but the primary key is {key}"
        for column in report.columns:
            assert migrated.get(column.name) == custom_tables.SQL_TYPES[column.sql_type], (
                f"{report.name}.{column.name} ({column.source}) is declared {column.sql_type}, migrated "
                f"{migrated.get(column.name)}")
            declared[column.name] = column.sql_type
    # every migrated column is some platform's (Google's ad rows leave Meta's reach and frequency null)
    assert set(migrated) == set(declared)
    staging = {r[0] for r in db.execute("SELECT column_name FROM information_schema.columns WHERE table_schema ="
                                        " 'ads_staging' AND table_name = %s", (name,)).fetchall()}
    assert set(declared) <= staging


def test_the_rollups_fill_declared_tables() -> None:
    for report in DECLARED:
        for rollup in report.rollups:
            assert rollup.table in {r.table for r in DECLARED}


def test_tables_py_is_what_the_declarations_say() -> None:
    """tables.py's names stay for the code that reads them (intraday, rollups); they are the declared tables."""
    assert google_ads.ENTITIES["campaigns"].table == tables.CAMPAIGNS
    assert meta.ENTITIES["campaigns"].table == tables.CAMPAIGNS_WITH_BUDGETS
    assert meta.ENTITIES["ad_groups"].table == tables.AD_GROUPS_WITH_BUDGETS
    assert google_ads.REPORTS["ad_daily"].table == tables.AD_DAILY_NO_REACH
    assert meta.AD_DAILY.table == tables.AD_DAILY
    for name in ("ad_groups", "ads", "keywords"):
        assert google_ads.ENTITIES[name].table == tables.TABLES[name]
    for name in ("campaign_daily", "ad_group_daily", "keyword_daily"):
        assert google_ads.REPORTS[name].table == tables.TABLES[name]


def test_google_requests_and_rows_follow_the_declared_fields() -> None:
    """The GAQL selects the declared fields (and only them) and the mapper fills the declared columns."""
    for report in [*google_ads.ENTITIES.values(), *google_ads.REPORTS.values()]:
        query = google_ads.query_of(report)
        assert set(query.fields) == {c.source for c in report.columns} | (
            {"segments.date"} if report.windowed else set()), report.name
        assert query.table.columns == tuple(c.name for c in report.columns)
