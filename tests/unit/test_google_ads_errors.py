"""Error classification from the payloads Google Ads sends (GoogleAdsFailure) and the exceptions the
client raises for them."""
from __future__ import annotations

import grpc
import pytest
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions as core
from google.auth.exceptions import RefreshError

from ads_sync.errors import AuthFailure, InvalidRequest, QuotaExhausted, TransientApiError
from ads_sync.sources.google_ads.hook import FAILURE_KEY, classify_error


class FakeCall(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    def __init__(self, code: grpc.StatusCode, failure: object | None = None) -> None:
        self._code, self._failure = code, failure

    def code(self) -> grpc.StatusCode:
        return self._code

    def trailing_metadata(self):
        return ((FAILURE_KEY, self._failure.SerializeToString()),) if self._failure is not None else ()

    def details(self) -> str:
        return "details"

    def initial_metadata(self): return ()
    def is_active(self): return False
    def time_remaining(self): return None
    def cancel(self): return None
    def add_callback(self, cb): return None


def failure(kind: str, code: int, message: str = "m", retry_s: int | None = None) -> object:
    f = GoogleAdsFailure.pb()()
    e = f.errors.add()
    setattr(e.error_code, kind, code)
    e.message = message
    if retry_s is not None:
        e.details.quota_error_details.retry_delay.seconds = retry_s
    return f


def ads_exception(status: grpc.StatusCode, f: object) -> GoogleAdsException:
    call = FakeCall(status, f)
    return GoogleAdsException(call, call, GoogleAdsFailure.wrap(f), "req-123")


def test_authentication_error_fails_now_naming_the_connection() -> None:
    exc = ads_exception(grpc.StatusCode.UNAUTHENTICATED, failure("authentication_error", 2, "bad token"))
    err = classify_error(exc, conn_id="google_ads_acme")
    assert isinstance(err, AuthFailure)
    assert "google_ads_acme" in str(err) and "req-123" in str(err)


def test_developer_token_not_approved_is_an_auth_failure() -> None:
    exc = ads_exception(grpc.StatusCode.PERMISSION_DENIED, failure("authorization_error", 8))
    assert isinstance(classify_error(exc), AuthFailure)


def test_refresh_token_rejected_is_an_auth_failure() -> None:
    err = classify_error(RefreshError("invalid_grant: Token has been expired or revoked."))
    assert isinstance(err, AuthFailure) and "refresh token" in str(err)


def test_query_error_is_an_invalid_request() -> None:
    exc = ads_exception(grpc.StatusCode.INVALID_ARGUMENT, failure("query_error", 5, "unrecognized field"))
    err = classify_error(exc)
    assert isinstance(err, InvalidRequest) and "unrecognized field" in str(err)


def test_rate_limit_from_api_core_is_transient_with_the_hint() -> None:
    f = failure("quota_error", 4, "Too many requests", retry_s=7)
    call = FakeCall(grpc.StatusCode.RESOURCE_EXHAUSTED, f)
    exc = core.ResourceExhausted("Resource has been exhausted", response=call)
    err = classify_error(exc)
    assert isinstance(err, TransientApiError) and err.retry_after == 7


def test_daily_quota_fails_with_the_reset_time() -> None:
    f = failure("quota_error", 2, "Daily limit", retry_s=40591)
    exc = core.ResourceExhausted("exhausted", response=FakeCall(grpc.StatusCode.RESOURCE_EXHAUSTED, f))
    err = classify_error(exc)
    assert isinstance(err, QuotaExhausted) and "11.3 h" in str(err)


def test_message_too_large_is_not_retried() -> None:
    exc = core.ResourceExhausted("Received message larger than max (5000000 vs. 4194304)")
    assert isinstance(classify_error(exc), InvalidRequest)


@pytest.mark.parametrize("cls", [core.ServiceUnavailable, core.InternalServerError, core.DeadlineExceeded])
def test_outages_are_transient(cls) -> None:
    assert isinstance(classify_error(cls("down")), TransientApiError)


def test_unknown_errors_come_back_unchanged() -> None:
    exc = KeyError("x")
    assert classify_error(exc) is exc


def test_refresh_rejected_inside_a_grpc_call_is_an_auth_failure_not_an_outage() -> None:
    exc = core.ServiceUnavailable(
        "Getting metadata from plugin failed with error: ('invalid_grant: Token has been expired or revoked.', "
        "{'error': 'invalid_grant'})"
    )
    assert isinstance(classify_error(exc), AuthFailure)
