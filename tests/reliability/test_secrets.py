"""Recognisable secrets in the connections, then a scan of everything a run leaves behind: task logs,
XCom, rendered templates, exceptions, the sync log and the account status."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sandbox import Fault

ACCOUNT = "1234567890"
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"
SECRETS = {
    "developer_token": "DEVTOKEN-SECRET-7f3a91",
    "client_secret": "CLIENTSECRET-SECRET-c4e2d8",
    "refresh_token": "REFRESHTOKEN-SECRET-9b1f60",
}
pytestmark = pytest.mark.integration


@pytest.fixture
def secret_connection(monkeypatch: pytest.MonkeyPatch, sandbox) -> None:
    from ads_sync import local

    conn = json.loads(local.sandbox_connection("google_ads", sandbox))
    conn["extra"].update(SECRETS)
    monkeypatch.setenv("AIRFLOW_CONN_GOOGLE_ADS_DEFAULT", json.dumps(conn))


def metadata_text(home: Path) -> str:
    """XCom values and rendered template fields from Airflow's metadata database."""
    with sqlite3.connect(home / "airflow.db") as conn:
        xcom = conn.execute("SELECT value FROM xcom").fetchall()
        rendered = conn.execute("SELECT rendered_fields FROM rendered_task_instance_fields").fetchall()
    return " ".join(str(v) for row in xcom + rendered for v in row)


def warehouse_text(db) -> str:
    rows = db.execute("SELECT row_to_json(r)::text FROM ads_sync.sync_runs r").fetchall()
    rows += db.execute("SELECT row_to_json(a)::text FROM ads_sync.account_status a").fetchall()
    return " ".join(r[0] for r in rows)


def log_files(home: Path) -> str:
    return " ".join(p.read_text(errors="replace") for p in home.rglob("*.log"))


def test_no_secret_appears_anywhere_a_run_writes(bag, db, fresh_sandbox, secret_connection, airflow_db,
                                                 capfd, caplog) -> None:
    caplog.set_level("DEBUG")
    ok = bag.dags[DAG].test()
    # and a failing run, whose exception text and sync-log error are written too
    fresh_sandbox.faults.add(Fault(service="google_ads", error="AUTH_INVALID", times=-1))
    try:
        failed = bag.dags[DAG].test()
    finally:
        fresh_sandbox.faults.clear()
    assert ok.state == "success" and failed.state == "failed"
    out, err = capfd.readouterr()
    places = {
        "console": out + err,
        "log records": caplog.text,
        "log files": log_files(airflow_db),
        "xcom and rendered templates": metadata_text(airflow_db),
        "sync log and account status": warehouse_text(db),
    }
    assert "Staged" in places["log records"] and "extract" in places["console"]  # the scan has the task logs
    assert "auth" in places["sync log and account status"].lower()  # the failure was recorded...
    leaks = {(name, where) for name, secret in SECRETS.items() for where, text in places.items() if secret in text}
    assert leaks == set()  # ...without any secret
