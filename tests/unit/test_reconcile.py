"""The comparison rules of reconciliation: exact money, 6 decimals for conversions, partial days."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from ads_sync import reconcile
from ads_sync.sources.google_ads.reports import micros_to_decimal

D1, D2 = date(2026, 11, 20), date(2026, 11, 21)


def row(day: date, cost: str, impressions: int = 10, clicks: int = 1, conv: str = "0", value: str = "0") -> tuple:
    return (day, impressions, clicks, Decimal(cost), Decimal(conv), Decimal(value))


def states(checks: list[reconcile.Check]) -> dict[tuple[date, str], str]:
    return {(c.date, c.metric): c.state for c in checks}


def test_money_that_breaks_floats_compares_exactly() -> None:
    assert 0.1 + 0.2 != 0.3  # what a float comparison would get wrong
    platform = [row(D1, "0.3"), row(D2, micros_to_decimal(10**12 + 1))]
    loaded = [row(D1, "0.1"), row(D1, "0.2", 0, 0), row(D2, "1000000.000001")]
    checks = reconcile.compare(platform, loaded, [D1, D2], partial_from=date(2026, 12, 1))
    assert set(states(checks).values()) == {"match"}
    one_micro_off = reconcile.compare([row(D2, "1000000.000001")], [row(D2, "1000000.000000")], [D2],
                                      partial_from=date(2026, 12, 1))
    cost = [c for c in one_micro_off if c.metric == "cost"][0]
    assert cost.state == "mismatch" and cost.difference == Decimal("-0.000001")


def test_conversions_match_to_six_places_and_a_missing_day_is_zero_on_that_side() -> None:
    platform = [row(D1, "5", conv="1.0000001"), row(D2, "7")]
    loaded = [row(D1, "5", conv="1.0000004")]
    checks = reconcile.compare(platform, loaded, [D1, D2], partial_from=date(2026, 12, 1))
    got = states(checks)
    assert got[(D1, "conversions")] == "match"
    assert got[(D2, "cost")] == "mismatch"  # the platform says 7 was spent, we hold nothing
    assert [c.difference for c in checks if c.date == D2 and c.metric == "cost"] == [Decimal(-7)]
    assert reconcile.describe([c for c in checks if c.date == D2 and c.metric == "cost"][0]) == (
        "2026-11-21 cost -7 (platform 7, loaded 0)")


def test_today_and_later_in_the_account_zone_are_partial_never_a_mismatch() -> None:
    # 23:30 UTC on the 20th is already the 21st in Berlin
    now = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert reconcile.first_partial_date("Europe/Berlin", now) == D2
    assert reconcile.first_partial_date("America/Chicago", now) == D1
    assert reconcile.is_partial(D2, "Europe/Berlin", now) and not reconcile.is_partial(D1, "Europe/Berlin", now)
    checks = reconcile.compare([row(D2, "9")], [row(D2, "4")], [D1, D2],
                               partial_from=reconcile.first_partial_date("Europe/Berlin", now))
    assert {c.state for c in checks if c.date == D2} == {"partial"}
    summary = reconcile.summarise(
        {"date": c.date, "metric": c.metric, "platform_total": c.platform_total, "loaded_total": c.loaded_total,
         "state": c.state} for c in checks)
    assert (summary.checked_days, summary.matching_days, summary.mismatch) == (1, 1, False)
