"""Windows: exact dates across time zones, DST, ISO week edges, backfills and every bad conf."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ads_sync.windows import (
    FORCE_SYNC_CONF_KEYS,
    ConfError,
    Window,
    daily_window,
    force_sync_window,
    local_date,
    resolve_window,
    retention_limit,
    validate_conf,
    weekly_window,
)

UTC = UTC
D = date.fromisoformat


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def resolve(**overrides: object) -> Window | None:
    kwargs: dict[str, object] = dict(
        kind="daily",
        run_type="scheduled",
        logical_date=None,
        run_after=utc(2026, 11, 25, 2),
        conf=None,
        timezone="Europe/Berlin",
        lookback_days=7,
        retention_months=37,
        now=utc(2026, 11, 25, 2, 5),
    )
    kwargs.update(overrides)
    return resolve_window(**kwargs)  # type: ignore[arg-type]


def span(w: Window | None) -> tuple[str, str] | None:
    return None if w is None else (w.start.isoformat(), w.end.isoformat())


# ------------------------------------------------------------------------------------------ local_date


@pytest.mark.parametrize(
    ("ts", "tz", "expected"),
    [
        (utc(2026, 11, 24, 12), "Pacific/Auckland", "2026-11-25"),  # NZDT +13: already tomorrow
        (utc(2026, 11, 24, 10, 59), "Pacific/Auckland", "2026-11-24"),
        (utc(2026, 11, 24, 11), "Pacific/Auckland", "2026-11-25"),
        (utc(2026, 11, 25, 2), "America/Los_Angeles", "2026-11-24"),  # PST -8: still yesterday
        (utc(2026, 11, 25, 8), "America/Los_Angeles", "2026-11-25"),
        (utc(2026, 11, 25, 2), "UTC", "2026-11-25"),
        # Europe/Berlin spring forward: 2026-03-29 01:00 UTC (02:00 CET -> 03:00 CEST)
        (utc(2026, 3, 28, 22, 59), "Europe/Berlin", "2026-03-28"),
        (utc(2026, 3, 28, 23, 0), "Europe/Berlin", "2026-03-29"),
        (utc(2026, 3, 29, 1, 30), "Europe/Berlin", "2026-03-29"),
        (utc(2026, 3, 29, 21, 59), "Europe/Berlin", "2026-03-29"),  # 23:59 CEST
        (utc(2026, 3, 29, 22, 0), "Europe/Berlin", "2026-03-30"),
        # fall back: 2026-10-25 01:00 UTC (03:00 CEST -> 02:00 CET)
        (utc(2026, 10, 24, 21, 59), "Europe/Berlin", "2026-10-24"),
        (utc(2026, 10, 24, 22, 0), "Europe/Berlin", "2026-10-25"),
        (utc(2026, 10, 25, 1, 30), "Europe/Berlin", "2026-10-25"),
        (utc(2026, 10, 25, 22, 59), "Europe/Berlin", "2026-10-25"),  # 23:59 CET
        (utc(2026, 10, 25, 23, 0), "Europe/Berlin", "2026-10-26"),
        (datetime(2026, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Berlin")), "UTC", "2025-12-31"),
    ],
)
def test_local_date(ts: datetime, tz: str, expected: str) -> None:
    assert local_date(ts, tz) == D(expected)


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 11, 25, 2), "UTC")


# -------------------------------------------------------------------------------------------- Window


def test_window_basics() -> None:
    w = Window(D("2026-02-27"), D("2026-03-02"), "why")
    assert w.days == 4
    assert list(w.dates()) == [D("2026-02-27"), D("2026-02-28"), D("2026-03-01"), D("2026-03-02")]
    assert w.as_dict() == {"start": "2026-02-27", "end": "2026-03-02", "why": "why"}
    assert Window.from_dict(w.as_dict()) == w
    assert Window(D("2026-01-01"), D("2026-01-01")).days == 1
    assert str(w) == "2026-02-27..2026-03-02 (why)"


def test_window_rejects_reversed_and_datetimes() -> None:
    with pytest.raises(ValueError, match="before its start"):
        Window(D("2026-01-02"), D("2026-01-01"))
    with pytest.raises(TypeError):
        Window(utc(2026, 1, 1), D("2026-01-02"))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------- builders


@pytest.mark.parametrize(
    ("run_date", "lookback", "expected"),
    [
        ("2026-11-25", 7, ("2026-11-18", "2026-11-24")),
        ("2026-11-25", 1, ("2026-11-24", "2026-11-24")),
        ("2026-11-25", 90, ("2026-08-27", "2026-11-24")),
        ("2026-01-01", 7, ("2025-12-25", "2025-12-31")),  # across the year
        ("2026-03-01", 2, ("2026-02-27", "2026-02-28")),
        ("2028-03-01", 3, ("2028-02-27", "2028-02-29")),  # leap year
        ("2026-03-30", 7, ("2026-03-23", "2026-03-29")),  # the DST day counts as one calendar day
    ],
)
def test_daily_window(run_date: str, lookback: int, expected: tuple[str, str]) -> None:
    w = daily_window(D(run_date), lookback)
    assert span(w) == expected
    assert w.days == lookback
    assert w.why.startswith(f"last {lookback} complete day")
    assert f"ending yesterday ({expected[1]})" in w.why


@pytest.mark.parametrize("bad", [0, -1, True, 7.0])
def test_daily_window_rejects_bad_lookback(bad: object) -> None:
    with pytest.raises(ValueError):
        daily_window(D("2026-11-25"), bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("run_date", "weeks", "expected", "labels"),
    [
        # Wednesday of 2026-W48: the 10 weeks W38..W47
        ("2026-11-25", 10, ("2026-09-14", "2026-11-22"), ("2026-W48", "2026-W38", "2026-W47")),
        ("2026-11-23", 1, ("2026-11-16", "2026-11-22"), ("2026-W48", "2026-W47", "2026-W47")),  # Monday
        ("2026-11-29", 1, ("2026-11-16", "2026-11-22"), ("2026-W48", "2026-W47", "2026-W47")),  # Sunday
        # 2026-01-01 is a Thursday of 2026-W01, which starts on Monday 2025-12-29
        ("2026-01-01", 10, ("2025-10-20", "2025-12-28"), ("2026-W01", "2025-W43", "2025-W52")),
        ("2026-01-01", 1, ("2025-12-22", "2025-12-28"), ("2026-W01", "2025-W52", "2025-W52")),
        # 2026 has 53 ISO weeks: W53 is 2026-12-28..2027-01-03
        ("2027-01-05", 1, ("2026-12-28", "2027-01-03"), ("2027-W01", "2026-W53", "2026-W53")),
        ("2027-01-03", 1, ("2026-12-21", "2026-12-27"), ("2026-W53", "2026-W52", "2026-W52")),
        # 2021-01-03 (a Sunday) still belongs to 2020-W53
        ("2021-01-03", 2, ("2020-12-14", "2020-12-27"), ("2020-W53", "2020-W51", "2020-W52")),
    ],
)
def test_weekly_window(
    run_date: str, weeks: int, expected: tuple[str, str], labels: tuple[str, str, str]
) -> None:
    w = weekly_window(D(run_date), weeks)
    assert span(w) == expected
    assert w.days == 7 * weeks
    assert w.start.weekday() == 0 and w.end.weekday() == 6
    run_week, first, last = labels
    assert f"before the run's week {run_week}: {first} to {last}" in w.why


def test_weekly_window_default_is_ten_weeks() -> None:
    assert weekly_window(D("2026-11-25")).days == 70


@pytest.mark.parametrize(
    ("today", "months", "expected"),
    [
        ("2026-11-25", 37, "2023-10-25"),
        ("2026-03-31", 1, "2026-02-28"),
        ("2024-03-31", 1, "2024-02-29"),
        ("2025-01-15", 12, "2024-01-15"),
        ("2026-01-31", 13, "2024-12-31"),
    ],
)
def test_retention_limit(today: str, months: int, expected: str) -> None:
    assert retention_limit(D(today), months) == D(expected)


# ----------------------------------------------------------------------------------------- force sync

TODAY = D("2026-11-25")  # a Wednesday in 2026-W48


@pytest.mark.parametrize(
    ("conf", "today", "expected"),
    [
        (None, TODAY, ("2026-09-14", "2026-11-22")),
        ({}, TODAY, ("2026-09-14", "2026-11-22")),
        # the UI form sends every Param, unset ones as null: still the default 10 weeks
        ({k: None for k in FORCE_SYNC_CONF_KEYS}, TODAY, ("2026-09-14", "2026-11-22")),
        ({"dry_run": True}, TODAY, ("2026-09-14", "2026-11-22")),
        ({"include_current_week": True}, TODAY, ("2026-09-14", "2026-11-24")),
        ({"weeks": 1}, TODAY, ("2026-11-16", "2026-11-22")),
        ({"weeks": 1, "include_current_week": False}, TODAY, ("2026-11-16", "2026-11-22")),
        ({"weeks": 1, "include_current_week": True}, TODAY, ("2026-11-16", "2026-11-24")),
        ({"weeks": 2, "include_current_week": True}, D("2026-11-23"), ("2026-11-09", "2026-11-22")),  # Monday
        ({"weeks": 2, "include_current_week": True}, D("2026-11-24"), ("2026-11-09", "2026-11-23")),
        ({"weeks": 52}, TODAY, ("2025-11-24", "2026-11-22")),
        ({"weeks": 3}, D("2026-01-01"), ("2025-12-08", "2025-12-28")),
        (
            {"start_date": "2026-11-01", "end_date": "2026-11-25"},
            TODAY,
            ("2026-11-01", "2026-11-25"),
        ),  # today ok
        ({"start_date": "2026-11-10", "end_date": "2026-11-10"}, TODAY, ("2026-11-10", "2026-11-10")),
        (
            {"start_date": "2023-10-25", "end_date": "2023-10-31"},
            TODAY,
            ("2023-10-25", "2023-10-31"),
        ),  # limit
        ({"start_date": D("2026-11-01"), "end_date": D("2026-11-02")}, TODAY, ("2026-11-01", "2026-11-02")),
        ({"preset": "yesterday"}, TODAY, ("2026-11-24", "2026-11-24")),
        ({"preset": "last_7_days"}, TODAY, ("2026-11-18", "2026-11-24")),
        ({"preset": "last_30_days"}, TODAY, ("2026-10-26", "2026-11-24")),
        ({"preset": "this_month"}, TODAY, ("2026-11-01", "2026-11-24")),
        ({"preset": "this_month"}, D("2026-11-02"), ("2026-11-01", "2026-11-01")),
        ({"preset": "last_month"}, TODAY, ("2026-10-01", "2026-10-31")),
        ({"preset": "last_month"}, D("2026-03-01"), ("2026-02-01", "2026-02-28")),
        ({"preset": "last_month"}, D("2026-01-15"), ("2025-12-01", "2025-12-31")),
        ({"preset": "yesterday"}, D("2026-01-01"), ("2025-12-31", "2025-12-31")),
        ({"preset": "last_7_days", "weeks": None, "dry_run": False}, TODAY, ("2026-11-18", "2026-11-24")),
    ],
)
def test_force_sync_window(conf: dict[str, object] | None, today: date, expected: tuple[str, str]) -> None:
    assert span(force_sync_window(conf, today, 37)) == expected


def test_force_sync_why() -> None:
    w = force_sync_window({"weeks": 4, "include_current_week": True}, TODAY, 37)
    assert w.why == (
        "force sync of the 4 complete ISO weeks before the current week 2026-W48: 2026-W44 to 2026-W47, "
        "plus the current week from 2026-11-23 to yesterday (2026-11-24)"
    )
    assert "default of 10 weeks" in force_sync_window({}, TODAY, 37).why
    monday = force_sync_window({"weeks": 1, "include_current_week": True}, D("2026-11-23"), 37)
    assert "adds nothing on a Monday" in monday.why


@pytest.mark.parametrize(
    ("conf", "today", "fragments"),
    [
        ({"weeks": 0}, TODAY, ["weeks must be an integer from 1 to 52, got 0"]),
        ({"weeks": 53}, TODAY, ["weeks must be an integer from 1 to 52, got 53"]),
        ({"weeks": -1}, TODAY, ["weeks", "got -1"]),
        ({"weeks": "ten"}, TODAY, ["weeks", "got 'ten'"]),
        ({"weeks": "5"}, TODAY, ["weeks", "got '5'"]),  # REST does not coerce, neither do we
        ({"weeks": True}, TODAY, ["weeks", "got true"]),
        ({"weeks": 5.0}, TODAY, ["weeks", "got 5.0"]),
        ({"include_current_week": "yes"}, TODAY, ["include_current_week must be true or false", "'yes'"]),
        ({"include_current_week": 1}, TODAY, ["include_current_week", "got 1"]),
        ({"dry_run": "true"}, TODAY, ["dry_run must be true or false", "'true'"]),
        (
            {"start_date": "2026-11-10", "end_date": "2026-11-01"},
            TODAY,
            ["end_date 2026-11-01 is before start_date 2026-11-10"],
        ),
        (
            {"start_date": "2026-13-01", "end_date": "2026-11-01"},
            TODAY,
            ["start_date must be a date written YYYY-MM-DD", "'2026-13-01'"],
        ),
        ({"start_date": "2026-11-01", "end_date": "2026-02-30"}, TODAY, ["end_date", "'2026-02-30'"]),
        ({"start_date": "yesterday", "end_date": "2026-11-01"}, TODAY, ["start_date", "'yesterday'"]),
        ({"start_date": "20261101", "end_date": "2026-11-02"}, TODAY, ["start_date", "'20261101'"]),
        ({"start_date": "2026-W45-1", "end_date": "2026-11-02"}, TODAY, ["start_date", "'2026-W45-1'"]),
        ({"start_date": "2026-11-01T00:00:00", "end_date": "2026-11-02"}, TODAY, ["start_date"]),
        ({"start_date": "2026-11-01", "end_date": "2026-11-02\n"}, TODAY, ["end_date", "'2026-11-02\\n'"]),
        (
            {"start_date": "2026-11-01'; DROP TABLE x;--", "end_date": "2026-11-02"},
            TODAY,
            ["start_date must be a date"],
        ),
        ({"start_date": 20261101, "end_date": "2026-11-02"}, TODAY, ["start_date", "20261101"]),
        (
            {"start_date": "2026-11-01", "end_date": "2026-11-26"},
            TODAY,
            ["end_date 2026-11-26 is in the future", "today (2026-11-25)"],
        ),
        ({"start_date": "2026-11-01"}, TODAY, ["start_date 2026-11-01 needs an end_date"]),
        ({"start_date": "2026-11-01", "end_date": None}, TODAY, ["needs an end_date"]),
        ({"end_date": "2026-11-01"}, TODAY, ["end_date 2026-11-01 needs a start_date"]),
        (
            {"start_date": "2023-10-24", "end_date": "2023-11-01"},
            TODAY,
            ["start_date 2023-10-24", "retention limit 2023-10-25"],
        ),
        (
            {"weeks": 4, "start_date": "2026-11-01", "end_date": "2026-11-02"},
            TODAY,
            ["weeks=4 and start_date/end_date"],
        ),
        ({"weeks": 4, "preset": "yesterday"}, TODAY, ["weeks=4 and preset=yesterday"]),
        (
            {"preset": "last_month", "start_date": "2026-11-01", "end_date": "2026-11-02"},
            TODAY,
            ["start_date/end_date and preset=last_month"],
        ),
        (
            {"preset": "last_month", "end_date": "2026-11-02"},
            TODAY,
            ["start_date/end_date and preset=last_month"],
        ),
        (
            {"weeks": 1, "start_date": "2026-11-01", "end_date": "2026-11-02", "preset": "yesterday"},
            TODAY,
            ["weeks=1 and start_date/end_date and preset=yesterday"],
        ),
        (
            {"preset": "last_7_days", "include_current_week": True},
            TODAY,
            ["include_current_week applies only to weeks", "preset=last_7_days"],
        ),
        (
            {"start_date": "2026-11-01", "end_date": "2026-11-02", "include_current_week": True},
            TODAY,
            ["include_current_week", "start_date/end_date"],
        ),
        (
            {"preset": "last_year"},
            TODAY,
            [
                "preset must be one of yesterday, last_7_days, last_30_days, this_month, last_month",
                "'last_year'",
            ],
        ),
        (
            {"preset": "this_month"},
            D("2026-11-01"),
            ["preset this_month has no complete day yet on 2026-11-01", "last_month"],
        ),
        (
            {"wekks": 4},
            TODAY,
            [
                "unknown conf key 'wekks'",
                "allowed keys: dry_run, end_date, include_current_week, preset, start_date, weeks",
            ],
        ),
        ({"weeks": 4, "lookback_days": 3}, TODAY, ["unknown conf key 'lookback_days'"]),
        (["weeks"], TODAY, ["the run conf must be a JSON object"]),
        ({"weeks": 20}, TODAY, []),  # valid with 37 months; see the short-retention case below
    ],
)
def test_force_sync_conf_errors(conf: object, today: date, fragments: list[str]) -> None:
    if not fragments:
        force_sync_window(conf, today, 37)  # type: ignore[arg-type]
        with pytest.raises(
            ConfError, match=r"weeks=20 starts on 2026-07-06, before the retention limit 2026-07-25"
        ):
            force_sync_window(conf, today, 4)  # type: ignore[arg-type]
        return
    with pytest.raises(ConfError) as info:
        force_sync_window(conf, today, 37)  # type: ignore[arg-type]
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message


def test_conf_error_is_a_value_error() -> None:
    assert issubclass(ConfError, ValueError)


@pytest.mark.parametrize(
    ("conf", "fragment"),
    [
        (None, None),
        ({}, None),
        ({"dry_run": True}, None),
        ({"dry_run": None}, None),
        ({"weeks": 3}, "unknown conf key 'weeks'; allowed keys: dry_run"),
        ({"dry_run": 1}, "dry_run must be true or false, got 1"),
        ("x", "must be a JSON object"),
    ],
)
def test_validate_conf(conf: object, fragment: str | None) -> None:
    if fragment is None:
        validate_conf(conf, allowed=("dry_run",))  # type: ignore[arg-type]
    else:
        with pytest.raises(ConfError, match=fragment):
            validate_conf(conf, allowed=("dry_run",))  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------- resolve_window


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        # daily, scheduled: zero-length interval, logical_date == run time (02:00 UTC)
        ({"logical_date": utc(2026, 11, 25, 2)}, ("2026-11-18", "2026-11-24")),
        # Auckland: 12:00 UTC on the 24th is already the 25th there
        (
            {
                "logical_date": utc(2026, 11, 24, 12),
                "run_after": utc(2026, 11, 24, 12),
                "timezone": "Pacific/Auckland",
                "now": utc(2026, 11, 24, 12, 1),
            },
            ("2026-11-18", "2026-11-24"),
        ),
        # Los Angeles: 02:00 UTC on the 25th is still the 24th there
        (
            {"logical_date": utc(2026, 11, 25, 2), "timezone": "America/Los_Angeles"},
            ("2026-11-17", "2026-11-23"),
        ),
        # manual run without a logical date: run_after decides
        (
            {
                "run_type": "manual",
                "logical_date": None,
                "run_after": utc(2026, 11, 25, 10),
                "now": utc(2026, 11, 25, 10),
            },
            ("2026-11-18", "2026-11-24"),
        ),
        ({"run_type": "manual", "lookback_days": 1}, ("2026-11-24", "2026-11-24")),
        ({"run_type": "manual", "lookback_days": 30}, ("2026-10-26", "2026-11-24")),
        # DST: run_after 01:30 UTC on the change days (03:30 CEST / 02:30 CET), and just after local midnight
        (
            {"run_type": "manual", "run_after": utc(2026, 3, 29, 1, 30), "now": utc(2026, 3, 29, 1, 30)},
            ("2026-03-22", "2026-03-28"),
        ),
        (
            {"run_type": "manual", "run_after": utc(2026, 3, 28, 23, 30), "now": utc(2026, 3, 28, 23, 30)},
            ("2026-03-22", "2026-03-28"),
        ),
        (
            {"run_type": "manual", "run_after": utc(2026, 10, 25, 1, 30), "now": utc(2026, 10, 25, 1, 30)},
            ("2026-10-18", "2026-10-24"),
        ),
        (
            {"run_type": "manual", "run_after": utc(2026, 10, 24, 22, 30), "now": utc(2026, 10, 24, 22, 30)},
            ("2026-10-18", "2026-10-24"),
        ),
        (
            {"run_type": "manual", "run_after": utc(2026, 10, 24, 21, 30), "now": utc(2026, 10, 24, 21, 30)},
            ("2026-10-17", "2026-10-23"),
        ),
        # any other run type (asset-triggered, ...) behaves like a scheduled run
        ({"run_type": "asset_triggered"}, ("2026-11-18", "2026-11-24")),
        # a re-run days later keeps the run's own window (idempotent retries)
        ({"logical_date": utc(2026, 11, 25, 2), "now": utc(2026, 11, 30, 9)}, ("2026-11-18", "2026-11-24")),
        # weekly, scheduled on Monday 03:00 UTC
        (
            {
                "kind": "weekly",
                "logical_date": utc(2026, 11, 23, 3),
                "run_after": utc(2026, 11, 23, 3),
                "now": utc(2026, 11, 23, 3),
            },
            ("2026-09-14", "2026-11-22"),
        ),
        # weekly, Auckland: Sunday 12:00 UTC is Monday there, so W47 is complete
        (
            {
                "kind": "weekly",
                "logical_date": utc(2026, 11, 22, 12),
                "run_after": utc(2026, 11, 22, 12),
                "timezone": "Pacific/Auckland",
                "now": utc(2026, 11, 22, 12),
            },
            ("2026-09-14", "2026-11-22"),
        ),
        # weekly, Los Angeles: Monday 03:00 UTC is still Sunday there, so W47 is not complete
        (
            {
                "kind": "weekly",
                "logical_date": utc(2026, 11, 23, 3),
                "run_after": utc(2026, 11, 23, 3),
                "timezone": "America/Los_Angeles",
                "now": utc(2026, 11, 23, 3),
            },
            ("2026-09-07", "2026-11-15"),
        ),
        (
            {
                "kind": "weekly",
                "run_type": "manual",
                "logical_date": None,
                "run_after": utc(2026, 1, 1, 12),
                "now": utc(2026, 1, 1, 12),
            },
            ("2025-10-20", "2025-12-28"),
        ),
        # force sync through resolve_window: today is the run's local date
        (
            {
                "kind": "force_sync",
                "run_type": "manual",
                "conf": {"weeks": 1},
                "run_after": utc(2026, 11, 22, 12),
                "timezone": "Pacific/Auckland",
                "now": utc(2026, 11, 22, 12),
            },
            ("2026-11-16", "2026-11-22"),
        ),
        (
            {
                "kind": "force_sync",
                "run_type": "manual",
                "conf": {"preset": "yesterday"},
                "timezone": "America/Los_Angeles",
            },
            ("2026-11-23", "2026-11-23"),
        ),
        ({"kind": "force_sync", "run_type": "manual", "conf": None}, ("2026-09-14", "2026-11-22")),
    ],
)
def test_resolve_window(overrides: dict[str, object], expected: tuple[str, str]) -> None:
    assert span(resolve(**overrides)) == expected


def test_resolve_window_why() -> None:
    w = resolve(logical_date=utc(2026, 11, 25, 2))
    assert w is not None
    assert w.why == (
        "last 7 complete days ending yesterday (2026-11-24) in Europe/Berlin; "
        "run date 2026-11-25 from the logical date"
    )
    manual = resolve(run_type="manual", logical_date=None)
    assert manual is not None and "from the run_after (no logical date)" in manual.why
    forced = resolve(kind="force_sync", run_type="manual", conf={"preset": "yesterday"})
    assert forced is not None
    assert forced.why == (
        "force sync of preset yesterday (2026-11-24); dates in Europe/Berlin, where today is 2026-11-25, "
        "from the run_after (no logical date)"
    )


def test_resolve_window_future_run_date_is_clamped_to_today() -> None:
    w = resolve(run_type="manual", logical_date=utc(2026, 12, 1, 2), now=utc(2026, 11, 25, 10))
    assert span(w) == ("2026-11-18", "2026-11-24")
    assert w is not None and "is after today" in w.why


def test_resolve_window_force_sync_future_end_uses_local_today() -> None:
    # 02:00 UTC on the 25th is the 24th in Los Angeles: an end of the 25th is in the future there
    with pytest.raises(
        ConfError, match="end_date 2026-11-25 is in the future; the latest allowed is today \\(2026-11-24\\)"
    ):
        resolve(
            kind="force_sync",
            run_type="manual",
            timezone="America/Los_Angeles",
            conf={"start_date": "2026-11-20", "end_date": "2026-11-25"},
        )
    w = resolve(
        kind="force_sync", run_type="manual", conf={"start_date": "2026-11-20", "end_date": "2026-11-25"}
    )
    assert span(w) == ("2026-11-20", "2026-11-25")


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"conf": {"weeks": 3}}, "unknown conf key 'weeks'; allowed keys: dry_run"),
        ({"kind": "weekly", "conf": {"preset": "yesterday"}}, "unknown conf key 'preset'"),
        ({"conf": {"dry_run": "no"}}, "dry_run must be true or false"),
        (
            {"run_type": "backfill", "logical_date": utc(2026, 1, 1), "conf": {"start_date": "2026-01-01"}},
            "unknown conf key 'start_date'",
        ),
        ({"kind": "force_sync", "conf": {"weeks": 53}}, "weeks must be an integer from 1 to 52, got 53"),
    ],
)
def test_resolve_window_conf_errors(overrides: dict[str, object], fragment: str) -> None:
    with pytest.raises(ConfError, match=fragment):
        resolve(**overrides)


def test_resolve_window_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown window kind"):
        resolve(kind="monthly")


# ---------------------------------------------------------------------------------------------- backfill


NOW = utc(2026, 11, 25, 12)


def backfill(kind: str, logical: datetime, now: datetime = NOW, tz: str = "Europe/Berlin") -> Window | None:
    return resolve(kind=kind, run_type="backfill", logical_date=logical, run_after=now, timezone=tz, now=now)


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland"])
def test_backfill_daily_loads_each_day_once(tz: str) -> None:
    """`backfill create --from-date 2026-01-01 --to-date 2026-01-31` on a cron in the account's zone."""
    zone = ZoneInfo(tz)
    loaded: list[date] = []
    for day in range(1, 32):
        w = backfill("daily", datetime(2026, 1, day, 2, tzinfo=zone), tz=tz)
        assert w is not None and w.days == 1
        loaded.extend(w.dates())
    assert loaded == [date(2026, 1, 1) + timedelta(days=i) for i in range(31)]


