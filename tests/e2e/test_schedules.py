"""Schedules: the daily (02:00) and weekly (Sunday 03:00) runs fire at the right instants in each
account's time zone, across DST changes, shown with Airflow's own timetable API on the DAGs as the
scheduler deserializes them (no waiting), and by the running scheduler itself."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pendulum
import pytest
from airflow.timetables.base import TimeRestriction

from tests.e2e.conftest import Deployment, google_accounts

pytestmark = pytest.mark.timeout(300)

DAILY_HOUR, WEEKLY_HOUR, SUNDAY = 2, 3, 6


def wall_clock_instant(day: date, hour: int, tz: str) -> datetime:
    """The UTC instant of `hour`:00 on `day` in `tz`, by the time zone rules alone (an oracle independent
    of Airflow): a wall time that does not exist (spring forward) is the instant the gap ends; one that
    happens twice (fall back) is its later occurrence, and either way the day gets exactly one run."""
    zone = ZoneInfo(tz)
    first = datetime.combine(day, time(hour, fold=0), tzinfo=zone)
    second = datetime.combine(day, time(hour, fold=1), tzinfo=zone)
    exists = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None)
    if not exists:
        return first.astimezone(UTC)  # fold=0 reads it with the pre-gap offset: the instant after the gap
    return max(first.astimezone(UTC), second.astimezone(UTC))


def dst_changes(tz: str, year: int) -> list[date]:
    """The local dates in `year` on which `tz` changes its UTC offset."""
    zone = ZoneInfo(tz)
    changes = []
    day = date(year, 1, 1)
    while day.year == year:
        before = datetime.combine(day, time(0), tzinfo=zone).utcoffset()
        after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).utcoffset()
        if before != after:
            changes.append(day)
        day += timedelta(days=1)
    return changes


def fire_times(timetable: object, start: date, count: int) -> list[datetime]:
    """The next `count` run instants the timetable gives from `start` (UTC midnight), as the scheduler
    asks for them: each from the previous run's data interval."""
    restriction = TimeRestriction(
        earliest=pendulum.datetime(start.year, start.month, start.day, tz="UTC"), latest=None, catchup=True
    )
    last, instants = None, []
    for _ in range(count):
        info = timetable.next_dagrun_info(last_automated_data_interval=last, restriction=restriction)  # type: ignore[attr-defined]
        instants.append(info.run_after.astimezone(UTC))
        last = info.data_interval
    return instants


def test_daily_and_weekly_timetables_fire_at_local_times_across_dst(local_airflow: Deployment) -> None:
    checked = 0
    for account in google_accounts():
        daily = local_airflow.serialized_dag(f"ads_sync__google_ads__{account.account_id}__daily")
        weekly = local_airflow.serialized_dag(f"ads_sync__google_ads__{account.account_id}__weekly")
        zone = ZoneInfo(account.timezone)
        changes = dst_changes(account.timezone, 2026)
        assert changes, f"{account.timezone} has no DST change in 2026; pick another year for this test"
        for change in changes:
            start = change - timedelta(days=3)
            got = fire_times(daily.timetable, start, 7)
            local_days = [g.astimezone(zone).date() for g in got]
            # one run per local day, no day skipped or doubled by the clock change
            assert local_days == [local_days[0] + timedelta(days=i) for i in range(7)], (account.timezone, got)
            assert change in local_days
            assert got == [wall_clock_instant(d, DAILY_HOUR, account.timezone) for d in local_days]
            offsets = {g.astimezone(zone).utcoffset() for g in got}
            assert len(offsets) == 2, f"the week around {change} should straddle two UTC offsets"

            got = fire_times(weekly.timetable, change - timedelta(days=15), 4)
            sundays = [g.astimezone(zone).date() for g in got]
            assert all(d.weekday() == SUNDAY for d in sundays)
            assert sundays == [sundays[0] + timedelta(weeks=i) for i in range(4)]
            assert got == [wall_clock_instant(d, WEEKLY_HOUR, account.timezone) for d in sundays]
            checked += 1
    assert checked >= 2 * len(google_accounts())  # two changes a year in each zone


def test_the_running_scheduler_creates_the_latest_run_at_the_local_instant(
    local_airflow: Deployment, quiet_account: object
) -> None:
    """Unpaused with catchup off, the scheduler creates one run for the latest past cron instant: its
    logical date must be 02:00 (daily) / Sunday 03:00 (weekly) in the account's zone, in UTC."""
    account = quiet_account
    zone = ZoneInfo(account.timezone)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    ids = {kind: f"ads_sync__google_ads__{account.account_id}__{kind}" for kind in ("daily", "weekly")}  # type: ignore[attr-defined]
    scheduled = local_airflow.unpause_settled(*ids.values())
    for kind, hour, weekday in (("daily", DAILY_HOUR, None), ("weekly", WEEKLY_HOUR, SUNDAY)):
        runs = scheduled[ids[kind]]
        assert len(runs) == 1, runs
        run = runs[0]
        logical = datetime.fromisoformat(run["logical_date"])
        local = logical.astimezone(zone)
        assert (local.hour, local.minute) == (hour, 0), (kind, run["logical_date"], account.timezone)  # type: ignore[attr-defined]
        if weekday is not None:
            assert local.weekday() == weekday
        # the latest instant before now: the next one after it is in the future
        period = timedelta(days=1 if weekday is None else 7)
        assert logical <= now < logical + period + timedelta(hours=1)
        assert run["state"] == "success", run
        assert run["run_type"] == "scheduled"
