"""Benchmark 7 (issue 14): 200 accounts' daily runs on 2 Celery workers against the sandbox.

The docker-compose shape without Docker, as `tests/e2e/test_celery_scale_out.py` starts it: a real
scheduler, dag-processor, api-server and two `airflow celery worker`s (4 slots each), Redis at
127.0.0.1:6379 as broker and for the shared rate limiter, Airflow's metadata in a fresh PostgreSQL
database on 127.0.0.1:5432, the warehouse of `make bench`. The registry (200 Google Ads accounts) reaches
the bundle's own shard files through ADS_SYNC_REGISTRY. The runs are the daily runs the scheduler makes
when the DAGs are unpaused (one each: catchup is off). Reported: runs per minute from the first unpause
to the last run's end, failed runs, p95 of the tasks' queue wait (queued -> started, from the metadata),
and warehouse lock waits, sampled from `pg_stat_activity` every 0.2 s while the runs go. The developer
token's limit of 10 requests a second (the default) is shared by both workers; the sandbox's request log
gives the busiest 1-second window.
"""
from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any

ACCOUNTS = 200
WORKERS, SLOTS = 2, 4
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
#: the Redis database of the run's broker and rate limiter (their keys do not overlap): one no other user of
#: this Redis takes (the e2e tests use 0 and their own), so a run neither sees nor clears anyone's keys
REDIS_DB = int(os.environ.get("ADS_SYNC_BENCH_REDIS_DB", "11"))
#: the Google Ads default (ratelimit.GOOGLE_ADS_PER_SECOND), shared by both workers through Redis
LIMIT = 10
#: how long the runs may take: a run is 5 task starts, each parsing its shard file in a fresh task process,
#: so 2 shared cores finish 6-13 runs a minute (bench/RESULTS.md); runs past this are reported as not finished
RUN_SECONDS_EACH, RUN_SECONDS_BASE = 20, 600


