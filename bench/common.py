"""What every benchmark shares: a scratch Airflow home, a warehouse, a sandbox in its own process.

The sandbox runs as a separate process (`python -m sandbox`) so that generating a million rows does not
compete with the client for one interpreter's GIL; on a 2-core machine each gets a core, as a real API
would be on other machines altogether. Environment variables are set here before anything imports
Airflow (its configuration is read once, at import).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
#: the sandbox's fixed "today": every run sees the same data
TODAY = date(2026, 3, 2)
BENCH_PORT = 55532
#: 30 campaigns x 100 ad groups x 365 days, minus the ~1 in 12 days without impressions: ~1.0M rows
CAMPAIGNS, GROUPS_PER_CAMPAIGN = 30, 100
#: the Meta request counts' sandbox: 10 x 10 ad sets, 2 ads each (200 ads): a week is a few insights
#: pages of 500 rows, 10 weeks some dozens, so the counts show pages, not just one request per stream
META_CAMPAIGNS, META_GROUPS_PER_CAMPAIGN = 10, 10


def scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="ads-sync-bench-"))


def airflow_env(home: Path) -> dict[str, str]:
    return {
        "AIRFLOW_HOME": str(home / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow' / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "plugins"), str(ROOT)]),
    }


@dataclass
class SandboxProcess:
    proc: subprocess.Popen[bytes]
    endpoints: dict[str, Any]

    def connection(self) -> str:
        from ads_sync import local

        return json.dumps({
            "conn_type": "google_ads",
            "extra": {
                **local.SANDBOX_CREDENTIALS,
                "endpoint": self.endpoints["google_ads_endpoint"],
                "token_uri": self.endpoints["token_uri"],
                "ssl_roots_file": self.endpoints["ca_path"],
            },
        })

    def meta_connection(self) -> str:
        """The facebook-business SDK pointed at this sandbox's Graph API emulator."""
        from ads_sync import provider
        from sandbox import meta

        return json.dumps({
            "conn_type": provider.META,
            "extra": {"app_id": meta.APP_ID, "app_secret": meta.APP_SECRET, "access_token": meta.ACCESS_TOKEN,
                      "graph_url": self.endpoints["meta_graph_url"]},
        })

    def client(self) -> Any:
        from sandbox.client import SandboxClient

        return SandboxClient(self.endpoints["http_url"], timeout_s=60)



def start_sandbox(state_dir: Path, *, tls_dir: Path, campaigns: int, groups: int) -> subprocess.Popen[bytes]:
    state_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [PYTHON, "-m", "sandbox", "--state-dir", str(state_dir), "--tls-dir", str(tls_dir),
         "--today", TODAY.isoformat(), "--campaigns", str(campaigns), "--ad-groups-per-campaign", str(groups)],
        cwd=ROOT, stdout=subprocess.DEVNULL, env={**os.environ},
    )


def wait_sandbox(proc: subprocess.Popen[bytes], state_dir: Path) -> SandboxProcess:
    endpoints_file = state_dir / "endpoints.json"
    deadline = time.monotonic() + 180
    while not endpoints_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"the sandbox in {state_dir} did not start")
        time.sleep(0.1)
    return SandboxProcess(proc, json.loads(endpoints_file.read_text()))


@contextmanager
def environment(database_url: str | None) -> Iterator[dict[str, Any]]:
    """A scratch home, the warehouse (migrated, emptied) and the large sandbox; env vars set."""
    home = scratch()
    os.environ.update(airflow_env(home))
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
    embedded_dir = None
    if database_url is None:
        from ads_sync import embedded

        embedded_dir = home / "pgdata"
        database_url = embedded.start(embedded_dir, port=BENCH_PORT).url
    big = small = None
    tls = home / "tls"
    from sandbox.tls import ensure_certificate

    ensure_certificate(tls)
    procs = [
        start_sandbox(home / "sandbox-big", tls_dir=tls, campaigns=CAMPAIGNS, groups=GROUPS_PER_CAMPAIGN),
        start_sandbox(home / "sandbox-small", tls_dir=tls, campaigns=3, groups=2),
        start_sandbox(home / "sandbox-meta", tls_dir=tls, campaigns=META_CAMPAIGNS, groups=META_GROUPS_PER_CAMPAIGN),
    ]
    try:
        big = wait_sandbox(procs[0], home / "sandbox-big")
        small = wait_sandbox(procs[1], home / "sandbox-small")
        meta = wait_sandbox(procs[2], home / "sandbox-meta")
        os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = big.endpoints["ca_path"]
        os.environ["AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"] = big.connection()
        os.environ["AIRFLOW_CONN_GOOGLE_ADS_SMALL"] = small.connection()
        os.environ["AIRFLOW_CONN_FACEBOOK_DEFAULT"] = big.meta_connection()
        os.environ["AIRFLOW_CONN_FACEBOOK_BENCH"] = meta.meta_connection()
        os.environ["AIRFLOW_CONN_ADS_WAREHOUSE"] = database_url
        reset_warehouse(database_url)
        yield {"home": home, "url": database_url, "big": big, "small": small, "meta": meta}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        if embedded_dir is not None:
            from ads_sync import embedded

            embedded.stop(embedded_dir)


def reset_warehouse(url: str) -> None:
    """Migrate, then empty every ads-sync table (a given database must be one the bench may empty)."""
    import psycopg

    from ads_sync import warehouse

    with psycopg.connect(url) as conn:
        warehouse.migrate(conn)
    with psycopg.connect(url, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
            " WHERE schemaname IN ('ads', 'ads_staging', 'ads_sync') AND tablename <> 'schema_migrations'"
        ).fetchall()
        conn.execute("TRUNCATE " + ", ".join(t[0] for t in tables))
        for name in warehouse.load_tables(conn):  # the loads' own staging tables (templates stay)
            conn.execute(f'DROP TABLE ads_staging."{name}"')
        conn.execute("CHECKPOINT")


def account(account_id: str, *, reports: tuple[str, ...] = ("ad_group_daily",), conn_id: str = "") -> Any:
    from ads_sync.registry import Account

    return Account(
        platform="google_ads", account_id=account_id, name=f"Bench {account_id}", timezone="UTC",
        currency="EUR", reports=reports, conn_id=conn_id,
    )


def meta_account(account_id: str, *, conn_id: str = "") -> Any:
    """A Meta ad account with the default action types (purchase, lead)."""
    from ads_sync.registry import Account

    return Account(platform="meta", account_id=account_id, name=f"Bench Meta {account_id}", timezone="UTC",
                   currency="EUR", conn_id=conn_id)


def year_window(days: int = 365) -> Any:
    from ads_sync.windows import Window

    end = TODAY - timedelta(days=1)
    return Window(end - timedelta(days=days - 1), end, why=f"bench: {days} days")


def wal_lsn(conn: Any) -> str:
    return conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0]


def wal_bytes(conn: Any, since: str) -> int:
    return int(conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s::pg_lsn)", (since,)).fetchone()[0])
