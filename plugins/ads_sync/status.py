"""`ads-sync status`: one row per registry account, from the ledger and the sync log.

Columns: platform, account, status, last success, last error, rows, gaps in the last 90 days, days
until settled, reconciled (days matching the platform's own totals out of the days checked in the last
30, and the largest difference). Status, most serious first (STATUS_ORDER): auth_failed / failed (the last
sync failed), disabled (the platform says the account is cancelled or suspended: runs are skipped), mismatch
(the latest check of some recent date differs from the platform's totals), never_synced, push_failed (data
loaded, the Sheets push failed), stale, fresh.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ads_sync import ledger, reconcile

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account

COLUMNS = ("platform", "account", "status", "last_success", "last_error", "rows", "gaps_90d", "days_until_settled",
           "reconciled", "api_version")
ERROR_WIDTH = 60
#: most serious first (DESIGN.md, Errors)
STATUS_ORDER = ("auth_failed", "failed", "disabled", "mismatch", "never_synced", "push_failed", "stale", "fresh")
#: account_status.status values that are the account's status as they stand
RECORDED = ("failed", "auth_failed", "disabled")


def account_rows(
    conn: psycopg.Connection[Any], accounts: Sequence[Account], *, now: datetime
) -> list[dict[str, Any]]:
    """The status of each account, in registry order, as plain data (what --json prints)."""
    from psycopg.rows import dict_row

    from ads_sync.warehouse import sql_text

    with conn.cursor(row_factory=dict_row) as cur:
        facts = {
            (r["platform"], r["account_id"]): r
            for r in cur.execute(sql_text("ledger/accounts.sql"), {
                "platforms": [a.platform for a in accounts], "account_ids": [a.account_id for a in accounts],
            }).fetchall()
        }
    holes = ledger.gaps(conn, accounts, now=now)
    api_versions = _api_versions(now)
    settles = ledger.settling(conn, now=now)
    checks = reconcile.summaries(conn, accounts, now=now)
    earliest = min((ledger.yesterday(a.timezone, now) for a in accounts), default=now.date())
    partial = ledger.partial_days(conn, accounts, since=earliest)
    out = []
    for account in accounts:
        fact = facts.get((account.platform, account.account_id), {})
        expected = ledger.yesterday(account.timezone, now)
        fresh, lag = ledger.freshness(fact.get("last_date"), expected)
        settle = settles.get(account.platform)
        today = expected + timedelta(days=1)
        status = fresh
        error = fact.get("last_error")
        checked = checks[account.key]
        today_as_of = partial[account.key].get(today)
        if fact.get("status") in RECORDED:
            status = fact["status"]
        elif checked.mismatch:
            status = "mismatch"
        elif fresh != "never_synced" and fact.get("push_status") == "failed":
            status = "push_failed"
            error = f"push: {fact.get('push_error')}"
        out.append({
            "platform": account.platform,
            "account": account.account_id,
            "name": account.name,
            "status": status,
            "last_success": fact.get("last_completed_at"),
            "last_error": error,
            "rows": int(fact.get("rows") or 0),
            # no history, no gaps to count: unknown (null, "-"), never a reassuring 0
            "gaps_90d": None if fresh == "never_synced" else len(holes[account.key]),
            "gap_dates": [g["date"] for g in holes[account.key]],
            "days_until_settled": ledger.days_until_settled(fact.get("last_date"), settle, today),
            "newest_date": fact.get("last_date"),
            "days_behind": lag,
            "active": account.active,
            "settling": settle.as_dict() if settle else None,
            "reconciled": _reconciled(checked),
            "reconciliation": checked.as_dict(),
            # None: the platform's spec names no versioned API
            "api_version": api_versions.get(account.platform),
            # issue 17: today so far (intraday), never counted as a complete day
            "today": None if today_as_of is None else {
                "date": today, "partial_as_of": today_as_of,
                "label": ledger.partial_label(today_as_of, account.timezone),
            },
        })
    return out


def _reconciled(summary: reconcile.Summary) -> str | None:
    """'30/30' or '29/30, largest 2026-11-20 cost -12.34'; None: never checked."""
    if not summary.checked_days:
        return None
    text = f"{summary.matching_days}/{summary.checked_days}"
    return text + (f", largest {reconcile.short(summary.largest)}" if summary.largest else "")


def _api_versions(now: datetime) -> dict[str, dict[str, Any]]:
    """Issue 16: per platform, the API version called and how close its sunset is (ads_sync.versions)."""
    from ads_sync import versions

    return {p: versions.current(p, today=now.date()).as_dict() for p in versions.in_use()}


def _api_cell(state: dict[str, Any]) -> str:
    if state["level"] == "ok":
        return str(state["version"])
    if state["level"] == "sunset":
        return f"{state['version']} TURNED OFF {state['sunset']}"
    return f"{state['version']} sunsets {state['sunset']} ({state['days_left']}d)"


def _cell(key: str, row: dict[str, Any]) -> str:
    value = row[key]
    if key == "api_version":
        return _api_cell(value) if value is not None else "-"
    if key == "account":
        return f"{value} {row['name']}"
    if value is None:
        if key == "days_until_settled" and row["newest_date"]:
            return f"?(>={row['settling']['settles_after_at_least']}d)" if row["settling"] else "?"
        return "-"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    text = str(value).replace("\n", " ")
    return text if len(text) <= ERROR_WIDTH else text[: ERROR_WIDTH - 1] + "…"


def render_table(rows: Sequence[dict[str, Any]]) -> str:
    table = [list(COLUMNS)] + [[_cell(k, r) for k in COLUMNS] for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table]
    for r in rows:
        if r.get("today"):
            lines.append(f"{r['platform']} {r['account']} {r['name']}: today: {r['today']['label']}")
    if any(r["days_until_settled"] is None and r["newest_date"] for r in rows):
        lines.append("?: when the data settles is not known yet: it needs re-reads of dates on later days")
    return "\n".join(lines)


def render_json(rows: Sequence[dict[str, Any]]) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        raise TypeError(f"not JSON serialisable: {value!r}")

    return json.dumps({"accounts": list(rows)}, default=default, indent=2)
