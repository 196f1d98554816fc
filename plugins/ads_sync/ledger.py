"""The ledger: what is loaded, how fresh it is, where the holes are, and when a platform's data settles.

Everything is computed from ads_sync.coverage (the latest load of each account, report and date) and
ads_sync.coverage_loads (every load, kept by a trigger), with SQL from include/sql/ledger/.

Definitions (the issue left them open):
- An account's history runs from the earliest date any successful run loaded to yesterday in its
  time zone (to its newest loaded date when the registry marks it inactive). A gap is a date of that
  history, within the last `days` (90), that some report of the account has no successful load for.
- Partial days (issue 17): a date loaded before it was over in the account's zone (an intraday run's
  today so far) carries the instant its numbers stand for (`coverage.partial_as_of`). It is no complete
  day: freshness and gaps ignore it, and settling does not count the day completing as a restatement.
- Freshness: the newest complete date every report has loaded, against yesterday. One day behind still counts
  as fresh: the daily run loads yesterday at 02:00 local time, so until then the day before is newest.
- Settling, per platform: `settles_after_days` is the oldest age (days between a date and its load)
  at which a re-read still moved cost or conversions, known once a re-read older than that moved
  nothing; until then only a lower bound is known (`settles_after_at_least`). It is an upper bound of
  the true age, since a change is only seen at the next re-read.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account

GAP_DAYS = 90
SETTLING_DAYS = 90
#: how many days behind yesterday the newest loaded date may be and still count as fresh
FRESH_LAG_DAYS = 1


def _rows(conn: psycopg.Connection[Any], name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql_text(f"ledger/{name}.sql"), params).fetchall()


def yesterday(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def gaps(
    conn: psycopg.Connection[Any], accounts: Iterable[Account], *, now: datetime, days: int = GAP_DAYS
) -> dict[str, list[dict[str, Any]]]:
    """Per account key: the missing dates (with the reports missing them), oldest first."""
    accounts = list(accounts)
    rows = _rows(conn, "gaps", {
        "platforms": [a.platform for a in accounts],
        "account_ids": [a.account_id for a in accounts],
        "last_days": [yesterday(a.timezone, now) if a.active else None for a in accounts],
        "days": days,
    })
    out: dict[str, list[dict[str, Any]]] = {a.key: [] for a in accounts}
    keys = {(a.platform, a.account_id): a.key for a in accounts}
    for row in rows:
        out[keys[(row["platform"], row["account_id"])]].append({"date": row["date"], "reports": row["reports"]})
    return out


@dataclass(frozen=True)
class Settling:
    platform: str
    rereads: int
    changed_rereads: int
    #: the age after which re-reads stopped changing numbers; None until a re-read beyond it proved it
    settles_after_days: int | None
    #: when not yet known: it is at least this
    settles_after_at_least: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "platform": self.platform, "rereads": self.rereads, "changed_rereads": self.changed_rereads,
            "settles_after_days": self.settles_after_days, "settles_after_at_least": self.settles_after_at_least,
        }


def settling(conn: psycopg.Connection[Any], *, now: datetime, days: int = SETTLING_DAYS) -> dict[str, Settling]:
    out = {}
    for row in _rows(conn, "settling", {"now": now, "days": days}):
        last_changed = row["last_changed_age"]
        known = row["oldest_stable_age"] is not None
        out[row["platform"]] = Settling(
            platform=row["platform"],
            rereads=row["rereads"],
            changed_rereads=row["changed_rereads"],
            settles_after_days=(last_changed or 0) if known else None,
            settles_after_at_least=(last_changed + 1) if last_changed is not None else 0,
        )
    return out


def days_until_settled(newest: date | None, settle: Settling | None, today: date) -> int | None:
    """Days until the newest loaded date stops changing; None when the platform's settling is unknown."""
    if newest is None or settle is None or settle.settles_after_days is None:
        return None
    return max(0, (newest + timedelta(days=settle.settles_after_days) - today).days)


def restatements(conn: psycopg.Connection[Any], *, platform: str, account_id: str) -> list[dict[str, Any]]:
    """Every re-read that moved a date's cost or conversions: report, date, age, and by how much."""
    return _rows(conn, "restatements", {"platform": platform, "account_id": account_id})


def freshness(newest: date | None, expected: date) -> tuple[str, int | None]:
    """('fresh' | 'stale' | 'never_synced', days behind yesterday)."""
    if newest is None:
        return "never_synced", None
    lag = (expected - newest).days
    return ("fresh" if lag <= FRESH_LAG_DAYS else "stale"), max(0, lag)


def partial_days(
    conn: psycopg.Connection[Any], accounts: Iterable[Account], *, since: date
) -> dict[str, dict[date, datetime]]:
    """Per account key: each partial date from `since` on, with the as-of instant of its oldest report."""
    accounts = list(accounts)
    rows = _rows(conn, "partial_days", {
        "platforms": [a.platform for a in accounts], "account_ids": [a.account_id for a in accounts],
        "since": since,
    })
    keys = {(a.platform, a.account_id): a.key for a in accounts}
    out: dict[str, dict[date, datetime]] = {a.key: {} for a in accounts}
    for row in rows:
        out[keys[(row["platform"], row["account_id"])]][row["date"]] = row["partial_as_of"]
    return out


def partial_label(as_of: datetime, timezone: str) -> str:
    """'partial as of 14:30 (Europe/Berlin)': the as-of instant in the account's own zone."""
    return f"partial as of {as_of.astimezone(ZoneInfo(timezone)):%H:%M} ({timezone})"
