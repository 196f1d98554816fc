"""`python -m sandbox`: starts, announces itself in endpoints.json, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.ads.googleads.client import GoogleAdsClient
from google.oauth2.credentials import Credentials

from sandbox import SandboxClient
from sandbox.tls import trust_process_certificate

REPO = Path(__file__).resolve().parents[2]


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout_s: float = 15) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} did not appear")


def test_runs_in_the_foreground_until_sigterm(tmp_path: Path, rows: Callable[..., list[Any]]) -> None:
    state_dir = tmp_path / "state"
    tls_dir = trust_process_certificate().cert_path.parent  # the certificate this process trusts
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--state-dir",
            str(state_dir),
            "--tls-dir",
            str(tls_dir),
            "--today",
            "2026-01-10",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        endpoints = _wait_for(state_dir / "endpoints.json", proc)
        assert endpoints["pid"] == proc.pid
        assert endpoints["google_ads_endpoint"] == f"localhost:{endpoints['grpc_port']}"
        assert endpoints["token_uri"] == endpoints["http_url"] + "/token"
        assert Path(endpoints["ca_path"]).parent == tls_dir

        control = SandboxClient.from_state_dir(state_dir)
        assert control.health()["pid"] == proc.pid
        creds = Credentials(
            token=None, refresh_token="r", client_id="c", client_secret="s", token_uri=endpoints["token_uri"]
        )
        ads = GoogleAdsClient(
            credentials=creds,
            developer_token="dev",
            use_proto_plus=False,
            endpoint=endpoints["google_ads_endpoint"],
            version="v26",
        ).get_service("GoogleAdsService")
        assert len(rows(ads, "SELECT campaign.id FROM campaign")) == 3
        assert control.requests.count(service="google_ads", resource="campaign") == 1

        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out
    assert "google_ads_endpoint" in out and "sandbox stopped" in out
    assert not (state_dir / "endpoints.json").exists()
