"""The coverage calendar's day rules and the repair ranges (pure)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from ads_sync.ledger import Settling
from ads_sync.ui import chart, days
from ads_sync.ui.rest import repair_confs

TODAY = date(2026, 12, 2)


def load(day: date) -> dict[str, object]:
    return {"loaded_at": datetime(2026, 12, 1, 2, 0), "rows": 3, "load_id": "x/run"}


def test_each_day_gets_the_state_the_rules_give() -> None:
    dates = days.window(TODAY, 12)
    assert dates[0] == TODAY - timedelta(days=11) and dates[-1] == TODAY
    loads = {d: load(d) for d in dates[2:] if d not in (dates[5], dates[6])}
    loads[TODAY] = load(TODAY)  # an intraday load of today: "so far"
    got = {d.date: d.state for d in days.report_days(
        dates, today=TODAY, loads=loads, gap_dates={dates[5], dates[6]}, mismatches={dates[3]}, horizon=3,
    )}
    assert [got[d] for d in dates] == [
        "before", "before", "loaded", "mismatch", "loaded", "gap", "gap", "loaded", "settling", "settling",
        "settling", "so_far",
    ]
    empty = days.report_days([TODAY], today=TODAY, loads={}, gap_dates=set(), mismatches=set(), horizon=3)
    assert empty[0].state == "not_due"


def test_settling_uses_the_platforms_age_when_known_else_the_lookback() -> None:
    known = Settling("google_ads", rereads=9, changed_rereads=2, settles_after_days=4, settles_after_at_least=5)
    unknown = Settling("meta", rereads=1, changed_rereads=1, settles_after_days=None, settles_after_at_least=2)
    assert days.settling_horizon(known, 7) == 4
    assert days.settling_horizon(unknown, 7) == 7
    assert days.settling_horizon(None, 7) == 7


def test_gap_dates_become_one_force_sync_per_contiguous_range() -> None:
    gaps = [date(2026, 11, 3), date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 20),
            date(2026, 11, 21)]
    assert repair_confs(days.ranges(gaps)) == [
        {"start_date": "2026-11-01", "end_date": "2026-11-03"},
        {"start_date": "2026-11-09", "end_date": "2026-11-09"},
        {"start_date": "2026-11-20", "end_date": "2026-11-21"},
    ]
    assert days.ranges([]) == []


def test_the_chart_draws_no_bar_for_a_gap_and_keeps_decimal_amounts() -> None:
    dates = days.window(TODAY, 3)
    svg = chart.spend_svg(dates, {dates[0]: Decimal("12.345678"), dates[2]: Decimal("0.10")}, {dates[1]}, "NZD")
    assert svg.count('class="bar"') == 2 and svg.count('class="nodata"') == 1
    assert f"<title>{dates[1]}: no data</title>" in svg and "12.35 NZD" in svg


def test_a_partial_yesterday_is_so_far_until_the_daily_run_and_its_bar_says_so() -> None:
    """Issue 17: after midnight the last intraday load of yesterday is still partial: labelled so far."""
    yesterday = TODAY - timedelta(days=1)
    partial = {**load(yesterday), "partial_as_of": datetime(2026, 12, 1, 22, 30)}
    [day] = days.report_days([yesterday], today=TODAY, loads={yesterday: partial}, gap_dates=set(),
                             mismatches=set(), horizon=3)
    assert day.state == "so_far" and "partial as of 2026-12-01 22:30 UTC" in day.title
    svg = chart.spend_svg([yesterday, TODAY], {yesterday: Decimal("1.00"), TODAY: Decimal("2.50")}, set(), "EUR",
                          so_far={TODAY})
    assert 'class="bar sofar"' in svg and "2.50 EUR so far" in svg and "1.00 EUR</title>" in svg
