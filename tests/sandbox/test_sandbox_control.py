"""The control API, through SandboxClient, against the same server the client library uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from google.api_core import exceptions as core

from sandbox import Fault, Sandbox, SandboxClient
from sandbox.client import SandboxError

QUERY = "SELECT campaign.id FROM campaign"
Rows = Callable[..., list[Any]]


@pytest.fixture
def control(sandbox: Sandbox) -> SandboxClient:
    return SandboxClient(sandbox.http_url)


def test_health(control: SandboxClient, sandbox: Sandbox) -> None:
    health = control.health()
    assert health["status"] == "ok" and health["today"] == sandbox.today.isoformat()


def test_requests_match_the_in_process_log(
    control: SandboxClient, sandbox: Sandbox, ads: Any, rows: Rows
) -> None:
    rows(ads, QUERY)
    rows(ads, QUERY, customer_id="5556667777")
    remote = control.requests
    assert remote.entries == sandbox.requests.entries
    assert remote.count(service="google_ads") == 2
    assert remote.count(customer_id="555-666-7777", resource="campaign") == 1
    assert control.call("GET", "requests", service="oauth")["count"] == 1


def test_faults_over_http(control: SandboxClient, sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    added = control.faults.add(Fault(service="google_ads", error="UNAVAILABLE", nth=1, times=1))
    assert sandbox.faults.active() == [added] == control.faults.active()
    with pytest.raises(core.ServiceUnavailable):
        rows(ads, QUERY)
    control.faults.add(Fault(service="google_ads", error="UNAVAILABLE", times=-1))
    control.faults.clear()
    assert rows(ads, QUERY)
    assert control.faults.active() == []


def test_reset_and_today(control: SandboxClient, sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    rows(ads, QUERY)
    control.faults.add(Fault(service="google_ads", error="UNAVAILABLE"))
    control.reset()
    assert sandbox.requests.entries == [] and sandbox.faults.active() == []
    control.set_today(date(2026, 3, 1))
    assert sandbox.today == date(2026, 3, 1) == control.today
    control.set_today(None)  # back to the real clock
    assert sandbox.state.fixed_today is None


def test_bad_input_is_a_400(control: SandboxClient) -> None:
    with pytest.raises(SandboxError, match="HTTP 400"):
        control.call("POST", "faults", {"service": "google_ads", "error": "NOPE"})
    with pytest.raises(SandboxError, match="HTTP 404"):
        control.call("GET", "nothing-here")
    with pytest.raises(SandboxError, match="HTTP 405"):
        control.call("PUT", "faults", {})