@pytest.mark.parametrize(
    ("kind", "logical", "now", "expected", "why"),
    [
        (
            "daily",
            utc(2026, 1, 1, 1),
            utc(2026, 11, 25, 12),
            ("2026-01-01", "2026-01-01"),
            "backfill of the single day 2026-01-01 in Europe/Berlin",
        ),
        (
            "daily",
            utc(2026, 11, 24, 1),
            utc(2026, 11, 25, 12),
            ("2026-11-24", "2026-11-24"),
            "single day 2026-11-24",
        ),
        ("daily", utc(2026, 11, 25, 1), utc(2026, 11, 25, 12), None, None),  # today: not complete yet
        ("daily", utc(2026, 12, 3, 1), utc(2026, 11, 25, 12), None, None),  # future
        # Thursday 2026-01-01 is in ISO week 2026-W01: Mon 2025-12-29 .. Sun 2026-01-04
        (
            "weekly",
            utc(2026, 1, 1, 1),
            utc(2026, 11, 25, 12),
            ("2025-12-29", "2026-01-04"),
            "backfill of ISO week 2026-W01 (2025-12-29 to 2026-01-04)",
        ),
        (
            "weekly",
            utc(2026, 12, 28, 1),
            utc(2027, 2, 1, 12),
            ("2026-12-28", "2027-01-03"),
            "ISO week 2026-W53",
        ),
        # the current week: clamped to end yesterday
        (
            "weekly",
            utc(2026, 11, 23, 1),
            utc(2026, 11, 25, 12),
            ("2026-11-23", "2026-11-24"),
            "clamped to end yesterday (2026-11-24)",
        ),
        # the current week on its Monday: nothing complete
        ("weekly", utc(2026, 11, 23, 1), utc(2026, 11, 23, 12), None, None),
        # last week, run just after local midnight on Monday: complete
        ("weekly", utc(2026, 11, 16, 1), utc(2026, 11, 23, 0), ("2026-11-16", "2026-11-22"), "2026-W47"),
        # retention limit 2023-10-25 (a Wednesday): the week straddling it starts at the limit
        (
            "weekly",
            utc(2023, 10, 24, 1),
            utc(2026, 11, 25, 12),
            ("2023-10-25", "2023-10-29"),
            "start clamped to the retention limit 2023-10-25",
        ),
        ("daily", utc(2023, 10, 25, 1), utc(2026, 11, 25, 12), ("2023-10-25", "2023-10-25"), "single day"),
    ],
)
def test_backfill_periods(
    kind: str, logical: datetime, now: datetime, expected: tuple[str, str] | None, why: str | None
) -> None:
    w = backfill(kind, logical, now)
    assert span(w) == expected
    if why is not None:
        assert w is not None and why in w.why


