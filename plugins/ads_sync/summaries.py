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


NO_DATA = "no data"


def loaded_whole(row: Mapping[str, Any]) -> bool:
    """A period's totals are shown only when every one of its dates was loaded: a gap is not zero."""
    return int(row.get("loaded_days", row.get("days", 0)) or 0) >= int(row.get("days", 0) or 0)


def reconciliation_text(check: Mapping[str, Any] | None, days: int) -> str:
    """Whether a period matches the platform's own totals, and by how much it differs if not."""
    if not check or not check["checked_days"]:
        return "not checked"
    mismatches = check["mismatches"]
    if mismatches:
        by_metric: dict[str, Decimal] = {}
        for c in mismatches:
            by_metric[c.metric] = by_metric.get(c.metric, Decimal(0)) + c.difference
        dates = len({c.date for c in mismatches})
        parts = ", ".join(f"{m} {'+' if d > 0 else ''}{format(d.normalize(), 'f')}" for m, d in by_metric.items())
        return f"differs: {parts} ({dates} day{'s' if dates != 1 else ''})"
    if check["checked_days"] < days:
        return f"matches ({check['checked_days']} of {days} days checked)"
    return "matches"


def summary_grid(
    rows: Sequence[Mapping[str, Any]], currency: str, checks: Mapping[tuple[str, str], Mapping[str, Any]] | None = None
) -> Grid:
    """Metrics down, periods across: each period beside the one before it and the change; a period not
    loaded whole shows "no data", and each says whether it matches the platform."""
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
    derived = {key: kpis(row) if loaded_whole(row) else None for key, row in by_key.items()}
    for key, title, kind in metric_columns(currency):
        line = [Cell(title)]
        for period, _, _ in PERIODS:
            cur_kpis, prev_kpis = derived[(period, "current")], derived[(period, "previous")]
            cur = cur_kpis[key] if cur_kpis is not None else None
            prev = prev_kpis[key] if prev_kpis is not None else None
            line += [Cell(cur, kind) if cur_kpis is not None else Cell(NO_DATA),
                     Cell(prev, kind) if prev_kpis is not None else Cell(NO_DATA),
                     Cell(change(cur, prev), "percent")]
        out.append(tuple(line))
    if "loaded_days" in next(iter(by_key.values()), {}):
        line = [Cell("Days loaded")]
        for period, _, _ in PERIODS:
            for which in ("current", "previous"):
                row = by_key[(period, which)]
                line.append(Cell(f"{row['loaded_days']} of {row['days']}"))
            line.append(Cell(None))
        out.append(tuple(line))
    if checks is not None:
        line = [Cell("Matches platform")]
        for period, _, _ in PERIODS:
            for which in ("current", "previous"):
                days = int(by_key[(period, which)]["days"])
                line.append(Cell(reconciliation_text(checks.get((period, which)), days)))
            line.append(Cell(None))
        out.append(tuple(line))
    return Grid("Summary", tuple(out))


SO_FAR = "Today (so far)"


def with_today(grid: Grid, today: Mapping[str, Any], currency: str, label: str) -> Grid:
    """The Summary grid with one more column: an intraday account's today so far, labelled as such (its
    numbers still move; the reconciliation compares it only as partial)."""
    values = kpis(today)
    metric_rows = {title: (key, kind) for key, title, kind in metric_columns(currency)}
    out = []
    for row in grid.rows:
        title = row[0].value
        if row[0].kind == "header":
            extra = Cell(SO_FAR, "header")
        elif title in ("From", "To"):
            extra = Cell(today["first_day"], "date")
        elif title in metric_rows:
            key, kind = metric_rows[str(title)]
            extra = Cell(values[key], kind)
        elif title == "Days loaded":
            extra = Cell(label)
        elif title == "Matches platform":
            extra = Cell("partial: still delivering")
        else:
            extra = Cell(None)
        out.append((*row, extra))
    return Grid(grid.title, tuple(out), grid.frozen_rows)


def today_row(row: Mapping[str, Any], currency: str) -> tuple[Cell, ...]:
    """The Daily sheet's row of today so far: its date cell says "so far"."""
    values = kpis(row)
    return (Cell(f"{row['first_day']} so far"), *(Cell(values[key], kind) for key, _, kind in metric_columns(currency)))


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
    conn: psycopg.Connection[Any], *, platform: str, account_id: str, currency: str, as_of: date,
    today: date | None = None, timezone: str = "UTC",
) -> list[Grid]:
    """Summary, Campaigns and Daily for one account, as of its yesterday; with `today` (an intraday
    account), today so far beside them, labelled "so far" with the time it stands for."""
    from ads_sync import reconcile

    params = {"platform": platform, "account_id": account_id, "as_of": as_of}
    periods = _query(conn, "periods", params)
    checks = {(r["period"], r["which"]): reconcile.period_differences(
        conn, platform=platform, account_id=account_id, first_day=r["first_day"], last_day=r["last_day"])
        for r in periods}
    summary = summary_grid(periods, currency, checks)
    daily = daily_grid(_query(conn, "daily", params), currency)
    if today is not None:
        [now] = _query(conn, "today", {**params, "today": today})
        if now["partial_as_of"] is not None:
            from ads_sync.ledger import partial_label

            summary = with_today(summary, now, currency, partial_label(now["partial_as_of"], timezone))
            daily = Grid(daily.title, (*daily.rows, today_row(now, currency)), daily.frozen_rows)
    return [summary, campaigns_grid(_query(conn, "campaigns", params), currency), daily]


def overview_grids(conn: psycopg.Connection[Any], *, now: datetime) -> list[Grid]:
    from ads_sync.platforms import PLATFORMS

    labels = {name: info.label for name, info in PLATFORMS.items()}
    return [overview_grid(_query(conn, "overview", {"now": now}), labels)]
