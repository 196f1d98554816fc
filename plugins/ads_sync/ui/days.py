"""The coverage calendar's rules, pure: what each report's day is, and gap dates as contiguous ranges.

A day of a report is, in this order:
- `so_far`: a date loaded before it was over (intraday: today so far, and yesterday until the daily run
  loads it complete), or from today on with a load: labelled "so far";
- `not_due`: today or later without a load (the daily run loads yesterday at 02:00 local);
- `mismatch`: loaded, and the latest reconciliation of the date says the platform's totals differ;
- `settling`: loaded, and still young enough that re-reads may move it: younger than the platform's
  settling age (ledger.settling) when known, else than the account's lookback (the daily re-read window);
- `loaded`: loaded and settled;
- `gap`: no load, and the ledger counts it as a gap (inside the account's history);
- `before`: no load, outside the history (before the first load, or after an inactive account's last).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

DayState = Literal["so_far", "not_due", "mismatch", "settling", "loaded", "gap", "before"]
LABELS: dict[str, str] = {
    "loaded": "loaded", "settling": "settling", "gap": "gap", "mismatch": "mismatch",
    "not_due": "not yet due", "so_far": "so far", "before": "before history",
}


@dataclass(frozen=True)
class Day:
    date: date
    state: DayState
    title: str


def window(today: date, days: int) -> list[date]:
    """The `days` dates ending today, oldest first."""
    return [today - timedelta(days=n) for n in range(days - 1, -1, -1)]


def settling_horizon(settle: Any, lookback_days: int) -> int:
    """Days after which a loaded date counts as settled (see the module docstring)."""
    if settle is not None and settle.settles_after_days is not None:
        return int(settle.settles_after_days)
    return lookback_days


def report_days(
    dates: Iterable[date],
    *,
    today: date,
    loads: Mapping[date, Mapping[str, Any]],
    gap_dates: set[date],
    mismatches: set[date],
    horizon: int,
) -> list[Day]:
    out = []
    for day in dates:
        load = loads.get(day)
        if load is not None:
            when = f"loaded {load['loaded_at']:%Y-%m-%d %H:%M} UTC, {load['rows']} rows, by {load['load_id']}"
            partial = load.get("partial_as_of")
            if partial is not None:
                out.append(Day(day, "so_far", f"{day}: so far (partial as of {partial:%Y-%m-%d %H:%M} UTC): {when}"))
            elif day >= today:
                out.append(Day(day, "so_far", f"{day}: so far: {when}"))
            elif day in mismatches:
                out.append(Day(day, "mismatch", f"{day}: loaded totals differ from the platform's; {when}"))
            elif (today - day).days <= horizon:
                out.append(Day(day, "settling", f"{day}: settling (re-reads may still change it); {when}"))
            else:
                out.append(Day(day, "loaded", f"{day}: {when}"))
        elif day >= today:
            out.append(Day(day, "not_due", f"{day}: not yet due"))
        elif day in gap_dates:
            out.append(Day(day, "gap", f"{day}: gap: no successful load (no data, not zero)"))
        else:
            out.append(Day(day, "before", f"{day}: outside the account's history"))
    return out


def ranges(dates: Iterable[date]) -> list[tuple[date, date]]:
    """Contiguous runs of dates, oldest first: [(start, end), ...]."""
    out: list[tuple[date, date]] = []
    for day in sorted(set(dates)):
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out