def test_backfill_local_calendar_day() -> None:
    # 23:30 UTC on Dec 31 is Jan 1 in Berlin and Auckland but Dec 31 in Los Angeles
    logical = utc(2025, 12, 31, 23, 30)
    assert span(backfill("daily", logical, tz="Europe/Berlin")) == ("2026-01-01", "2026-01-01")
    assert span(backfill("daily", logical, tz="Pacific/Auckland")) == ("2026-01-01", "2026-01-01")
    assert span(backfill("daily", logical, tz="America/Los_Angeles")) == ("2025-12-31", "2025-12-31")


def test_backfill_before_retention_fails_clearly() -> None:
    with pytest.raises(ConfError, match="before the retention limit 2023-10-25"):
        backfill("daily", utc(2020, 1, 1, 1))
    with pytest.raises(ConfError, match="2023-10-25"):
        backfill("weekly", utc(2023, 10, 20, 1))  # week 2023-10-16..22, wholly before the limit


def test_backfill_of_force_sync_uses_the_conf() -> None:
    w = resolve(
        kind="force_sync",
        run_type="backfill",
        logical_date=utc(2026, 11, 25, 1),
        conf={"preset": "yesterday"},
    )
    assert span(w) == ("2026-11-24", "2026-11-24")


# ------------------------------------------------------------------------------------------------ purity


