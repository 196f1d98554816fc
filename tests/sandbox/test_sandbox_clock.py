"""Issue 17: the sandbox clock (/_sandbox/now) and each account's today so far, deterministic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox import Sandbox, SandboxClient, data

CUSTOMER = "1234567890"
Rows = Callable[..., list[Any]]

BERLIN = ZoneInfo("Europe/Berlin")  # the zone of CUSTOMER (the demo's Nordlicht Outdoor)
DAY = date(2026, 1, 10)


def at(hour: int, minute: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def today_query(day: date) -> str:
    return ("SELECT ad_group.id, segments.date, metrics.cost_micros, metrics.impressions FROM ad_group "
            f"WHERE segments.date BETWEEN '{day}' AND '{day}'")


def served(ads: Any, rows: Rows, day: date) -> dict[int, tuple[int, int]]:
    return {r.ad_group.id: (r.metrics.cost_micros, r.metrics.impressions) for r in rows(ads, today_query(day))}


def test_the_clock_is_set_and_cleared_through_the_control_api(sandbox: Sandbox) -> None:
    control = SandboxClient(sandbox.http_url)
    assert control.now is None  # the fixture pins only the date: no day is in progress
    control.set_now(at(10, 5))
    assert control.now == at(10, 5)
    assert control.today == (at(10, 5).astimezone(UTC) + timedelta(hours=14)).date()
    with pytest.raises(Exception, match="aware"):
        control.call("POST", "now", {"now": "2026-01-10T10:05:00"})
    control.set_now(None)
    assert control.now is None and control.today == DAY


def test_today_so_far_grows_hourly_and_a_new_ad_group_appears_at_its_start(sandbox: Sandbox, ads: Any,
                                                                            rows: Rows) -> None:
    control = SandboxClient(sandbox.http_url)
    groups = data.ad_groups(CUSTOMER)
    starts = {g.id: data.first_delivery(CUSTOMER, g.id, DAY) for g in groups}
    control.set_now(at(23, 59))
    whole_day = served(ads, rows, DAY)
    assert whole_day  # by the evening every ad group that delivers today has a row
    for minutes in (5, 35, 65, 9 * 60 + 45):
        now = at(minutes // 60, minutes % 60)
        control.set_now(now)
        got = served(ads, rows, DAY)
        assert set(got) == {g for g in whole_day if starts[g] <= minutes}
        for group, (cost, impressions) in got.items():
            assert cost <= whole_day[group][0] and impressions <= whole_day[group][1]
        assert served(ads, rows, DAY + timedelta(days=1)) == {}  # tomorrow has not begun
        assert served(ads, rows, DAY) == got  # the same instant reads the same
    control.set_now(at(10, 5))
    before = served(ads, rows, DAY)
    control.set_now(at(10, 50))
    assert served(ads, rows, DAY) == before  # within the hour nothing moves (no ad group starts at 10:30)
    control.set_now(at(11, 0))
    assert all(served(ads, rows, DAY)[g] >= before[g] for g in before)


def test_auckland_today_is_its_own_date(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    """At 22:00 UTC on the 10th it is 11:00 on the 11th in Auckland: that date is the one in progress there."""
    control = SandboxClient(sandbox.http_url)
    now = datetime(2026, 1, 10, 22, 0, tzinfo=UTC)
    control.set_now(now)
    auckland = "2345678901"
    assert data.local_today(auckland, now) == date(2026, 1, 11)
    assert rows(ads, today_query(date(2026, 1, 11)), customer_id=auckland)
    assert not rows(ads, today_query(date(2026, 1, 12)), customer_id=auckland)
