"""End-to-end set-up: real Airflow processes (api-server, scheduler, dag-processor, triggerer, and for the
scale-out test Celery workers) running the bundle against a sandbox in its own process and the test
PostgreSQL warehouse.

One LocalExecutor deployment serves the UI, REST, schedule and backfill tests; the Celery modules start
their own (with Redis) after stopping the first, so the two never compete for this machine's two cores.
Every deployment keeps its metadata in a fresh PostgreSQL database beside the test warehouse (never SQLite:
several processes write to it at once), dropped afterwards. Every process runs in its own process group
and is torn down even when a test fails.
"""
from __future__ import annotations

import json
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ads_sync import airflow_local as al
from ads_sync import local
from tests.e2e.airflow_api import AirflowApi

ROOT = Path(__file__).resolve().parents[2]
CELERY_MODULE = "test_celery_scale_out"
#: users beside admin, by role: the UI tests' reader who may not trigger runs
EXTRA_USERS = {"viewer": "viewer"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Celery module last: it stops the LocalExecutor deployment before starting its own."""
    items.sort(key=lambda item: item.module is not None and item.module.__name__.endswith(CELERY_MODULE))


@dataclass
class Deployment:
    """One running Airflow: its processes, environment, REST client and the sandbox it talks to."""

    name: str
    env: dict[str, str]
    url: str
    processes: al.Processes
    api: AirflowApi
    sandbox: Any
    warehouse_url: str
    #: dag_id -> the scheduled runs the scheduler created when the DAG was first unpaused
    scheduled_runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: the users beside admin (EXTRA_USERS) and their passwords
    passwords: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """`airflow <args>` against this deployment, as a user on the command line would run it."""
        return subprocess.run(
            al.airflow(*args), env=al.child_environ(self.env), capture_output=True, text=True,
            timeout=timeout, cwd=ROOT,
        )

    def unpause_settled(self, *dag_ids: str, timeout: float = 180) -> dict[str, list[dict[str, Any]]]:
        """Unpause scheduled DAGs and wait out what the scheduler does at once; returns each DAG's
        scheduled runs.

        With catchup off, unpausing makes the scheduler create a run for the latest past cron instant;
        tests that count API requests must not see it, and the schedule test asserts on it.
        """
        fresh = [d for d in dag_ids if d not in self.scheduled_runs]
        for dag_id in fresh:
            self.api.set_paused(dag_id, False)
        deadline = time.monotonic() + timeout
        for dag_id in fresh:
            runs: list[dict[str, Any]] = []
            while time.monotonic() < deadline and not runs:
                self.processes.check()
                runs = self.api.runs(dag_id, run_type="scheduled")
                time.sleep(1)
            if not runs:
                raise TimeoutError(f"the scheduler created no scheduled run for {dag_id} within {timeout:.0f} s")
            self.scheduled_runs[dag_id] = [self.api.wait_for_run(dag_id, r["dag_run_id"], timeout) for r in runs]
        return {d: self.scheduled_runs[d] for d in dag_ids}

    def serialized_dag(self, dag_id: str) -> Any:
        """The DAG as the scheduler sees it: deserialized from the metadata database."""
        import psycopg
        from airflow.serialization.serialized_objects import DagSerialization

        with psycopg.connect(libpq_url(self.env[local.METADATA_ENV])) as conn:
            data, compressed = conn.execute(
                "SELECT data, data_compressed FROM serialized_dag WHERE dag_id = %s ORDER BY created_at DESC",
                (dag_id,),
            ).fetchone()
        if data is None:
            import zlib

            data = json.loads(zlib.decompress(compressed))
        return DagSerialization.from_dict(data if isinstance(data, dict) else json.loads(data))


def libpq_url(sqlalchemy_url: str) -> str:
    """postgresql+psycopg2://... as psycopg (libpq) takes it."""
    return sqlalchemy_url.replace("postgresql+psycopg2://", "postgresql://", 1)


def fresh_metadata(warehouse_url: str) -> str:
    """A new, empty database for one deployment's Airflow metadata, on the test warehouse's server."""
    return local.metadata_database_url(warehouse_url, f"ads_sync_e2e_{secrets.token_hex(4)}")


def drop_metadata(metadata_url: str) -> None:
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(metadata_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(url.database)))


