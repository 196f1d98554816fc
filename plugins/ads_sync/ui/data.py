"""What the pages show, read from the warehouse: the status rows come from ads_sync.status and the
gaps and settling from ads_sync.ledger (the same numbers `make status` prints); only what those do
not answer (the calendar's loads, spend by day, recent runs, reconciliation) is read here, with SQL
from include/sql/ui/ and values only as parameters."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ads_sync import ledger, status
from ads_sync.dag_factory import KINDS, dag_id
from ads_sync.ui import days

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account

DAYS = ledger.GAP_DAYS
RUNS = 20
#: most serious first (DESIGN.md); a status this list does not know yet sorts after push_failed
SEVERITY = ("auth_failed", "failed", "disabled", "mismatch", "never_synced", "push_failed", "stale", "fresh")


def _rows(conn: psycopg.Connection[Any], name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql_text(f"ui/{name}.sql"), params).fetchall()


def attention(row: Mapping[str, Any]) -> tuple[float, int, str]:
    """Sort key: most serious status first, then the most gaps, then by name."""
    state = row["status"]
    rank = SEVERITY.index(state) if state in SEVERITY else SEVERITY.index("push_failed") + 0.5
    return rank, -int(row["gaps_90d"]), row["name"]


@dataclass(frozen=True)
class Reconciliation:
    """Per account: the latest verdict per date of the last 90 days, or not checked at all."""

    checked: bool
    mismatches: tuple[date, ...] = ()
    last_checked: datetime | None = None

    @property
    def label(self) -> str:
        if not self.checked:
            return "not checked"
        if self.mismatches:
            n = len(self.mismatches)
            return f"{n} day{'s' if n > 1 else ''} differ"
        return "match"


def reconciliations(conn: psycopg.Connection[Any], accounts: Sequence[Account]) -> dict[str, Reconciliation]:
    """Per account key. Until issue 10's table exists every account reads "not checked"."""
    if not accounts or not _rows(conn, "has_reconciliation", {})[0]["present"]:
        return {a.key: Reconciliation(False) for a in accounts}
    per: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in _rows(conn, "reconciliation_days", {
        "platforms": [a.platform for a in accounts], "account_ids": [a.account_id for a in accounts], "days": DAYS,
    }):
        per[(row["platform"], row["account_id"])].append(row)
    out = {}
    for a in accounts:
        days = per.get((a.platform, a.account_id), [])
        out[a.key] = Reconciliation(
            checked=bool(days),
            mismatches=tuple(d["date"] for d in days if d["state"] == "mismatch"),
            last_checked=max((d["checked_at"] for d in days), default=None),
        )
    return out


def account_rows(conn: psycopg.Connection[Any], accounts: Sequence[Account], *, now: datetime) -> list[dict[str, Any]]:
    """status.account_rows plus the reconciliation result, sorted by needs-attention."""
    rows = status.account_rows(conn, accounts, now=now) if accounts else []
    checks = reconciliations(conn, accounts)
    by_key = {a.key: a for a in accounts}
    for row in rows:
        account = by_key[f"{row['platform']}__{row['account']}"]
        row["reconciliation"] = checks[account.key]
        row["dag_ids"] = {kind: dag_id(account, kind) for kind in KINDS}
    return sorted(rows, key=attention)


@dataclass
class AccountView:
    account: Account
    row: dict[str, Any]
    today: date
    dates: list[date]
    reports: dict[str, list[days.Day]]
    spend: dict[date, Decimal]
    gap_ranges: list[tuple[date, date]]
    runs: list[dict[str, Any]] = field(default_factory=list)


def account_view(conn: psycopg.Connection[Any], account: Account, *, now: datetime) -> AccountView:
    row = account_rows(conn, [account], now=now)[0]
    today = ledger.yesterday(account.timezone, now) + timedelta(days=1)
    dates = days.window(today, DAYS)
    span = {"platform": account.platform, "account_id": account.account_id, "first": dates[0], "last": dates[-1]}
    loads: dict[str, dict[date, dict[str, Any]]] = {report: {} for report in account.reports}
    for load in _rows(conn, "coverage_days", span):
        loads.setdefault(load["report"], {})[load["date"]] = load
    holes = ledger.gaps(conn, [account], now=now)[account.key]
    gaps_of = {r: {h["date"] for h in holes if r in h["reports"]} for r in loads}
    horizon = days.settling_horizon(ledger.settling(conn, now=now).get(account.platform), account.lookback_days)
    mismatches = set(row["reconciliation"].mismatches)
    reports = {
        report: days.report_days(
            dates, today=today, loads=loaded, gap_dates=gaps_of[report], mismatches=mismatches, horizon=horizon
        )
        for report, loaded in sorted(loads.items())
    }
    spend = {r["date"]: r["cost"] for r in _rows(conn, "spend_by_day", span)}
    runs = _rows(conn, "recent_runs", {"platform": account.platform, "account_id": account.account_id, "limit": RUNS})
    return AccountView(
        account=account, row=row, today=today, dates=dates, reports=reports, spend=spend,
        gap_ranges=days.ranges(h["date"] for h in holes), runs=runs,
    )
