"""Scale-out, the docker-compose shape without Docker: CeleryExecutor with a Redis broker, PostgreSQL
metadata, two Celery workers; several accounts' force_syncs at once all succeed, and the
`google_ads_api` pool caps how many extracts (and so API calls) run at the same time."""
from __future__ import annotations

import re
import secrets
import shutil
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ads_sync import airflow_local as al
from tests.e2e.conftest import (
    Deployment,
    drop_metadata,
    fresh_metadata,
    google_accounts,
    start_deployment,
    stop_local_airflow,
)

pytestmark = pytest.mark.timeout(600)

POOL_SLOTS = 2
SLOW_S = 2.0


def redis_url(processes: al.Processes, base: Path) -> str:
    """Redis at 127.0.0.1:6379, or one started here from `redis-server` when none answers there."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/0"
    except OSError:
        pass
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("SKIPPED LOUDLY: no Redis at 127.0.0.1:6379 and no redis-server to start one; "
                    "the Celery scale-out test needs a broker")
    port = al.free_port()
    processes.start("redis", [server, "--port", str(port), "--save", "", "--appendonly", "no"], {})
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture(scope="module")
def celery_airflow(
    e2e_sandbox: tuple[Any, Any], migrated_warehouse: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:

    stop_local_airflow()  # two deployments at once would compete for two cores
    remote, client = e2e_sandbox
    base = tmp_path_factory.mktemp("e2e-celery")
    services = al.Processes(base / "service-logs")
    metadata = fresh_metadata(migrated_warehouse)
    queue = f"ads-sync-e2e-{secrets.token_hex(3)}"  # never picks up another run's tasks on a shared Redis
    try:
        broker = redis_url(services, base)
        deployment = start_deployment(
            "celery", base=base, sandbox=remote, warehouse=migrated_warehouse, executor="CeleryExecutor",
            metadata_url=metadata,
            extra_env={
                "AIRFLOW__CELERY__BROKER_URL": broker,
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{metadata}",
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
            },
            workers=2, queue=queue,
        )
        deployment.sandbox = client
        try:
            yield deployment
        finally:
            deployment.processes.stop(timeout=10)
    finally:
        services.stop(timeout=5)
        drop_metadata(metadata)


def max_overlap(intervals: list[tuple[datetime, datetime]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    current = peak = 0
    for _, step in events:  # an end sorts before a start at the same instant
        current += step
        peak = max(peak, current)
    return peak


def test_force_syncs_of_several_accounts_on_two_celery_workers_within_the_pool(
    celery_airflow: Deployment, db: Any
) -> None:
    from sandbox.faults import Fault

    api, sandbox = celery_airflow.api, celery_airflow.sandbox
    accounts = google_accounts()
    assert len(accounts) >= 3
    api.ok("PATCH", "/api/v2/pools/google_ads_api",
           {"pool": "google_ads_api", "slots": POOL_SLOTS, "include_deferred": False}, update_mask="slots")
    sandbox.reset()
    # every Google Ads call takes SLOW_S, so extracts last long enough to overlap if nothing capped them
    sandbox.faults.add(Fault(service="google_ads", error="SLOW", delay_s=SLOW_S, times=-1))
    runs = {}
    try:
        for account in accounts:
            dag_id = f"ads_sync__google_ads__{account.account_id}__force_sync"
            api.set_paused(dag_id, False)
            resp = api.trigger(dag_id, {"preset": "last_7_days"})
            assert resp.status_code == 200, resp.text
            runs[dag_id] = resp.json()["dag_run_id"]
        finals = {dag_id: api.wait_for_run(dag_id, run_id, timeout=400) for dag_id, run_id in runs.items()}
    finally:
        sandbox.faults.clear()
    assert {d: r["state"] for d, r in finals.items()} == {d: "success" for d in runs}, finals

    extracts = [api.task_instances(d, r)["extract"] for d, r in runs.items()]
    assert all(ti["pool"] == "google_ads_api" and ti["queue"] == celery_airflow.env[
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE"] for ti in extracts), extracts
    spans = [(datetime.fromisoformat(ti["start_date"]), datetime.fromisoformat(ti["end_date"])) for ti in extracts]
    assert max_overlap(spans) == POOL_SLOTS, spans  # capped by the pool, and the cap was reached

    # the same from the API's side: per account, first to last request of the extract (the reconcile task's
    # one `FROM customer` query comes after the merge, in a pool slot of its own); never more than the pool
    calls = [c for c in sandbox.requests.filter(service="google_ads")
             if not re.search(r"\bFROM\s+customer\b", c["query"] or "", re.I)]
    per_account = {}
    for account in accounts:
        stamps = [datetime.fromisoformat(c["at"]) for c in calls if c["customer_id"] == account.account_id]
        assert stamps, f"no API call for {account.account_id}"
        per_account[account.account_id] = (min(stamps), max(stamps))
    assert max_overlap(list(per_account.values())) <= POOL_SLOTS, per_account

    # both workers took work
    for n in (1, 2):
        log = celery_airflow.processes.log_path(f"celery-worker-{n}").read_text(errors="replace")
        assert "execute_workload" in log or "ExecuteTask" in log, f"worker {n} ran nothing:\n{log[-2000:]}"

    for account in accounts:
        status = db.execute(
            "SELECT status FROM ads_sync.sync_runs WHERE account_id = %s AND kind = 'force_sync'",
            (account.account_id,),
        ).fetchall()
        assert status == [("success",)], account.account_id
