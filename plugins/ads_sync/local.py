"""The embedded default: wiring the project to its own PostgreSQL, the sandbox and a local Airflow home.

Used by `make demo`, the test suite and (later) `make airflow`. Production deployments never import
this: they configure Airflow Connections and nothing here runs.
"""
from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ads_sync import provider
from ads_sync.sources.google_ads import dev as google_ads_dev

if TYPE_CHECKING:
    from sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / ".local"
WAREHOUSE_ENV = "AIRFLOW_CONN_ADS_WAREHOUSE"
#: bench/common.py builds its own Google Ads connection from these
SANDBOX_CREDENTIALS = google_ads_dev.SANDBOX_CREDENTIALS


def warehouse_url(local: Path = LOCAL) -> str:
    """The configured warehouse, or the embedded PostgreSQL started on demand (data kept in .local)."""
    configured = os.environ.get(WAREHOUSE_ENV)
    if configured:
        return configured
    from ads_sync import embedded

    return embedded.start(local / "postgres").url


def sandbox_connection(platform: str, sandbox: Sandbox) -> str:
    """The platform's connection (Airflow's JSON form) pointing its real client at the sandbox's emulator,
    as its spec names it."""
    from ads_sync.platforms import PLATFORMS
    from ads_sync.sources.spec import load

    spec = PLATFORMS[platform]
    if not spec.sandbox_connection:
        raise ValueError(f"platform {platform!r} has no sandbox emulator (its spec names no sandbox_connection)")
    return str(load(spec.sandbox_connection)(sandbox))


def sandbox_connections(sandbox: Sandbox) -> dict[str, str]:
    """`AIRFLOW_CONN_<ID>` -> connection for every declared platform with an emulator (by its default
    connection id), and the Sheets connection: what the demo, the tests and `make airflow` set."""
    from ads_sync.platforms import PLATFORMS

    env = {f"AIRFLOW_CONN_{spec.default_conn_id.upper()}": sandbox_connection(name, sandbox)
           for name, spec in PLATFORMS.items() if spec.sandbox_connection}
    env["AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"] = sheets_connection(sandbox)
    return env


SANDBOX_SERVICE_ACCOUNT = "ads-sync@ads-sync-sandbox.iam.gserviceaccount.com"


@cache
def _throwaway_private_key() -> str:
    """An RSA key made for this process only: the sandbox's service account signs its token requests
    with it. Never written to the repository; a real key lives only in the Airflow connection."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def sheets_connection(sandbox: Sandbox) -> str:
    """An Airflow connection (JSON form): a service-account key whose token_uri is the sandbox's, and
    the sandbox's address for the Sheets API."""
    key = {
        "type": "service_account",
        "project_id": "ads-sync-sandbox",
        "private_key_id": "sandbox",
        "private_key": _throwaway_private_key(),
        "client_email": SANDBOX_SERVICE_ACCOUNT,
        "client_id": "100000000000000000001",
        "token_uri": sandbox.token_uri,
    }
    return json.dumps({
        "conn_type": provider.GOOGLE_SHEETS,
        "extra": {"keyfile_dict": json.dumps(key), "sheets_endpoint": sandbox.sheets_endpoint},
    })


METADATA_ENV = "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"


def metadata_database_url(warehouse: str, database: str | None = None) -> str:
    """Airflow's own metadata database on the warehouse's server (`<warehouse db>_airflow` unless named),
    created when missing; as the SQLAlchemy URL Airflow wants (psycopg2, which Airflow's migrations use).

    PostgreSQL, not SQLite: with more than one Airflow process (scheduler, api-server, `airflow backfill
    create`) SQLite answers "database is locked". A database of its own, so Airflow's tables and migrations
    never mix with the warehouse's.
    """
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    url = make_url(warehouse.replace("postgres://", "postgresql://", 1))
    name = database or f"{url.database or 'postgres'}_airflow"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise RuntimeError(
            f"cannot create Airflow's metadata database {name!r} on the warehouse's server {url.host}:{url.port} "
            f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}); create it "
            f"there, or point {METADATA_ENV} at a PostgreSQL database of Airflow's own"
        ) from None
    return url.set(drivername="postgresql+psycopg2", database=name).render_as_string(hide_password=False)


def where(url: str) -> str:
    """host:port/database of a database URL, without its credentials, for a log line."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    return f"{parsed.host}:{parsed.port}/{parsed.database}"


def airflow_metadata(warehouse: str) -> str:
    """What `make airflow`, `make demo` and `make settings` give Airflow as metadata: the user's own
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN if set, else a database beside the warehouse (the embedded server's
    `ads_airflow` by default)."""
    return os.environ.get(METADATA_ENV) or metadata_database_url(warehouse)


def airflow_env(*, home: Path, warehouse: str, metadata: str, sandbox: Sandbox | None) -> dict[str, str]:
    """Environment for an Airflow that runs this bundle from this checkout, its home in a project folder and
    its metadata in `metadata` (a SQLAlchemy URL: PostgreSQL wherever more than one process runs)."""
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        METADATA_ENV: metadata,
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
        WAREHOUSE_ENV: warehouse,
    }
    if sandbox is not None:
        env.update(sandbox_connections(sandbox))
        env["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(sandbox.ca_path)
    return env


def migrate_airflow(env: dict[str, Any]) -> None:
    """`airflow db migrate` for the local home (idempotent; quick when nothing changed)."""
    import subprocess
    import sys

    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
    )


def google_ads_connection(sandbox: Sandbox) -> str:
    """Kept for bench/ (celery_scale.py), which builds a remote sandbox's connection by this name."""
    return sandbox_connection(google_ads_dev.SPEC.name, sandbox)
