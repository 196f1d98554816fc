"""Benchmark 6: API requests per window, counted by the sandbox (its request log), made vs the minimum.

The minimum per window is one stream per report plus the reconciliation's one request for the
account's own daily totals (`FROM customer`, issue 10).

Windows come from the product's own `resolve_window` for each kind of run; the extraction is the real
`pipeline.extract` against the small sandbox (3 campaigns), so counting costs little time.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench import common

ACCOUNT = "3333333333"


def _window(kind: str, run_type: str, day: Any) -> Any:
    from ads_sync.windows import resolve_window

    stamp = datetime.combine(day, time(2), tzinfo=UTC)
    return resolve_window(
        kind=kind, run_type=run_type, logical_date=stamp, run_after=stamp, conf={}, timezone="UTC",
        lookback_days=7, retention_months=37, now=datetime.combine(common.TODAY, time(6), tzinfo=UTC),
    )


def _extract(url: str, account: Any, window: Any, load_id: str) -> None:
    import psycopg

    from ads_sync import pipeline, warehouse
    from ads_sync.connectors import connector_for
    from ads_sync.retry import RetryPolicy

    connector = connector_for(account)
    steps = connector.steps(window)
    with psycopg.connect(url) as conn:
        pipeline.extract(conn, steps, load_id=load_id, account=account, classify=connector.classify,
                         policy=RetryPolicy())
        list(connector.account_totals(window))  # what the reconcile task asks for
        with conn.transaction():
            warehouse.clear_staging(conn, {s.table for s in steps}, load_id)


def run(url: str, sandbox: Any) -> dict[str, dict[str, int]]:
    from ads_sync.platforms import PLATFORMS

    reports = PLATFORMS["google_ads"].default_reports  # the opt-in reports would add requests of their own
    account = common.account(ACCOUNT, reports=reports, conn_id="google_ads_small")
    client = sandbox.client()
    out: dict[str, dict[str, int]] = {}

    def count(name: str, windows: list[Any]) -> None:
        client.reset()
        for i, window in enumerate(windows):
            _extract(url, account, window, f"bench/{name}-{i}")
        entries = client.requests.filter(service="google_ads", customer_id=ACCOUNT)
        made = sum(1 for e in entries if "segments.date" in (e.get("query") or ""))
        out[name] = {"made": made, "minimum": len(windows) * (len(reports) + 1), "all": len(entries)}

    yesterday = common.TODAY - timedelta(days=1)
    count("daily", [_window("daily", "scheduled", common.TODAY)])
    count("backfill_90", [_window("daily", "backfill", yesterday - timedelta(days=i)) for i in range(90)])
    count("reload_10_weeks", [_window("force_sync", "manual", common.TODAY)])
    out["intraday"] = _intraday(url, client)
    print(f"  requests: {out}", flush=True)
    return out


def _intraday(url: str, client: Any) -> dict[str, int]:
    """Issue 17: an intraday run once the daily run has loaded the entities: every request it makes (facts,
    entities if any were due, the reconciliation's totals), against one per report plus the totals."""
    import psycopg

    from ads_sync import intraday, pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.platforms import PLATFORMS
    from ads_sync.windows import intraday_window
    from sandbox import data

    reports = PLATFORMS["google_ads"].reports
    zone = data.account(ACCOUNT).time_zone  # the sandbox's zone of the account: the same today on both sides
    account = replace(common.account(ACCOUNT, reports=reports, conn_id="google_ads_small"), timezone=zone)
    now = datetime.combine(common.TODAY, time(14, 30), tzinfo=ZoneInfo(zone))
    client.set_now(now)
    try:
        window = intraday_window(now, zone)
        with psycopg.connect(url) as conn:
            for i in range(2):  # the first run on an empty warehouse loads the entities it finds
                client.reset()
                connector = connector_for(account)
                load_id = f"bench/intraday-{i}"
                intraday.extract(conn, connector, window, load_id=load_id, account=account)
                list(connector.account_totals(window))  # what the reconcile task asks for
                pipeline.merge(conn, pipeline.tables(connector.steps(window)), load_id=load_id, account=account,
                               window=window)
    finally:
        client.set_now(None)
    entries = client.requests.filter(service="google_ads", customer_id=ACCOUNT)
    return {"made": len(entries), "minimum": len(reports) + 1, "all": len(entries)}