def test_modules_import_nothing_heavy() -> None:
    plugins = Path(__file__).resolve().parents[2] / "plugins"
    heavy = ("airflow", "jsonschema", "sqlalchemy", "pendulum")
    code = (
        f"import sys; sys.path.insert(0, {str(plugins)!r}); import ads_sync.windows, ads_sync.registry; "
        f"bad = [m for m in sys.modules if m.split('.')[0] in {heavy!r}]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------------------------------------- intraday


@pytest.mark.parametrize(
    ("instant", "tz", "day", "clock"),
    [
        (utc(2026, 11, 24, 12), "Pacific/Auckland", "2026-11-25", "01:00"),  # already tomorrow in UTC
        (utc(2026, 11, 25, 2), "America/Los_Angeles", "2026-11-24", "18:00"),  # still yesterday in UTC
        (utc(2026, 3, 29, 1, 30), "Europe/Berlin", "2026-03-29", "03:30"),  # just after spring forward
    ],
)
def test_intraday_window_is_today_in_the_account_zone(instant: datetime, tz: str, day: str, clock: str) -> None:
    from ads_sync.windows import intraday_window

    w = intraday_window(instant, tz)
    assert (w.start, w.end, w.as_of) == (D(day), D(day), instant)
    assert w.why == f"today so far ({day}, as of {clock} {tz})"
    assert Window.from_dict(w.as_dict()) == w  # as_of travels through XCom


def test_resolve_intraday_uses_the_run_instant_and_never_the_future() -> None:
    now = utc(2026, 11, 25, 2)
    slot = utc(2026, 11, 25, 1, 30)
    w = resolve_window(kind="intraday", run_type="scheduled", logical_date=slot, run_after=slot, conf={},
                       timezone="America/Los_Angeles", lookback_days=7, retention_months=37, now=now)
    assert w is not None and (w.start, w.as_of) == (D("2026-11-24"), slot)
    assert "from the logical date" in w.why
    manual = resolve_window(kind="intraday", run_type="manual", logical_date=None, run_after=now, conf=None,
                            timezone="Pacific/Auckland", lookback_days=7, retention_months=37, now=now)
    assert manual is not None and (manual.start, manual.as_of) == (D("2026-11-25"), now)
    future = resolve_window(kind="intraday", run_type="manual", logical_date=now + timedelta(days=2),
                            run_after=now, conf={}, timezone="UTC", lookback_days=7, retention_months=37, now=now)
    assert future is not None and future.as_of == now


def test_resolve_intraday_rejects_unknown_conf() -> None:
    now = utc(2026, 11, 25, 2)
    with pytest.raises(ConfError, match="unknown conf key 'weeks'"):
        resolve_window(kind="intraday", run_type="manual", logical_date=now, run_after=now, conf={"weeks": 2},
                       timezone="UTC", lookback_days=7, retention_months=37, now=now)


def test_late_for_next_slot() -> None:
    from ads_sync.windows import late_for_next_slot

    slot = utc(2026, 11, 25, 10)
    assert not late_for_next_slot(slot, "30min", slot + timedelta(minutes=29, seconds=59))
    assert late_for_next_slot(slot, "30min", slot + timedelta(minutes=30))
    assert not late_for_next_slot(slot, "hourly", slot + timedelta(minutes=59))
    with pytest.raises(ValueError, match="no intraday schedule"):
        late_for_next_slot(slot, "daily", slot)
