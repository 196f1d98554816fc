"""Reconciliation: every load checked against the platform's own account-level daily totals.

The one owner of `ads_sync.reconciliation` (SQL in include/sql/reconcile/). After a merge, the platform
is asked once for the account's daily totals over the run's window (Google: SearchStream `FROM customer`
with `segments.date`; Meta: `level=account`, `time_increment=1`, the same attribution windows and action
report time as the ad rows) and each date is compared with what `ads.campaign_daily` holds:

- cost, impressions and clicks must be equal exactly (exact decimals: micros and Meta's decimal strings,
  never floats); conversions and conversion value to 6 decimal places;
- a date that is today or later in the account's time zone is still delivering: it is recorded as
  `partial` and never counts as a mismatch (`first_partial_date`, which intraday runs rely on);
- a difference is recorded with its date and amount, never "repaired" with invented rows.

Every check is kept (history, not an upsert): the account's state is the latest check of each date and
metric, and the ledger reads the history to tell when a platform's own totals stop moving.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account

Metric = Literal["impressions", "clicks", "cost", "conversions", "conversion_value"]
State = Literal["match", "mismatch", "partial"]
#: in the order of a DayTotal after its date
METRICS: tuple[Metric, ...] = ("impressions", "clicks", "cost", "conversions", "conversion_value")
#: compared to this many decimal places; the others exactly
SIX_PLACES: dict[Metric, Decimal] = {"conversions": Decimal("0.000001"), "conversion_value": Decimal("0.000001")}
#: which difference is "the largest" one shown: money first (amounts in different units do not compare)
SHOWN_FIRST: tuple[Metric, ...] = ("cost", "conversion_value", "conversions", "clicks", "impressions")
#: the status and the Sheets look this many days back
RECENT_DAYS = 30
ZERO = Decimal(0)


def first_partial_date(timezone: str, now: datetime) -> date:
    """The first date whose numbers cannot be final yet: today in the account's time zone. Checks of it
    and of later dates are recorded as `partial`, never as a mismatch (an intraday run loads today)."""
    return now.astimezone(ZoneInfo(timezone)).date()


def is_partial(day: date, timezone: str, now: datetime) -> bool:
    return day >= first_partial_date(timezone, now)


@dataclass(frozen=True)
class Check:
    date: date
    metric: Metric
    platform_total: Decimal
    loaded_total: Decimal
    state: State

    @property
    def difference(self) -> Decimal:
        """What we hold minus what the platform says: negative when rows are missing."""
        return self.loaded_total - self.platform_total


def _totals(rows: Iterable[Sequence[Any]]) -> dict[date, tuple[Decimal, ...]]:
    """Per date, the five metrics as Decimals (a date given twice is summed)."""
    out: dict[date, tuple[Decimal, ...]] = {}
    for day, *values in rows:
        numbers = tuple(Decimal(v) for v in values)
        out[day] = tuple(a + b for a, b in zip(out[day], numbers, strict=True)) if day in out else numbers
    return out


def equal(metric: Metric, a: Decimal, b: Decimal) -> bool:
    places = SIX_PLACES.get(metric)
    if places is None:
        return a == b
    return a.quantize(places) == b.quantize(places)


def compare(
    platform: Iterable[Sequence[Any]], loaded: Iterable[Sequence[Any]], days: Iterable[date], *, partial_from: date
) -> list[Check]:
    """One check per date of `days` and metric. A date without a row on one side is zero there: both
    platforms leave out days without delivery, so zero is what they state, not a gap in our reading."""
    theirs, ours = _totals(platform), _totals(loaded)
    none = (ZERO,) * len(METRICS)
    checks = []
    for day in days:
        for metric, p, o in zip(METRICS, theirs.get(day, none), ours.get(day, none), strict=True):
            state: State = "partial" if day >= partial_from else "match" if equal(metric, p, o) else "mismatch"
            checks.append(Check(day, metric, p, o, state))
    return checks


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class Outcome:
    """What one run's check found (for XCom and the log)."""

    days_checked: int
    days_partial: int
    mismatches: tuple[Check, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"days_checked": self.days_checked, "days_partial": self.days_partial,
                "mismatched_days": sorted({c.date.isoformat() for c in self.mismatches})}