def start_deployment(
    name: str,
    *,
    base: Path,
    sandbox: Any,
    warehouse: str,
    metadata_url: str,
    executor: str = "LocalExecutor",
    extra_env: dict[str, str] | None = None,
    workers: int = 0,
    queue: str = "default",
    worker_concurrency: int = 2,
    dag_ids: set[str] | None = None,
) -> Deployment:
    """Migrate, load airflow_settings.yaml, start every component and wait for the bundle's DAGs."""
    home = base / name
    home.mkdir(parents=True, exist_ok=True)
    port = al.free_port()
    password = secrets.token_urlsafe(12)
    passwords_file = home / "passwords.json"
    passwords = {al.ADMIN: password, **{user: secrets.token_urlsafe(12) for user in EXTRA_USERS}}
    passwords_file.write_text(json.dumps(passwords))
    env = al.server_env(
        home=home, warehouse=warehouse, sandbox=sandbox, port=port, metadata_url=metadata_url,
        executor=executor,
        extra={
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords_file),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(
                [f"{al.ADMIN}:admin"] + [f"{user}:{role}" for user, role in EXTRA_USERS.items()]
            ),
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "300",
            **(extra_env or {}),
        },
    )
    processes = al.Processes(home / "process-logs")
    try:
        al.prepare(env)
        al.start_components(processes, env)
        for n in range(1, workers + 1):
            worker_env = {**env, "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(al.free_port())}
            processes.start(
                f"celery-worker-{n}",
                al.airflow("celery", "worker", "--concurrency", str(worker_concurrency), "--queues", queue,
                           "--celery-hostname", f"e2e-worker-{n}-{secrets.token_hex(3)}@%h",
                           "--without-gossip", "--without-mingle"),
                worker_env,
            )
        url = f"http://127.0.0.1:{port}"
        al.wait_for_api(processes, url)
        api = AirflowApi(url, al.ADMIN, password)
        api.wait_for_dags(dag_ids or expected_dag_ids(), timeout=600 if dag_ids else 180)
    except BaseException:
        processes.stop(timeout=10)
        raise
    return Deployment(name, env, url, processes, api, sandbox, warehouse, passwords=passwords)


def expected_dag_ids() -> set[str]:
    from ads_sync.dag_factory import dag_id, kinds_for

    return {dag_id(account, kind) for account in registry().accounts for kind in kinds_for(account)}


def registry() -> Any:
    from ads_sync.registry import load_registry

    return load_registry(ROOT / "include" / "accounts.yaml")


def google_accounts() -> list[Any]:
    return [a for a in registry().accounts if a.platform == "google_ads" and a.active]


def next_local(now: datetime, tz: str, hour: int, weekday: int | None = None) -> datetime:
    """The next instant at `hour`:00 local (on `weekday`, Monday=0, if given) after `now`."""
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    for days in range(0, 9):
        day = local_now.date() + timedelta(days=days)
        candidate = datetime.combine(day, dtime(hour), tzinfo=zone)
        if candidate > local_now and (weekday is None or day.weekday() == weekday):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.fixture(scope="session")
def e2e_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Any]]:
    """The sandbox as a separate process (workers in other processes reach it) and its control client."""
    from sandbox.client import SandboxClient

    base = tmp_path_factory.mktemp("e2e-sandbox")
    processes = al.Processes(base / "logs")
    try:
        remote = al.start_sandbox(processes, base / "state")
        yield remote, SandboxClient.from_state_dir(base / "state")
    finally:
        processes.stop(timeout=10)


_DEPLOYMENTS: dict[str, Deployment] = {}


@pytest.fixture(scope="session")
def local_airflow(
    e2e_sandbox: tuple[Any, Any], migrated_warehouse: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    """A LocalExecutor Airflow on PostgreSQL metadata, shared by the UI, REST, schedule and backfill tests."""
    remote, client = e2e_sandbox
    metadata = fresh_metadata(migrated_warehouse)
    try:
        deployment = start_deployment(
            "local", base=tmp_path_factory.mktemp("e2e-airflow"), sandbox=remote, warehouse=migrated_warehouse,
            metadata_url=metadata,
        )
        deployment.sandbox = client
        _DEPLOYMENTS["local"] = deployment
        try:
            yield deployment
        finally:
            stop_local_airflow()
    finally:
        drop_metadata(metadata)


def stop_local_airflow() -> None:
    """Idempotent: the Celery module calls it first to free the cores; session teardown calls it again."""
    deployment = _DEPLOYMENTS.pop("local", None)
    if deployment is not None:
        deployment.processes.stop(timeout=10)


@pytest.fixture(scope="session")
def quiet_account(local_airflow: Deployment) -> Any:
    """The Google Ads account whose daily (02:00) and weekly (Sunday 03:00) instants are furthest away,
    so no cron tick lands inside a test that counts API requests."""
    now = datetime.now(UTC)

    def margin(account: Any) -> timedelta:
        return min(
            next_local(now, account.timezone, 2) - now,
            next_local(now, account.timezone, 3, weekday=6) - now,
        )

    return max(google_accounts(), key=margin)


def local_today(tz: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(tz)).date()
