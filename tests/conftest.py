"""Shared test set-up: an Airflow home of its own, a real PostgreSQL and the sandbox.

PostgreSQL is `ADS_SYNC_TEST_DATABASE_URL` when given, otherwise an embedded server started for the
session in a temporary folder: the suite needs no service on the machine.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.staging import drop_load_tables

ROOT = Path(__file__).resolve().parents[1]
_HOME = Path(tempfile.mkdtemp(prefix="ads-sync-airflow-"))

# Before anything imports Airflow: its configuration is read once, at import.
os.environ.update({
    "AIRFLOW_HOME": str(_HOME),
    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_HOME / 'airflow.db'}",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
})

def _clear_connections() -> None:
    """The warehouse's, Sheets' and every declared platform's default connection: the sandbox sets them."""
    from ads_sync.platforms import PLATFORMS

    for conn_id in ("ads_warehouse", "google_sheets_default", *(p.default_conn_id for p in PLATFORMS.values())):
        os.environ.pop(f"AIRFLOW_CONN_{conn_id.upper()}", None)


_clear_connections()


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow metadata on SQLite, migrated once per session."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    return _HOME


@pytest.fixture(scope="session")
def warehouse_server() -> Iterator[object | None]:
    """The embedded server the session started, or None when ADS_SYNC_TEST_DATABASE_URL is given."""
    if os.environ.get("ADS_SYNC_TEST_DATABASE_URL"):
        yield None
        return
    import shutil

    from ads_sync import embedded

    # Not under pytest's own temporary folder: every pytest process that starts on this machine (a second
    # suite, a helper's run) resets /tmp/pytest-of-<user> to mode 0700, and the server, which runs as an
    # unprivileged user, then loses its data directory mid-session ("could not stat data directory").
    base = Path(tempfile.mkdtemp(prefix="ads-sync-test-pg-"))
    data_dir = base / "pgdata"
    server = embedded.start(data_dir, port=55432)
    try:
        yield server
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def warehouse_url(warehouse_server: object | None) -> str:
    if warehouse_server is None:
        return os.environ["ADS_SYNC_TEST_DATABASE_URL"]
    return warehouse_server.url  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def migrated_warehouse(warehouse_url: str) -> str:
    import psycopg

    from ads_sync import warehouse

    with psycopg.connect(warehouse_url) as conn:
        warehouse.migrate(conn)
    os.environ["AIRFLOW_CONN_ADS_WAREHOUSE"] = warehouse_url
    return warehouse_url


@pytest.fixture
def db(migrated_warehouse: str) -> Iterator[object]:
    """A connection to an emptied warehouse (final, staging and bookkeeping tables)."""
    import psycopg

    with psycopg.connect(migrated_warehouse, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables"
            " WHERE schemaname IN ('ads', 'ads_staging', 'ads_sync', 'ads_custom') AND tablename <> 'schema_migrations'"
        ).fetchall()
        conn.execute("TRUNCATE " + ", ".join(t[0] for t in tables))
        drop_load_tables(conn)
        yield conn


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from ads_sync import local
    from sandbox import Sandbox

    box = Sandbox(state_dir=tmp_path_factory.mktemp("sandbox")).start()
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(box.ca_path)
    os.environ.update(local.sandbox_connections(box))  # every declared platform with an emulator, and Sheets
    try:
        yield box
    finally:
        box.stop()


@pytest.fixture
def fresh_sandbox(sandbox: object) -> object:
    """The session's sandbox with its request log and faults cleared."""
    sandbox.reset()  # type: ignore[attr-defined]
    return sandbox
