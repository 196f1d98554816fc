"""`ads_sync__discover`: the discovery DAG. It runs the same walk as `ads-sync discover`, logs the diff and
records it in ads_sync.discovered_accounts; it never edits the registry file (the bundle is read-only:
apply a diff with `ads-sync discover ... --write` and commit it).

Manual by default; `ADS_SYNC_DISCOVER_SCHEDULE` (a cron or preset such as `@weekly`, read from the
environment at parse time, never a Variable) schedules it. Without a conf it walks every manager the
registry logs in through and each Meta connection's own accounts.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import DAG, BaseOperator, Param

from ads_sync.registry import Registry

DAG_ID = "ads_sync__discover"
SCHEDULE_ENV = "ADS_SYNC_DISCOVER_SCHEDULE"
SCHEMA: dict[str, Any] = {"$schema": "http://json-schema.org/draft-07/schema#"}


def roots(registry: Registry, conf: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(platform, root, conn_id) to walk: the conf's one, or everything the registry implies."""
    if conf.get("platform"):
        platform = "google_ads" if conf["platform"] == "google" else "meta"
        root = conf.get("manager") if platform == "google_ads" else conf.get("business")
        return [(platform, root, conf.get("conn_id"))]
    found: set[tuple[str, str | None, str | None]] = {
        ("google_ads", a.login_customer_id, a.conn_id) for a in registry.accounts
        if a.platform == "google_ads" and a.login_customer_id
    }
    found |= {("meta", None, a.conn_id) for a in registry.accounts if a.platform == "meta"}
    return sorted(found, key=lambda r: (r[0], r[1] or "", r[2] or ""))


class DiscoverOperator(BaseOperator):
    """Walk, log the diff, record it; returns the counts per change."""

    def __init__(self, *, registry: Registry, warehouse_conn_id: str = "ads_warehouse", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.registry = registry
        self.warehouse_conn_id = warehouse_conn_id

    def execute(self, context: Any) -> dict[str, int]:
        from ads_sync import warehouse
        from ads_sync.discovery import record
        from ads_sync.discovery.diff import render_text
        from ads_sync.discovery.run import discover

        conf = dict(context["dag_run"].conf or {})
        diffs = []
        for platform, root, conn_id in roots(self.registry, conf):
            diff = discover(platform, registry=self.registry, root=root, conn_id=conn_id,
                            include_test=bool(conf.get("include_test")),
                            include_inactive=bool(conf.get("include_inactive")))
            diffs.append(diff)
            for line in render_text([diff]).splitlines():
                self.log.info("%s", line)
        run_id = f"{context['dag'].dag_id}/{context['dag_run'].run_id}"
        with warehouse.connect(self.warehouse_conn_id) as conn:
            warehouse.migrate(conn)
            recorded = sum(record.record(conn, d, run_id) for d in diffs)
        self.log.info("Recorded %s accounts in ads_sync.discovered_accounts (the registry file is not edited)",
                      recorded)
        return {k: sum(len(getattr(d, k)) for d in diffs) for k in ("new", "changed", "gone", "apart")}


def build_discover_dag(registry: Registry) -> DAG:
    schedule = os.environ.get(SCHEDULE_ENV) or None
    with DAG(
        dag_id=DAG_ID,
        dag_display_name="Discover ad accounts",
        description="Accounts under the registry's managers and businesses, diffed against the registry",
        doc_md=__doc__,
        schedule=schedule,
        start_date=datetime(2024, 1, 1),
        catchup=False,
        max_active_runs=1,
        tags=["ads-sync", "discover"],
        params={
            "platform": Param(None, **SCHEMA, type=["null", "string"], enum=[None, "google", "meta"],
                              title="Platform", description="Leave empty to walk everything the registry implies."),
            "manager": Param(None, **SCHEMA, type=["null", "string"], title="Google manager id",
                             description="The manager (MCC) to walk, 10 digits."),
            "business": Param(None, **SCHEMA, type=["null", "string"], title="Meta business id",
                              description="Its owned and client ad accounts; empty: the token's own."),
            "conn_id": Param(None, **SCHEMA, type=["null", "string"], title="Connection id"),
            "include_test": Param(False, **SCHEMA, type="boolean", title="Propose test accounts"),
            "include_inactive": Param(False, **SCHEMA, type="boolean", title="Propose cancelled accounts"),
        },
    ) as dag:
        DiscoverOperator(task_id="discover", registry=registry, retries=1, execution_timeout=timedelta(minutes=30))
    return dag
