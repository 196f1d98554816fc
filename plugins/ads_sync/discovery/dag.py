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
    import importlib

    from ads_sync.discovery.run import spec_of
    from ads_sync.platforms import PLATFORMS

    if conf.get("platform"):
        spec = spec_of(conf["platform"])
        return [(spec.name, conf.get(spec.discovery_root), conf.get("conn_id"))]
    found: set[tuple[str, str | None, str | None]] = set()
    for name, spec in PLATFORMS.items():
        if spec.discovery:
            walks = importlib.import_module(spec.discovery).roots([a for a in registry.accounts if a.platform == name])
            found |= {(name, root, conn_id) for root, conn_id in walks}
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


def _params() -> dict[str, Param]:
    """The conf a manual run takes: a platform (by name or alias), the root its walk starts from (one
    param per declared root name), a connection and the flags."""
    from ads_sync.platforms import PLATFORMS

    walkable = [s for s in PLATFORMS.values() if s.discovery]
    choices = [None, *(n for s in walkable for n in (*s.aliases, s.name))]
    params = {"platform": Param(None, **SCHEMA, type=["null", "string"], enum=choices, title="Platform",
                                description="Leave empty to walk everything the registry implies.")}
    for spec in walkable:
        if spec.discovery_root and spec.discovery_root not in params:
            params[spec.discovery_root] = Param(None, **SCHEMA, type=["null", "string"],
                                                title=f"{spec.label}: {spec.discovery_root}",
                                                description=spec.discovery_root_help)
    params["conn_id"] = Param(None, **SCHEMA, type=["null", "string"], title="Connection id")
    params["include_test"] = Param(False, **SCHEMA, type="boolean", title="Propose test accounts")
    params["include_inactive"] = Param(False, **SCHEMA, type="boolean", title="Propose cancelled accounts")
    return params


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
        params=_params(),
    ) as dag:
        DiscoverOperator(task_id="discover", registry=registry, retries=1, execution_timeout=timedelta(minutes=30))
    return dag
