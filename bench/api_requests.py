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


def _window(kind: str, run_type: str, day: Any, conf: dict[str, Any] | None = None) -> Any:
    from ads_sync.windows import resolve_window

    stamp = datetime.combine(day, time(2), tzinfo=UTC)
    return resolve_window(
        kind=kind, run_type=run_type, logical_date=stamp, run_after=stamp, conf=conf or {}, timezone="UTC",
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
            warehouse.clear_staging(conn, load_id)


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
                               window=window, run=None)
    finally:
        client.set_now(None)
    entries = client.requests.filter(service="google_ads", customer_id=ACCOUNT)
    return {"made": len(entries), "minimum": len(reports) + 1, "all": len(entries)}


# -- Meta (issue 15) -------------------------------------------------------------------------------

META_ACCOUNT = "104857600123456"
META_CONN = "facebook_bench"
#: what the fact requests of a Meta run are, in the sandbox's request log (entities are the rest)
META_FACTS = ("insights", "insights_by_id", "account_insights", "async_report", "report_run", "report_insights")
#: the emulator completes a report run on its second status read (sandbox/meta.py ReportRun.status): one
#: read cannot see it done; Meta's own runs need at least one, usually more
META_POLLS_PER_RUN = 2


def _pages(rows: int, per_page: int) -> int:
    return max(1, -(-rows // per_page))


def meta_minimum(window: Any, volume: Any) -> dict[str, int]:
    """The fewest fact requests a Meta run of `window` can make, from the sandbox's own data (not from what
    we asked): the ad rows' pages of PAGE_LIMIT (through one synchronous read, or for a window longer than
    the async threshold one report run, which Meta allows over the whole window, its status polls and
    its pages), the deleted ads' rows read by id (IDS_PER_REQUEST ads a request) and the account's daily
    totals (one page)."""
    from ads_sync.sources.meta import reports as meta
    from sandbox import meta_data

    statuses = set(meta.DELIVERED_STATUSES) - {"DELETED"}
    rows = sum(1 for _ in meta_data.insights(META_ACCOUNT, window.start, window.end, common.TODAY, volume=volume,
                                             statuses=statuses))
    deleted = sum(1 for a in meta_data.ads(META_ACCOUNT, volume) if a.effective_status == "DELETED")
    out = {"pages": _pages(rows, meta.PAGE_LIMIT),
           "by_id": -(-deleted // meta.IDS_PER_REQUEST) * _pages(window.days, meta.PAGE_LIMIT),
           "totals": _pages(window.days, meta.PAGE_LIMIT), "rows": rows}
    if meta.needs_async(window):
        out.update(submits=1, polls=META_POLLS_PER_RUN)
    return out


def _meta_extract(url: str, account: Any, window: Any, load_id: str) -> None:
    """What the Meta DAG's extract task and the reconcile task ask the API for, through their own code: the
    synchronous steps, or MetaExtractOperator's submit, MetaReportRunsTrigger's polls (run here as the
    triggerer runs it) and the completed runs' rows (`report_steps`)."""
    import asyncio

    import psycopg

    from ads_sync import pipeline, warehouse
    from ads_sync.retry import RetryPolicy
    from ads_sync.sources.meta import reports as meta
    from ads_sync.sources.meta.connector import MetaConnector
    from ads_sync.sources.meta.operator import MetaExtractOperator
    from ads_sync.sources.meta.trigger import MetaReportRunsTrigger

    connector = MetaConnector(account)
    if meta.needs_async(window):
        op = MetaExtractOperator(task_id="extract", account=account, kind="force_sync")
        jobs = op._submit(connector, [meta.Job(window.start, window.end)])
        trigger = MetaReportRunsTrigger(conn_id=account.conn_id, account_id=account.account_id,
                                        jobs=[j.to_dict() for j in jobs], requests=connector.requests,
                                        poll_s=op.poll_s)

        async def first_event() -> dict[str, Any]:
            async for event in trigger.run():
                return dict(event.payload)
            raise RuntimeError("the report-run trigger fired no event")

        event = asyncio.run(first_event())
        done = [meta.Job.from_dict(j) for j in event["jobs"]]
        if event.get("error") or any(j.status != "done" for j in done):
            raise RuntimeError(f"report runs did not complete in the sandbox: {event}")
        connector = MetaConnector(account, requests_before=int(event["requests"]))
        steps = connector.report_steps(done, window)
    else:
        steps = connector.steps(window)
    rollups = connector.rollups(window)
    with psycopg.connect(url) as conn:
        connector.bind_warehouse(conn)
        pipeline.extract(conn, steps, load_id=load_id, account=account, classify=connector.classify,
                         policy=RetryPolicy(), rollups=rollups)
        list(connector.account_totals(window))  # what the reconcile task asks for
        with conn.transaction():
            warehouse.clear_staging(conn, load_id)


def run_meta(url: str, sandbox: Any) -> dict[str, dict[str, Any]]:
    """Meta's daily run, a 90-day backfill (90 one-day runs: each is synchronous), a 10-week reload and the
    90 days as one force_sync range (each an async report run), each counted in the sandbox's log, by kind
    of request, against `meta_minimum`."""
    from sandbox.data import Volume

    volume = Volume(common.META_CAMPAIGNS, common.META_GROUPS_PER_CAMPAIGN)
    account = common.meta_account(META_ACCOUNT, conn_id=META_CONN)
    client = sandbox.client()
    out: dict[str, dict[str, Any]] = {}
    kinds = {"insights": "pages", "report_insights": "pages", "insights_by_id": "by_id",
             "account_insights": "totals", "async_report": "submits", "report_run": "polls"}

    def count(name: str, windows: list[Any]) -> None:
        client.reset()
        for i, window in enumerate(windows):
            _meta_extract(url, account, window, f"bench/meta-{name}-{i}")
        entries = client.requests.filter(service="meta", customer_id=META_ACCOUNT)
        made: dict[str, int] = {}
        for e in entries:
            if e["resource"] in kinds:
                made[kinds[e["resource"]]] = made.get(kinds[e["resource"]], 0) + 1
        minimum: dict[str, int] = {}
        for window in windows:
            for k, v in meta_minimum(window, volume).items():
                minimum[k] = minimum.get(k, 0) + v
        rows = minimum.pop("rows")
        out[name] = {"made": sum(made.values()), "minimum": sum(minimum.values()), "all": len(entries),
                     "parts": made, "minimum_parts": minimum, "rows": rows,
                     "errors": sum(1 for e in entries if e.get("status") not in ("OK", None))}

    yesterday = common.TODAY - timedelta(days=1)
    count("daily", [_window("daily", "scheduled", common.TODAY)])
    count("backfill_90", [_window("daily", "backfill", yesterday - timedelta(days=i)) for i in range(90)])
    count("reload_10_weeks", [_window("force_sync", "manual", common.TODAY)])
    # the same 90 days as one force_sync range: one report run over the whole range (Meta allows it)
    days_90 = {"start_date": (yesterday - timedelta(days=89)).isoformat(), "end_date": yesterday.isoformat()}
    count("range_90", [_window("force_sync", "manual", common.TODAY, days_90)])
    print(f"  meta requests: {out}", flush=True)
    return out
