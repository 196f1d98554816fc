"""The GAQL parser and date-range resolution."""

from __future__ import annotations

from datetime import date

import pytest

from sandbox.gaql import Condition, GaqlError, date_range, parse

TODAY = date(2026, 1, 10)


def test_parses_the_project_queries() -> None:
    q = parse(
        "SELECT campaign.id, ad_group.id, segments.date, metrics.impressions FROM ad_group "
        "WHERE segments.date BETWEEN '2026-01-01' AND '2026-01-07' AND campaign.status != 'REMOVED' "
        "AND ad_group.id IN (1, 2, 3) ORDER BY segments.date DESC, ad_group.id LIMIT 50"
    )
    assert q.fields == ("campaign.id", "ad_group.id", "segments.date", "metrics.impressions")
    assert q.resource == "ad_group"
    assert q.conditions == (
        Condition("segments.date", "BETWEEN", ("2026-01-01", "2026-01-07")),
        Condition("campaign.status", "!=", ("REMOVED",)),
        Condition("ad_group.id", "IN", (1, 2, 3)),
    )
    assert q.order_by == (("segments.date", True), ("ad_group.id", False))
    assert q.limit == 50


def test_keywords_are_case_insensitive_and_whitespace_free() -> None:
    q = parse("select customer.id\n  from customer where customer.id = 123 and campaign.status = ENABLED")
    assert q.resource == "customer"
    assert q.conditions[1] == Condition("campaign.status", "=", ("ENABLED",))


def test_other_operators() -> None:
    q = parse(
        "SELECT campaign.id FROM campaign WHERE campaign.name LIKE '%brand%' AND campaign.id NOT IN (1) "
        "AND segments.date DURING LAST_7_DAYS AND campaign.end_date_time IS NOT NULL "
        "PARAMETERS include_drafts = true"
    )
    assert [c.op for c in q.conditions] == ["LIKE", "NOT IN", "DURING", "IS NOT NULL"]
    assert q.parameters == (("include_drafts", "true"),)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "EXPECTED_SELECT"),
        ("campaign.id FROM campaign", "EXPECTED_SELECT"),
        ("SELECT campaign.id campaign", "EXPECTED_FROM"),
        ("SELECT campaign.id FROM campaign campaign", "UNEXPECTED_INPUT"),
        ("SELECT campaign.id", "UNEXPECTED_END_OF_QUERY"),
        ("SELECT campaign.id FROM campaign WHERE campaign.name = 'x", "STRING_NOT_TERMINATED"),
        ("SELECT campaign.id FROM campaign LIMIT 0", "LIMIT_VALUE_TOO_LOW"),
        ("SELECT campaign.id FROM campaign WHERE campaign.id ~ 3", "BAD_SYMBOL"),
        ("SELECT campaign.id FROM campaign ORDER campaign.id", "EXPECTED_BY"),
    ],
)
def test_syntax_errors(query: str, code: str) -> None:
    with pytest.raises(GaqlError) as exc:
        parse(query)
    assert exc.value.code == code


def _range(where: str) -> tuple[date | None, date | None]:
    return date_range(list(parse(f"SELECT segments.date FROM campaign WHERE {where}").conditions), TODAY)


def test_date_ranges() -> None:
    assert _range("segments.date BETWEEN '2026-01-01' AND '2026-01-07'") == (
        date(2026, 1, 1),
        date(2026, 1, 7),
    )
    assert _range("segments.date >= '2026-01-01' AND segments.date < '2026-01-05'") == (
        date(2026, 1, 1),
        date(2026, 1, 4),
    )
    assert _range("segments.date = '2026-01-03'") == (date(2026, 1, 3), date(2026, 1, 3))
    assert _range("segments.date DURING LAST_7_DAYS") == (date(2026, 1, 3), date(2026, 1, 9))
    assert _range("segments.date DURING LAST_MONTH") == (date(2025, 12, 1), date(2025, 12, 31))
    assert _range("segments.date > '2026-01-01'") == (date(2026, 1, 2), None)


@pytest.mark.parametrize(
    ("where", "code"),
    [
        ("segments.date BETWEEN '2026-01-07' AND '2026-01-01'", "INVALID_VALUE_WITH_BETWEEN_OPERATOR"),
        ("segments.date BETWEEN '2026-01-01' AND '2026-13-01'", "INVALID_DATE_FORMAT"),
        ("segments.date = '20260101'", "INVALID_DATE_FORMAT"),
        ("segments.date DURING LAST_9_DAYS", "INVALID_VALUE_WITH_DURING_OPERATOR"),
    ],
)
def test_date_errors(where: str, code: str) -> None:
    with pytest.raises(GaqlError) as exc:
        _range(where)
    assert exc.value.code == code
