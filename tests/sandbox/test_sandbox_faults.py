"""Scripted faults, and what the real google-ads client raises for each (see google_ads_errors)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions as core
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials

from sandbox import Fault, Sandbox, Volume

CUSTOMER = "1234567890"
QUERY = "SELECT ad_group.id FROM ad_group"
FAILURE_KEY = "google.ads.googleads.v26.errors.googleadsfailure-bin"
Rows = Callable[..., list[Any]]


def _ads_failure(exc: BaseException) -> Any:
    """The GoogleAdsFailure of either kind of exception the client raises (raw protobuf)."""
    if isinstance(exc, GoogleAdsException):
        return type(exc.failure).pb(exc.failure)
    trailers = dict(exc.response.trailing_metadata())  # type: ignore[attr-defined]
    return GoogleAdsFailure.pb().FromString(trailers[FAILURE_KEY]) if FAILURE_KEY in trailers else None


def _code(failure: Any) -> str | None:
    if failure is None:
        return None
    code = failure.errors[0].error_code
    family = code.WhichOneof("error_code")
    enum = code.DESCRIPTOR.fields_by_name[family].enum_type
    return f"{family}.{enum.values_by_number[getattr(code, family)].name}"


# error -> (exception the client raises, gRPC status, error code in the failure, retry delay s)
EXPECTED = {
    "UNAVAILABLE": (core.ServiceUnavailable, "UNAVAILABLE", None, None),
    "DEADLINE_EXCEEDED": (core.DeadlineExceeded, "DEADLINE_EXCEEDED", None, None),
    "INTERNAL": (core.InternalServerError, "INTERNAL", "internal_error.INTERNAL_ERROR", None),
    "RATE_EXCEEDED": (
        core.ResourceExhausted,
        "RESOURCE_EXHAUSTED",
        "quota_error.RESOURCE_TEMPORARILY_EXHAUSTED",
        2,
    ),
    "DAILY_QUOTA": (core.ResourceExhausted, "RESOURCE_EXHAUSTED", "quota_error.RESOURCE_EXHAUSTED", 40591),
    "AUTH_INVALID": (GoogleAdsException, "UNAUTHENTICATED", "authentication_error.OAUTH_TOKEN_INVALID", None),
    "PERMISSION_DENIED": (
        GoogleAdsException,
        "PERMISSION_DENIED",
        "authorization_error.USER_PERMISSION_DENIED",
        None,
    ),
    "DEVELOPER_TOKEN_NOT_APPROVED": (
        GoogleAdsException,
        "PERMISSION_DENIED",
        "authorization_error.DEVELOPER_TOKEN_NOT_APPROVED",
        None,
    ),
    "INVALID_ARGUMENT": (GoogleAdsException, "INVALID_ARGUMENT", "query_error.QUERY_ERROR", None),
}


@pytest.mark.parametrize("error", sorted(EXPECTED))
def test_each_fault_raises_what_the_real_client_raises(
    sandbox: Sandbox, ads: Any, rows: Rows, error: str
) -> None:
    exc_type, status, code, retry_delay = EXPECTED[error]
    sandbox.faults.add(Fault(service="google_ads", error=error))
    with pytest.raises(exc_type) as exc:
        rows(ads, QUERY)
    if exc_type is GoogleAdsException:
        assert exc.value.error.code().name == status
        assert exc.value.request_id
    else:
        assert exc.value.grpc_status_code.name == status
    failure = _ads_failure(exc.value)
    assert _code(failure) == code
    if retry_delay is not None:
        details = failure.errors[0].details.quota_error_details
        assert details.retry_delay.seconds == retry_delay
        assert f"Retry in {retry_delay} seconds" in failure.errors[0].message
        assert "GoogleAdsFailure" in exc.value.details[0].type_url  # the packed status detail, as in the wild
    assert len(rows(ads, QUERY)) == 6  # times=1: the next call succeeds
    assert sandbox.requests.entries[-2]["status"] == status


@pytest.mark.parametrize("error", ["UNAVAILABLE", "INTERNAL", "AUTH_INVALID"])
def test_broken_stream_sends_rows_then_fails(sandbox: Sandbox, make_service: Any, error: str) -> None:
    sandbox.state.volume = Volume(campaigns=20, ad_groups_per_campaign=25)
    ads = make_service()
    sandbox.faults.add(Fault(service="google_ads", error=error, after_rows=12_345))
    received = 0
    with pytest.raises(EXPECTED[error][0]):
        for batch in ads.search_stream(
            customer_id=CUSTOMER,
            query="SELECT ad_group.id, segments.date, metrics.clicks FROM ad_group "
            "WHERE segments.date BETWEEN '2025-12-01' AND '2026-01-09'",
        ):
            received += len(batch.results)
    assert received == 12_345
    assert sandbox.requests.entries[-1]["rows"] == 12_345


def test_nth_and_times(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    sandbox.faults.add(Fault(service="google_ads", error="UNAVAILABLE", nth=2, times=2))
    outcomes = []
    for _ in range(5):
        try:
            rows(ads, QUERY)
            outcomes.append("ok")
        except core.ServiceUnavailable:
            outcomes.append("fail")
    assert outcomes == ["ok", "fail", "fail", "ok", "ok"]


def test_forever_until_cleared(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    sandbox.faults.add(Fault(service="google_ads", error="RATE_EXCEEDED", times=-1))
    for _ in range(3):
        with pytest.raises(core.ResourceExhausted):
            rows(ads, QUERY)
    sandbox.faults.clear()
    assert rows(ads, QUERY)


def test_faults_match_customer_and_resource(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    sandbox.faults.add(
        Fault(service="google_ads", error="PERMISSION_DENIED", customer_id="222-333-4444", times=-1)
    )
    sandbox.faults.add(Fault(service="google_ads", error="INTERNAL", resource="campaign", times=-1))
    assert rows(ads, QUERY)
    assert rows(ads, QUERY, customer_id="1112223333")
    with pytest.raises(GoogleAdsException):
        rows(ads, QUERY, customer_id="2223334444")
    with pytest.raises(core.InternalServerError):
        rows(ads, "SELECT campaign.id FROM campaign")


def test_slow_answers_late_but_normally(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    rows(ads, QUERY)  # token refresh and connection out of the way
    sandbox.faults.add(Fault(service="google_ads", error="SLOW", delay_s=0.4))
    started = time.monotonic()
    assert len(rows(ads, QUERY)) == 6
    assert time.monotonic() - started >= 0.4


def test_slow_beyond_the_client_timeout(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    sandbox.faults.add(Fault(service="google_ads", error="SLOW", delay_s=2))
    with pytest.raises(core.DeadlineExceeded):  # client-side deadline: same type as the server-side fault
        rows(ads, QUERY, timeout=0.3)


def test_invalid_grant(sandbox: Sandbox, make_service: Any, rows: Rows) -> None:
    sandbox.faults.add(Fault(service="oauth", error="invalid_grant", times=-1))
    creds = Credentials(
        token=None, refresh_token="r", client_id="c", client_secret="s", token_uri=sandbox.token_uri
    )
    with pytest.raises(RefreshError, match="invalid_grant"):
        creds.refresh(Request())
    # Inside a gRPC call the refresh runs in the auth metadata plugin; gRPC turns its failure into
    # UNAVAILABLE, so the client raises ServiceUnavailable, not RefreshError: a revoked token
    # looks transient unless the message is inspected.
    with pytest.raises(core.ServiceUnavailable, match="invalid_grant"):
        rows(make_service(), QUERY)
    assert sandbox.requests.count(service="google_ads") == 0


def test_token_endpoint_answers_like_google(sandbox: Sandbox) -> None:
    import requests

    ok = requests.post(
        sandbox.token_uri,
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c", "client_secret": "s"},
        timeout=5,
    )
    assert ok.status_code == 200
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 3599
    sandbox.faults.add(Fault(service="oauth", error="invalid_grant"))
    bad = requests.post(
        sandbox.token_uri,
        data={"grant_type": "refresh_token", "refresh_token": "r", "client_id": "c"},
        timeout=5,
    )
    assert bad.status_code == 400
    assert bad.json() == {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
    unsupported = requests.post(sandbox.token_uri, data={"grant_type": "password"}, timeout=5)
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"


def test_fault_json_round_trip_and_validation() -> None:
    fault = Fault(
        service="google_ads",
        error="DAILY_QUOTA",
        customer_id="123-456-7890",
        resource="ad_group",
        nth=3,
        times=-1,
        after_rows=10,
        delay_s=0.5,
    )
    assert fault.customer_id == "1234567890"
    assert Fault.from_dict(fault.to_dict()) == fault
    with pytest.raises(ValueError):
        Fault(service="google_ads", error="invalid_grant")
    with pytest.raises(ValueError):
        Fault(service="meta", error="UNAVAILABLE")
    with pytest.raises(ValueError):
        Fault(service="google_ads", error="UNAVAILABLE", times=0)
    with pytest.raises(ValueError):
        Fault.from_dict({"service": "google_ads", "error": "UNAVAILABLE", "bogus": 1})
