"""The `ads-sync` console command that `make install` puts into .venv: with --json its stdout is one JSON
document and nothing else (Airflow's log lines and warnings go to stderr), so `ads-sync status --json | jq`
works. Run as a user would: the installed script, in a subprocess, from another directory, without PYTHONPATH."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path(sys.executable).parent / "ads-sync"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    if not COMMAND.exists():
        pytest.fail(f"{COMMAND} is missing: `make install` installs the checkout and its console command")
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([str(COMMAND), *args], env={**environ, **env}, cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_status_json_is_json_only(db: Any, migrated_warehouse: str, tmp_path: Path) -> None:
    done = run(["status", "--json"], {"AIRFLOW_CONN_ADS_WAREHOUSE": migrated_warehouse}, tmp_path)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # the whole of stdout
    from ads_sync.registry import load_registry

    registry = load_registry(ROOT / "include" / "accounts.yaml")
    assert [a["account"] for a in document["accounts"]] == [a.account_id for a in registry.accounts]
    assert {(a["status"], a["rows"]) for a in document["accounts"]} == {("never_synced", 0)}  # emptied by `db`


def test_discover_json_is_json_only_and_its_notes_go_to_stderr(sandbox: Any, tmp_path: Path) -> None:
    from ads_sync import local

    env = {
        "AIRFLOW_CONN_GOOGLE_ADS_DEFAULT": local.sandbox_connection("google_ads", sandbox),
        "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH": str(sandbox.ca_path),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # so there are log lines to keep off stdout
    }
    done = run(["discover", "google", "--manager", "9990001112", "--json"], env, tmp_path)
    assert done.returncode == 0, done.stderr
    (found,) = json.loads(done.stdout)["discoveries"]
    assert (found["root"], found["managers"]) == ("9990001112", ["9990001112", "9990002223", "9990003334"])
    assert "Google Ads limits for this developer token" in done.stderr, "the log line went to stderr"
