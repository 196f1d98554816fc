"""Which calendar days a run loads: pure date arithmetic, decided once in the first task.

All dates are calendar dates in the account's time zone (the ad APIs report by the account's day). A
run's date is the local date of its logical date, or of `run_after` when there is none: Airflow 3 cron runs
have zero-length intervals and manual or API runs may have no logical date at all, so the data interval is
never used. A run's date never counts past the local "today" of `now`.

Pure: no Airflow, no DB, no clock reads (callers pass `now`), so every rule is testable with exact dates.
"""

from __future__ import annotations

import calendar
import functools
import re
import zoneinfo
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

Kind = Literal["daily", "weekly", "force_sync", "intraday"]
Preset = Literal["yesterday", "last_7_days", "last_30_days", "this_month", "last_month"]

PRESETS: tuple[str, ...] = ("yesterday", "last_7_days", "last_30_days", "this_month", "last_month")
#: conf keys each kind accepts (Airflow accepts undeclared keys silently, so the first task checks them)
DAILY_CONF_KEYS: tuple[str, ...] = ("dry_run",)
WEEKLY_CONF_KEYS: tuple[str, ...] = ("dry_run",)
INTRADAY_CONF_KEYS: tuple[str, ...] = ("dry_run",)
#: minutes between an intraday DAG's slots, per registry frequency
INTRADAY_MINUTES: dict[str, int] = {"30min": 30, "hourly": 60}
FORCE_SYNC_CONF_KEYS: tuple[str, ...] = (
    "weeks",
    "include_current_week",
    "start_date",
    "end_date",
    "preset",
    "dry_run",
)
WEEKS_MIN, WEEKS_MAX, WEEKS_DEFAULT = 1, 52, 10
WEEKLY_WEEKS = 10

_ISO_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """An inclusive, non-empty range of calendar days, with the reason it was chosen."""

    start: date
    end: date
    #: a sentence for logs and sync_runs saying what was decided and why
    why: str = ""
    #: the instant the window's numbers stand for, when a day of it was not over yet then (an intraday
    #: window: today so far); None for windows of complete days
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if any(isinstance(d, datetime) or not isinstance(d, date) for d in (self.start, self.end)):
            raise TypeError("Window start and end must be dates, not datetimes")
        if self.end < self.start:
            raise ValueError(f"Window end {self.end} is before its start {self.start}")
        if self.as_of is not None and (self.as_of.tzinfo is None or self.as_of.utcoffset() is None):
            raise ValueError("Window as_of must be an aware datetime")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> Iterator[date]:
        d = self.start
        while d <= self.end:
            yield d
            d += _ONE_DAY

    def as_dict(self) -> dict[str, str]:
        """JSON-safe, for XCom and sync_runs."""
        out = {"start": self.start.isoformat(), "end": self.end.isoformat(), "why": self.why}
        if self.as_of is not None:
            out["as_of"] = self.as_of.isoformat()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Window:
        as_of = data.get("as_of")
        return cls(
            date.fromisoformat(data["start"]), date.fromisoformat(data["end"]), str(data.get("why", "")),
            datetime.fromisoformat(as_of) if as_of else None,
        )

    def __str__(self) -> str:
        return f"{self.start}..{self.end} ({self.why})" if self.why else f"{self.start}..{self.end}"


class ConfError(ValueError):
    """One clear message for a bad DAG-run conf (or run request), raised before any API call or write.

    The one exception class outside errors.py: this module must import nothing heavy (no Airflow), and
    errors.py subclasses Airflow's exceptions; the task turns it into errors.InvalidConf."""


# ------------------------------------------------------------------------------------------- building


