"""Issue 17: intraday schedules across DST, in the account's zone, for 30-minute and hourly cadence.

The cron covers every hour, so Airflow steps in absolute time across a DST change: a 23-hour day has 23
hourly slots (46 half-hourly), a 25-hour day 25 (50), no slot is lost or doubled, and every slot's
window is the local day it falls on.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ads_sync.registry import Account
from ads_sync.windows import intraday_window, late_for_next_slot

#: (zone, a local day with a DST change, how long that day is in hours)
DST_DAYS = [
    ("Europe/Berlin", date(2026, 3, 29), 23),
    ("Europe/Berlin", date(2026, 10, 25), 25),
    ("Pacific/Auckland", date(2026, 4, 5), 25),
    ("Pacific/Auckland", date(2026, 9, 27), 23),
    ("America/Los_Angeles", date(2026, 3, 8), 23),
    ("America/Los_Angeles", date(2026, 11, 1), 25),
    ("Europe/Berlin", date(2026, 6, 1), 24),  # an ordinary day beside them
]


def _timetable(zone: str, frequency: str):
    from airflow.timetables.trigger import CronTriggerTimetable

    from ads_sync.dag_factory import _schedule

    account = Account("google_ads", "1234567890", "A", zone, "EUR", frequency=frequency)  # type: ignore[arg-type]
    built = _schedule(account, "intraday")
    assert built is not None
    # the core class the scheduler uses, from the same expression and zone the factory chose
    return CronTriggerTimetable(built.expression, timezone=built.timezone)


def _slots(zone: str, frequency: str, day: date) -> list[datetime]:
    """Every slot the scheduler would create whose local date is `day`."""
    from airflow.timetables.base import DataInterval, TimeRestriction

    tz = ZoneInfo(zone)
    timetable = _timetable(zone, frequency)
    start = datetime.combine(day, datetime.min.time(), tz) - timedelta(hours=3)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz) + timedelta(hours=3)
    import pendulum

    restriction = TimeRestriction(earliest=pendulum.instance(start.astimezone(UTC)),
                                  latest=pendulum.instance(end.astimezone(UTC)), catchup=True)
    out, last = [], None
    while True:
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)
        if info is None:
            break
        out.append(datetime.fromtimestamp(info.logical_date.timestamp(), UTC))  # plain datetimes from here
        last = DataInterval(info.data_interval.start, info.data_interval.end)
    return [s for s in out if s.astimezone(tz).date() == day]


@pytest.mark.parametrize(("zone", "day", "hours"), DST_DAYS, ids=lambda v: str(v))
@pytest.mark.parametrize(("frequency", "minutes"), [("30min", 30), ("hourly", 60)])
def test_slots_across_dst(zone: str, day: date, hours: int, frequency: str, minutes: int) -> None:
    slots = _slots(zone, frequency, day)
    assert len(slots) == hours * 60 // minutes
    steps = {b - a for a, b in zip(slots, slots[1:], strict=False)}
    assert steps == {timedelta(minutes=minutes)}  # none lost, none doubled, in absolute time
    first = slots[0].astimezone(ZoneInfo(zone))
    assert (first.hour, first.minute) == (0, 0)  # the day's first slot is at local midnight
    for slot in slots:
        window = intraday_window(slot, zone)
        assert (window.start, window.end, window.as_of) == (day, day, slot)
        assert not late_for_next_slot(slot, frequency, slot + timedelta(minutes=minutes - 1))
        assert late_for_next_slot(slot, frequency, slot + timedelta(minutes=minutes))


def test_spring_forward_skips_the_missing_local_hour_not_a_slot() -> None:
    local = [s.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") for s in
             _slots("Europe/Berlin", "30min", date(2026, 3, 29))]
    assert local[3:6] == ["01:30", "03:00", "03:30"]  # 02:00-02:59 does not exist that night


def test_fall_back_runs_the_repeated_local_hour_twice() -> None:
    slots = _slots("America/Los_Angeles", "hourly", date(2026, 11, 1))
    local = [s.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%H:%M %Z") for s in slots]
    assert local[:4] == ["00:00 PDT", "01:00 PDT", "01:00 PST", "02:00 PST"]