def write_registry(path: Path, accounts: int) -> list[str]:
    ids = [str(8_100_000_000 + i) for i in range(accounts)]
    path.write_text("accounts:\n" + "".join(
        f'  - {{platform: google_ads, account_id: "{a}", name: Scale {a}, timezone: UTC, currency: EUR}}\n'
        for a in ids
    ))
    return ids


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class LockSampler(threading.Thread):
    """Sessions of the warehouse waiting on a lock, every 0.2 s."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.samples, self.waiting_samples, self.peak = url, 0, 0, 0
        self.stop = threading.Event()
        #: what the waiting sessions waited on (wait_event: advisory = an account's own merge lock)
        self.events: set[str] = set()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                events = [r[0] for r in conn.execute(
                    "SELECT wait_event FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                ).fetchall()]
                waiting = len(events)
                self.events.update(events)
                self.samples += 1
                self.waiting_samples += bool(waiting)
                self.peak = max(self.peak, waiting)
                self.stop.wait(0.2)


def _daily_runs(api: Any, dag_ids: list[str], timeout: float = 600) -> dict[str, str]:
    """Unpause every account's daily DAG and return the run the scheduler creates for each (catchup is off:
    one run, for the latest 02:00 past). These are the runs counted: triggering another run per DAG as
    well would run every account twice while the row counts it once."""
    for dag_id in dag_ids:
        api.set_paused(dag_id, False)
    runs: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(runs) < len(dag_ids):
        if time.monotonic() > deadline:
            missing = sorted(set(dag_ids) - set(runs))
            raise TimeoutError(f"no scheduled run within {timeout:.0f} s for {len(missing)} DAGs: {missing[:3]}")
        for dag_id in dag_ids:
            if dag_id not in runs:
                scheduled = api.runs(dag_id, run_type="scheduled")
                if scheduled:
                    runs[dag_id] = scheduled[-1]["dag_run_id"]
        time.sleep(2)
    return runs


def run(warehouse_url: str, work: Path, *, accounts: int = ACCOUNTS) -> dict[str, Any]:
    import psycopg

    from ads_sync import airflow_local as al
    from tests.e2e.conftest import start_deployment

    if not _redis_up():
        raise RuntimeError("no Redis at 127.0.0.1:6379 (the Celery broker); start redis-server")
    work.mkdir(parents=True, exist_ok=True)
    registry = work / "accounts.yaml"
    ids = write_registry(registry, accounts)
    dag_ids = {f"ads_sync__google_ads__{a}__{k}" for a in ids for k in ("daily", "weekly", "force_sync")}
    name = f"ads_sync_bench_{secrets.token_hex(4)}"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    services = al.Processes(work / "service-logs")
    queue = f"ads-sync-bench-{secrets.token_hex(3)}"
    deployment = None
    try:
        import json

        import redis

        from ads_sync import local, ratelimit
        from sandbox.client import SandboxClient

        store = redis.Redis.from_url(f"{REDIS}/{REDIS_DB}")
        for key in store.scan_iter(f"{ratelimit.KEY_PREFIX}:*"):  # an earlier run's counts
            store.delete(key)
        remote = al.start_sandbox(services, work / "sandbox-state")
        sandbox = SandboxClient.from_state_dir(work / "sandbox-state")
        google = json.loads(local.google_ads_connection(remote))
        google["extra"]["rate_limit_per_second"] = LIMIT
        deployment = start_deployment(
            "celery-bench", base=work, sandbox=remote, warehouse=warehouse_url, executor="CeleryExecutor",
            metadata_url=f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}",
            extra_env={
                "AIRFLOW__CELERY__BROKER_URL": f"{REDIS}/{REDIS_DB}",
                "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{POSTGRES}/{name}",
                "AIRFLOW__OPERATORS__DEFAULT_QUEUE": queue,
                "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": "16",
                "AIRFLOW__CORE__PARALLELISM": "64",
                "ADS_SYNC_REGISTRY": str(registry),
                "AIRFLOW_CONN_ADS_SYNC_REDIS": f"{REDIS}/?db={REDIS_DB}",
                "AIRFLOW_CONN_GOOGLE_ADS_DEFAULT": json.dumps(google),
            },
            workers=WORKERS, queue=queue, worker_concurrency=SLOTS, dag_ids=dag_ids,
        )
        api = deployment.api
        api.ok("PATCH", "/api/v2/pools/google_ads_api",
               {"pool": "google_ads_api", "slots": WORKERS * SLOTS, "include_deferred": False}, update_mask="slots")
        sandbox.reset()
        sampler = LockSampler(warehouse_url)
        sampler.start()
        started = time.monotonic()
        runs = _daily_runs(api, [f"ads_sync__google_ads__{a}__daily" for a in ids])
        states = api.wait_for_runs(runs, timeout=RUN_SECONDS_BASE + RUN_SECONDS_EACH * accounts)
        elapsed = time.monotonic() - started
        sampler.stop.set()
        sampler.join(5)
        with psycopg.connect(f"{POSTGRES}/{name}") as conn:
            waits = [r[0] for r in conn.execute(
                "SELECT extract(epoch FROM start_date - queued_dttm) FROM task_instance "
                "WHERE dag_id LIKE 'ads_sync__%%' AND start_date IS NOT NULL AND queued_dttm IS NOT NULL "
                "ORDER BY 1"
            ).fetchall()]
        p95 = float(waits[int(0.95 * (len(waits) - 1))]) if waits else float("nan")
        from datetime import datetime

        calls = sandbox.requests.filter(service="google_ads")
        stamps = sorted(datetime.fromisoformat(c["at"]).timestamp() for c in calls)
        busiest = max((sum(1 for t in stamps[i:] if t < s + 1.0) for i, s in enumerate(stamps)), default=0)
        return {
            "accounts": accounts, "runs": len(runs), "elapsed_s": elapsed,
            "runs_per_min": len(runs) / elapsed * 60,
            "failed": sum(1 for s in states.values() if s != "success"),
            "tasks": len(waits), "p95_queue_wait_s": p95,
            "lock_wait_samples": sampler.waiting_samples, "samples": sampler.samples,
            "peak_lock_waiters": sampler.peak, "lock_wait_events": sorted(sampler.events),
            "requests": len(stamps), "limit": LIMIT, "busiest_second": busiest,
        }
    finally:
        if deployment is not None:
            deployment.processes.stop(timeout=10)
        services.stop(timeout=5)
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    import json
    import sys
    import tempfile

    ROOT = Path(__file__).resolve().parents[1]
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else ACCOUNTS
    print(json.dumps(run(sys.argv[1], Path(tempfile.mkdtemp(prefix="ads-sync-celery-")), accounts=n), indent=2))