@functools.lru_cache(maxsize=256)
def _zone(tz: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(tz)


def local_date(ts: datetime, tz: str) -> date:
    """The calendar date of an aware instant in zone `tz` (a naive datetime is a bug: it is no instant)."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"local_date needs an aware datetime, got naive {ts.isoformat()}")
    return ts.astimezone(_zone(tz)).date()


def daily_window(run_date: date, lookback_days: int) -> Window:
    """The `lookback_days` complete days before `run_date`: [run_date - lookback, run_date - 1]."""
    if isinstance(lookback_days, bool) or not isinstance(lookback_days, int) or lookback_days < 1:
        raise ValueError(f"lookback_days must be a positive integer, got {lookback_days!r}")
    end = run_date - _ONE_DAY
    return Window(
        end - timedelta(days=lookback_days - 1),
        end,
        f"last {_plural(lookback_days, 'complete day')} ending yesterday ({end})",
    )


def weekly_window(run_date: date, weeks: int = WEEKLY_WEEKS) -> Window:
    """The `weeks` complete ISO weeks (Mon-Sun) before the ISO week of `run_date`."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1:
        raise ValueError(f"weeks must be a positive integer, got {weeks!r}")
    monday = _monday(run_date)
    start = monday - timedelta(weeks=weeks)
    end = monday - _ONE_DAY
    return Window(
        start,
        end,
        f"{_plural(weeks, 'complete ISO week')} before the run's week {_iso_week(run_date)}: "
        f"{_iso_week(start)} to {_iso_week(end)}",
    )


def intraday_window(as_of: datetime, timezone: str) -> Window:
    """Today so far: the one calendar day of `as_of` in the account's zone, with `as_of` kept so the ledger
    marks the day partial as of then. (In Auckland that is often already tomorrow in UTC, in Los Angeles
    still yesterday: the day is the account's, as the APIs report it.)"""
    day = local_date(as_of, timezone)
    local = as_of.astimezone(_zone(timezone))
    return Window(day, day, f"today so far ({day}, as of {local:%H:%M} {timezone})", as_of=as_of)


def late_for_next_slot(slot: datetime, frequency: str, now: datetime) -> bool:
    """Whether a scheduled intraday run stamped `slot` starts when its next slot is already due: it would
    overlap the next run (or duplicate it), so it is skipped rather than queued behind it."""
    minutes = INTRADAY_MINUTES.get(frequency)
    if minutes is None:
        raise ValueError(f"frequency {frequency!r} has no intraday schedule")
    return now >= slot + timedelta(minutes=minutes)


def retention_limit(today: date, retention_months: int) -> date:
    """The earliest day the API still serves: `today` minus `retention_months` months (day clamped)."""
    return _minus_months(today, retention_months)


def validate_conf(conf: Mapping[str, Any] | None, *, allowed: Collection[str]) -> None:
    """Reject unknown keys (Airflow accepts undeclared conf keys silently) and a non-bool `dry_run`."""
    if conf is None:
        return
    if not isinstance(conf, Mapping):
        raise ConfError(f"the run conf must be a JSON object, got {_show(conf)}")
    allowed_sorted = ", ".join(sorted(allowed)) or "none"
    for key in conf:
        if key not in allowed:
            raise ConfError(f"unknown conf key {_show(key)}; allowed keys: {allowed_sorted}")
    dry_run = conf.get("dry_run")
    if dry_run is not None and not isinstance(dry_run, bool):
        raise ConfError(f"dry_run must be true or false, got {_show(dry_run)}")


def force_sync_window(conf: Mapping[str, Any] | None, today: date, retention_months: int) -> Window:
    """The window a force_sync conf asks for, relative to `today` (the account's local date).

    Exactly one way: `weeks`, `start_date`+`end_date`, or `preset`; none chosen means 10 weeks. Null means
    "not chosen" for every key, so a UI form with empty fields is not an error.
    """
    if conf is None:
        conf = {}
    validate_conf(conf, allowed=FORCE_SYNC_CONF_KEYS)

    weeks = conf.get("weeks")
    if weeks is not None and (
        isinstance(weeks, bool) or not isinstance(weeks, int) or not WEEKS_MIN <= weeks <= WEEKS_MAX
    ):
        raise ConfError(f"weeks must be an integer from {WEEKS_MIN} to {WEEKS_MAX}, got {_show(weeks)}")
    include_current = conf.get("include_current_week")
    if include_current is not None and not isinstance(include_current, bool):
        raise ConfError(f"include_current_week must be true or false, got {_show(include_current)}")
    include_current = bool(include_current)
    start = _conf_date(conf, "start_date")
    end = _conf_date(conf, "end_date")
    preset = conf.get("preset")
    if preset is not None and (not isinstance(preset, str) or preset not in PRESETS):
        raise ConfError(f"preset must be one of {', '.join(PRESETS)}, got {_show(preset)}")

    chosen = [
        name
        for name, used in (
            (f"weeks={weeks}", weeks is not None),
            ("start_date/end_date", start is not None or end is not None),
            (f"preset={preset}", preset is not None),
        )
        if used
    ]
    if len(chosen) > 1:
        raise ConfError(
            f"choose one way of picking the window, got {' and '.join(chosen)}; clear all but one of weeks, "
            "start_date/end_date, preset"
        )
    if include_current and (start is not None or end is not None or preset is not None):
        raise ConfError(
            f"include_current_week applies only to weeks, not to {chosen[0]}; unset it or use weeks"
        )

    if start is not None or end is not None:
        if start is None:
            raise ConfError(f"end_date {end} needs a start_date too; set both or neither")
        if end is None:
            raise ConfError(f"start_date {start} needs an end_date too; set both or neither")
        if end < start:
            raise ConfError(f"end_date {end} is before start_date {start}; swap them")
        if end > today:
            raise ConfError(f"end_date {end} is in the future; the latest allowed is today ({today})")
        window = Window(start, end, f"force sync of start_date/end_date {start} to {end}")
        what = f"start_date {start} is"
    elif preset is not None:
        window = _preset_window(preset, today)
        what = f"preset {preset} starts on {window.start},"
    else:
        n = WEEKS_DEFAULT if weeks is None else weeks
        window = _weeks_window(n, today, include_current, defaulted=weeks is None)
        what = f"weeks={n} starts on {window.start},"

    limit = retention_limit(today, retention_months)
    if window.start < limit:
        raise ConfError(
            f"{what} before the retention limit {limit} ({retention_months} months before today, {today}); "
            f"the API serves no older data, so start on or after {limit}"
        )
    return window


def resolve_window(
    *,
    kind: Kind,
    run_type: str,
    logical_date: datetime | None,
    run_after: datetime,
    conf: Mapping[str, Any] | None,
    timezone: str,
    lookback_days: int,
    retention_months: int,
    now: datetime,
) -> Window | None:
    """The window of one DAG run (DESIGN.md, Windows); None when a backfill run has no complete day yet.

    Raises ConfError for a bad conf (or a backfill before the retention limit), so the first task fails with
    one clear message before any API call or write.
    """
    if kind not in ("daily", "weekly", "force_sync", "intraday"):
        raise ValueError(f"unknown window kind {kind!r}")
    today = local_date(now, timezone)
    source = "logical date" if logical_date is not None else "run_after (no logical date)"
    if kind == "intraday":
        # the run's own instant (its slot), never later than now: a run stamped in the future reads now
        validate_conf(conf, allowed=INTRADAY_CONF_KEYS)
        instant = logical_date if logical_date is not None else run_after
        window = intraday_window(min(instant, now), timezone)
        return replace(window, why=f"{window.why} from the {source}")
    run_date = local_date(logical_date if logical_date is not None else run_after, timezone)
    where = f"in {timezone}"
    clamp_note = ""
    if run_date > today:
        # a run stamped in the future must not ask for days that have not happened
        clamp_note = f"; the run's date {run_date} is after today, so today ({today}) is used"
        run_date = today

    if kind == "force_sync":
        # force_sync has no schedule, so it is never a backfill run; its conf decides everything
        window = force_sync_window(conf, run_date, retention_months)
        return replace(
            window,
            why=f"{window.why}; dates {where}, where today is {run_date}, from the {source}{clamp_note}",
        )

    validate_conf(conf, allowed=DAILY_CONF_KEYS if kind == "daily" else WEEKLY_CONF_KEYS)
    limit = retention_limit(today, retention_months)

    if run_type == "backfill":
        if kind == "daily":
            start = end = run_date
            what = f"backfill of the single day {run_date}"
        else:
            start = _monday(run_date)
            end = start + timedelta(days=6)
            what = f"backfill of ISO week {_iso_week(start)} ({start} to {end}) containing {run_date}"
        notes = []
        if end >= today:
            end = today - _ONE_DAY
            if end < start:
                return None
            notes.append(f"clamped to end yesterday ({end}) because the period is not complete yet")
        if end < limit:
            raise ConfError(
                f"the backfill run for {run_date} is before the retention limit {limit} "
                f"({retention_months} months before today, {today}); "
                f"the API serves no older data, so backfill from {limit} on"
            )
        if start < limit:
            start = limit
            notes.append(f"start clamped to the retention limit {limit}")
        why = f"{what} {where}" + "".join(f"; {n}" for n in notes)
        return Window(start, end, why)

    window = (
        daily_window(run_date, lookback_days) if kind == "daily" else weekly_window(run_date, WEEKLY_WEEKS)
    )
    why = f"{window.why} {where}; run date {run_date} from the {source}{clamp_note}"
    if window.start < limit:
        # only reachable with a short retention: load what the API still has rather than fail every day
        return Window(limit, window.end, f"{why}; start clamped to the retention limit {limit}")
    return replace(window, why=why)


# ---------------------------------------------------------------------------------------------- helpers


def _weeks_window(n: int, today: date, include_current: bool, *, defaulted: bool) -> Window:
    monday = _monday(today)
    start = monday - timedelta(weeks=n)
    end = monday - _ONE_DAY
    why = (
        f"force sync of the {_plural(n, 'complete ISO week')} before the current week {_iso_week(today)}: "
        f"{_iso_week(start)} to {_iso_week(end)}"
    )
    if defaulted:
        why += " (nothing chosen, so the default of 10 weeks)"
    if include_current:
        if today > monday:
            end = today - _ONE_DAY
            why += f", plus the current week from {monday} to yesterday ({end})"
        else:
            why += "; include_current_week adds nothing on a Monday (no complete day of the current week yet)"
    return Window(start, end, why)


def _preset_window(preset: str, today: date) -> Window:
    yesterday = today - _ONE_DAY
    if preset == "yesterday":
        return Window(yesterday, yesterday, f"force sync of preset yesterday ({yesterday})")
    if preset == "last_7_days":
        return Window(
            today - timedelta(days=7),
            yesterday,
            f"force sync of preset last_7_days, ending yesterday ({yesterday})",
        )
    if preset == "last_30_days":
        return Window(
            today - timedelta(days=30),
            yesterday,
            f"force sync of preset last_30_days, ending yesterday ({yesterday})",
        )
    if preset == "this_month":
        first = today.replace(day=1)
        if today == first:
            raise ConfError(
                f"preset this_month has no complete day yet on {today}, the first of the month; "
                "use preset last_month"
            )
        return Window(
            first, yesterday, f"force sync of preset this_month, {first} to yesterday ({yesterday})"
        )
    if preset == "last_month":
        end = today.replace(day=1) - _ONE_DAY
        start = end.replace(day=1)
        return Window(start, end, f"force sync of preset last_month ({start:%Y-%m})")
    raise ConfError(f"preset must be one of {', '.join(PRESETS)}, got {_show(preset)}")  # pragma: no cover


def _conf_date(conf: Mapping[str, Any], key: str) -> date | None:
    """A strict YYYY-MM-DD (date.fromisoformat alone also takes 20261101 and 2026-W48-1)."""
    value = conf.get(key)
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfError(f"{key} must be a date written YYYY-MM-DD, got {_show(value)}")


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _iso_week(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def _minus_months(d: date, months: int) -> date:
    total = d.year * 12 + (d.month - 1) - months
    year, month = divmod(total, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _show(value: object) -> str:
    """A conf value as the user wrote it in JSON terms, inert and short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
