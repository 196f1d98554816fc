"""No value from a conf or the registry is ever formatted into SQL or GAQL text: SQL files take values
only as bound parameters and identifiers only from our own table specs; GAQL takes only dates."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from ads_sync.sources.google_ads import reports as google_ads
from ads_sync.windows import Window

SQL = Path(__file__).resolve().parents[2] / "include" / "sql"
#: what warehouse._merge_sql fills in: identifiers and lists built with psycopg.sql from tables.py, and the
#: merged days' date ranges (psycopg.sql.Literal of `date` objects the merge read from staging); and
#: intraday.unknown_entities: a column of tables.py and an entity table of intraday.ENTITY_REFS; and the
#: day sums of day_states.sql: `sum(s.cost)` of the table's own column, or a null when it has none; and
#: warehouse.rollup and create_staging: a load's staging tables (names from tables.py and a digest of the
#: load id) and a report's template
IDENTIFIER_SLOTS = {
    "final", "staging", "key_match", "keys", "columns", "s_columns", "values", "f_values", "s_values",
    "f_days", "s_days", "column", "entity", "cost_sum", "conversions_sum", "no_cost", "no_conversions",
    "source", "target", "template",
}


@pytest.mark.parametrize("path", sorted(SQL.rglob("*.sql")), ids=lambda p: str(p.relative_to(SQL)))
def test_sql_files_take_values_only_as_parameters(path: Path) -> None:
    text = path.read_text()
    slots = set(re.findall(r"(?<!\{)\{(\w*)\}(?!\})", text))
    assert slots <= IDENTIFIER_SLOTS, f"{path.name} formats {slots - IDENTIFIER_SLOTS} into its text"
    assert "'%(" not in text and "%s'" not in text  # no parameter inside a quoted literal


def test_gaql_holds_only_iso_dates_from_a_window() -> None:
    window = Window(date(2026, 1, 1), date(2026, 1, 31), "x")
    for query in google_ads.queries(["campaign_daily", "ad_group_daily"]):
        text = query.gaql(window if query.dated else None)
        literals = re.findall(r"'([^']*)'", text)
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", lit) for lit in literals), text


def test_custom_gaql_keeps_the_users_literals_whole_and_adds_only_dates() -> None:
    """A custom report's conditions are re-joined from our tokens: a quote inside a string literal cannot end
    it, so nothing the user wrote becomes a condition of its own; the window's condition holds only dates."""
    from ads_sync.reports import gaql

    query = gaql.parse("SELECT campaign.id, segments.date, metrics.clicks FROM campaign "
                       "WHERE campaign.name = 'a\\' OR segments.date = \\'x'")
    text = query.gaql(Window(date(2026, 1, 1), date(2026, 1, 31), "x"))
    assert [c.field for c in query.conditions] == ["campaign.name"]
    assert text.endswith(" AND segments.date BETWEEN '2026-01-01' AND '2026-01-31'")
