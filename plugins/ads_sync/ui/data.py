"""What the pages show, read from the warehouse: the status rows come from ads_sync.status and the
gaps and settling from ads_sync.ledger (the same numbers `make status` prints); only what those do
not answer (the calendar's loads, spend by day, recent runs) is read here, with SQL
from include/sql/ui/ and values only as parameters."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ads_sync import ledger, reconcile, status
from ads_sync.dag_factory import dag_id, kinds_for
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
    return rank, -int(row["gaps_90d"] or 0), row["name"]


def account_rows(conn: psycopg.Connection[Any], accounts: Sequence[Account], *, now: datetime) -> list[dict[str, Any]]:
    """status.account_rows (reconciliation included), with the DAG ids, sorted by needs-attention."""
    rows = status.account_rows(conn, accounts, now=now) if accounts else []
    by_key = {a.key: a for a in accounts}
    for row in rows:
        account = by_key[f"{row['platform']}__{row['account']}"]
        row["dag_ids"] = {kind: dag_id(account, kind) for kind in kinds_for(account)}
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
    #: dates whose numbers are so far (loaded before the day was over): labelled "so far"
    so_far: set[date] = field(default_factory=set)
    runs: list[dict[str, Any]] = field(default_factory=list)


def account_view(conn: psycopg.Connection[Any], account: Account, *, now: datetime) -> AccountView:
    row = account_rows(conn, [account], now=now)[0]
    today = ledger.yesterday(account.timezone, now) + timedelta(days=1)
    dates = days.window(today, DAYS)
    span = {"platform": account.platform, "account_id": account.account_id, "first": dates[0], "last": dates[-1]}
    # the account's reports, its custom reports (`custom:<name>`) among them, each a row even before a load
    names = [*account.reports, *(c.report for c in account.custom_reports)]
    loads: dict[str, dict[date, dict[str, Any]]] = {report: {} for report in names}
    for load in _rows(conn, "coverage_days", span):
        loads.setdefault(load["report"], {})[load["date"]] = load
    holes = ledger.gaps(conn, [account], now=now)[account.key]
    gaps_of = {r: {h["date"] for h in holes if r in h["reports"]} for r in loads}
    horizon = days.settling_horizon(ledger.settling(conn, now=now).get(account.platform), account.lookback_days)
    # the calendar's 90 days, where the status looks at reconcile.RECENT_DAYS
    checked = reconcile.summaries(conn, [account], now=now, days=DAYS)[account.key]
    mismatches = {c.date for c in checked.mismatches}
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
        so_far={d.date for ds in reports.values() for d in ds if d.state == "so_far" and d.date in spend},
    )