def check(
    conn: psycopg.Connection[Any],
    account: Account,
    *,
    start: date,
    end: date,
    platform_totals: Iterable[Sequence[Any]],
    dag_id: str,
    run_id: str,
    now: datetime,
    as_of: datetime | None = None,
) -> Outcome:
    """Compare the platform's totals with ads.campaign_daily over start..end and record every check
    (inside the caller's transaction). `as_of`: the instant an intraday window's numbers stand for; its
    day was not over then, so it is compared as partial even when the check runs later."""
    from ads_sync.warehouse import sql_text

    ids = {"platform": account.platform, "account_id": account.account_id}
    loaded = conn.execute(sql_text("reconcile/loaded_totals.sql"), {**ids, "start": start, "end": end}).fetchall()
    partial_from = first_partial_date(account.timezone, min(now, as_of) if as_of is not None else now)
    checks = compare(platform_totals, loaded, _days(start, end), partial_from=partial_from)
    with conn.cursor() as cur:
        cur.executemany(sql_text("reconcile/record.sql"), [
            {**ids, "date": c.date, "metric": c.metric, "platform_total": c.platform_total,
             "loaded_total": c.loaded_total, "difference": c.difference, "state": c.state,
             "dag_id": dag_id, "run_id": run_id, "checked_at": now}
            for c in checks
        ])
    partial = {c.date for c in checks if c.state == "partial"}
    return Outcome(len({c.date for c in checks} - partial), len(partial),
                   tuple(c for c in checks if c.state == "mismatch"))


@dataclass(frozen=True)
class Summary:
    """An account's reconciliation over its last RECENT_DAYS dates: the latest check of each."""

    checked_days: int
    matching_days: int
    #: the latest checks that differ, by SHOWN_FIRST, then largest difference first
    mismatches: tuple[Check, ...]

    @property
    def mismatch(self) -> bool:
        return bool(self.mismatches)

    @property
    def largest(self) -> Check | None:
        return self.mismatches[0] if self.mismatches else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked_days": self.checked_days, "matching_days": self.matching_days,
            "mismatches": [{"date": c.date.isoformat(), "metric": c.metric, "platform": str(c.platform_total),
                            "loaded": str(c.loaded_total), "difference": str(c.difference)}
                           for c in self.mismatches],
        }


def _text(d: Decimal) -> str:
    return format(d.normalize(), "f") if d != d.to_integral_value() else str(int(d))


def short(c: Check) -> str:
    """'2026-11-20 cost -12.34'."""
    return f"{c.date} {c.metric} {'+' if c.difference > 0 else ''}{_text(c.difference)}"


def describe(c: Check) -> str:
    """'2026-11-20 cost -12.34 (platform 2418.5, loaded 2406.16)'."""
    return f"{short(c)} (platform {_text(c.platform_total)}, loaded {_text(c.loaded_total)})"


def summarise(rows: Iterable[Mapping[str, Any]]) -> Summary:
    """From the latest check of each date and metric (include/sql/reconcile/latest.sql)."""
    by_day: dict[date, list[Check]] = {}
    for r in rows:
        if r["state"] == "partial":
            continue
        by_day.setdefault(r["date"], []).append(
            Check(r["date"], r["metric"], Decimal(r["platform_total"]), Decimal(r["loaded_total"]), r["state"]))
    mismatches = sorted((c for checks in by_day.values() for c in checks if c.state == "mismatch"),
                        key=lambda c: (SHOWN_FIRST.index(c.metric), -abs(c.difference), c.date))
    matching = sum(1 for checks in by_day.values() if all(c.state == "match" for c in checks))
    return Summary(len(by_day), matching, tuple(mismatches))


def summaries(
    conn: psycopg.Connection[Any], accounts: Sequence[Account], *, now: datetime, days: int = RECENT_DAYS
) -> dict[str, Summary]:
    """Per account key: the latest check of each of its last `days` dates (to its yesterday)."""
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    since = [first_partial_date(a.timezone, now) - timedelta(days=days) for a in accounts]
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(sql_text("reconcile/latest.sql"), {
            "platforms": [a.platform for a in accounts], "account_ids": [a.account_id for a in accounts],
            "since": since,
        }).fetchall()
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault((row["platform"], row["account_id"]), []).append(row)
    return {a.key: summarise(grouped.get((a.platform, a.account_id), [])) for a in accounts}


def run_outcome(conn: psycopg.Connection[Any], *, dag_id: str, run_id: str) -> Summary | None:
    """What one run's reconciliation recorded; None when the run checked nothing."""
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(sql_text("reconcile/of_run.sql"), {"dag_id": dag_id, "run_id": run_id}).fetchall()
    return summarise(rows) if rows else None


def period_differences(
    conn: psycopg.Connection[Any], *, platform: str, account_id: str, first_day: date, last_day: date
) -> dict[str, Any]:
    """For a Sheets period: how many of its dates were checked, and the cost difference summed over the
    dates whose latest check differs (with the other metrics that differ)."""
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(sql_text("reconcile/latest.sql"), {
            "platforms": [platform], "account_ids": [account_id], "since": [first_day],
        }).fetchall()
    summary = summarise(r for r in rows if r["date"] <= last_day)
    return {"checked_days": summary.checked_days, "matching_days": summary.matching_days,
            "mismatches": summary.mismatches}
