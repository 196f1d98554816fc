"""What the spreadsheets show, as typed grids built from the final tables (include/sql/summaries/).

Platform-neutral: only ads.* (and the sync status) are read, so Google and Meta accounts look alike.
Sums come from SQL; the ratios (CTR, CPC, CPA, ROAS) and period-over-period changes are derived here,
once, from those sums. A grid is plain data: sheet_writes.py turns it into Sheets requests.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import psycopg

CellKind = Literal["header", "text", "int", "money", "number", "percent", "ratio", "date", "datetime"]
Value = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Cell:
    value: Value
    kind: CellKind = "text"


@dataclass(frozen=True)
class Grid:
    """One worksheet: its title and rows; the first `frozen_rows` rows are headers."""

    title: str
    rows: tuple[tuple[Cell, ...], ...]
    frozen_rows: int = 1

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=1)


PERIODS = (("yesterday", "Yesterday", "Day before"), ("last_7_days", "Last 7 days", "Previous 7 days"),
           ("last_30_days", "Last 30 days", "Previous 30 days"))


def _num(value: Any) -> float:
    return float(value) if isinstance(value, Decimal) else float(value or 0)


def _ratio(numerator: Any, denominator: Any) -> float | None:
    d = _num(denominator)
    return _num(numerator) / d if d else None


def kpis(totals: Mapping[str, Any]) -> dict[str, float | int | None]:
    """The nine KPIs from a row of sums (cost, impressions, clicks, conversions, conversion_value)."""
    return {
        "cost": _num(totals["cost"]),
        "impressions": int(totals["impressions"]),
        "clicks": int(totals["clicks"]),
        "ctr": _ratio(totals["clicks"], totals["impressions"]),
        "cpc": _ratio(totals["cost"], totals["clicks"]),
        "conversions": _num(totals["conversions"]),
        "cpa": _ratio(totals["cost"], totals["conversions"]),
        "conversion_value": _num(totals["conversion_value"]),
        "roas": _ratio(totals["conversion_value"], totals["cost"]),
    }


def change(current: float | int | None, previous: float | int | None) -> float | None:
    """Relative change; None when there is nothing to compare with."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def metric_columns(currency: str) -> tuple[tuple[str, str, CellKind], ...]:
    """(kpi key, header, kind) in sheet order."""
    return (
        ("cost", f"Spend ({currency})", "money"),
        ("impressions", "Impressions", "int"),
        ("clicks", "Clicks", "int"),
        ("ctr", "CTR", "percent"),
        ("cpc", f"CPC ({currency})", "money"),
        ("conversions", "Conversions", "number"),
        ("cpa", f"CPA ({currency})", "money"),
        ("conversion_value", f"Conversion value ({currency})", "money"),
        ("roas", "ROAS", "ratio"),
    )


def _header(*titles: str) -> tuple[Cell, ...]:
    return tuple(Cell(t, "header") for t in titles)


def _query(conn: psycopg.Connection[Any], name: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql_text(f"summaries/{name}.sql"), params).fetchall()


def summary_grid(rows: Sequence[Mapping[str, Any]], currency: str) -> Grid:
    """Metrics down, periods across: each period beside the one before it and the change."""
    by_key = {(r["period"], r["which"]): r for r in rows}
    header = ["Metric"]
    for _, current, previous in PERIODS:
        header += [current, previous, "Change"]
    out = [_header(*header)]
    for label, field in (("From", "first_day"), ("To", "last_day")):
        line = [Cell(label)]
        for period, _, _ in PERIODS:
            line += [Cell(by_key[(period, "current")][field], "date"),
                     Cell(by_key[(period, "previous")][field], "date"), Cell(None)]
        out.append(tuple(line))
    derived = {key: kpis(row) for key, row in by_key.items()}
    for key, title, kind in metric_columns(currency):
        line = [Cell(title)]
        for period, _, _ in PERIODS:
            cur, prev = derived[(period, "current")][key], derived[(period, "previous")][key]
            line += [Cell(cur, kind), Cell(prev, kind), Cell(change(cur, prev), "percent")]
        out.append(tuple(line))
    return Grid("Summary", tuple(out))


def campaigns_grid(rows: Sequence[Mapping[str, Any]], currency: str) -> Grid:
    metrics = metric_columns(currency)
    out = [_header("Campaign", "Campaign ID", "Status", *(m[1] for m in metrics))]
    for row in rows:
        values = kpis(row)
        out.append((Cell(row["name"]), Cell(str(row["campaign_id"])), Cell(row["status"]),
                    *(Cell(values[key], kind) for key, _, kind in metrics)))
    return Grid("Campaigns", tuple(out))


def daily_grid(rows: Sequence[Mapping[str, Any]], currency: str) -> Grid:
    metrics = metric_columns(currency)
    out = [_header("Date", *(m[1] for m in metrics))]
    for row in rows:
        values = kpis(row)
        out.append((Cell(row["date"], "date"), *(Cell(values[key], kind) for key, _, kind in metrics)))
    return Grid("Daily", tuple(out))


def overview_grid(rows: Sequence[Mapping[str, Any]], labels: Mapping[str, str]) -> Grid:
    """One row per account; money columns in each account's own currency (hence the Currency column)."""
    metrics = metric_columns("account currency")
    out = [_header("Platform", "Account", "Account ID", "Currency", "Status", "Last successful sync (UTC)",
                   *(f"{title}, last 7 days" for _, title, _ in metrics))]
    for row in rows:
        values = kpis(row)
        synced = row["last_completed_at"]
        out.append((
            Cell(labels.get(row["platform"], row["platform"])), Cell(row["name"]), Cell(str(row["account_id"])),
            Cell(row["currency"]), Cell("ok" if row["status"] == "idle" else row["status"]),
            Cell(synced.astimezone(_utc()).replace(tzinfo=None) if synced else None, "datetime"),
            *(Cell(values[key], kind) for key, _, kind in metrics),
        ))
    return Grid("Overview", tuple(out))


def _utc() -> Any:
    from datetime import UTC

    return UTC


def account_grids(
    conn: psycopg.Connection[Any], *, platform: str, account_id: str, currency: str, as_of: date
) -> list[Grid]:
    """Summary, Campaigns and Daily for one account, as of its yesterday."""
    params = {"platform": platform, "account_id": account_id, "as_of": as_of}
    return [
        summary_grid(_query(conn, "periods", params), currency),
        campaigns_grid(_query(conn, "campaigns", params), currency),
        daily_grid(_query(conn, "daily", params), currency),
    ]


def overview_grids(conn: psycopg.Connection[Any], *, now: datetime) -> list[Grid]:
    from ads_sync.platforms import PLATFORMS

    labels = {name: info.label for name, info in PLATFORMS.items()}
    return [overview_grid(_query(conn, "overview", {"now": now}), labels)]
