"""Issue 11: error bodies as the platforms send them, recorded in public issue threads and docs, through the
client libraries' own exception types (FacebookRequestError, GoogleAdsException with a GoogleAdsFailure,
gspread's APIError), to the outcome the platform means: retry, shrink, fail with what to do, auth_failed,
or skip the account as disabled."""
from __future__ import annotations

import json

import grpc
import pytest
import requests
from facebook_business.exceptions import FacebookRequestError
from google.ads.googleads.errors import GoogleAdsException
from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure
from google.api_core import exceptions as core
from gspread.exceptions import APIError

from ads_sync import errors
from ads_sync.errors import (
    AccountDisabled,
    AmbiguousSubmit,
    AuthFailure,
    GraphResponseError,
    QuotaExhausted,
    SheetsError,
    Throttled,
    TooMuchData,
    TransientApiError,
)
from ads_sync.hooks import sheets
from ads_sync.retry import RetryPolicy, check_wait
from ads_sync.sources.google_ads import hook as google_ads
from ads_sync.sources.meta import hook as meta
from ads_sync.sources.meta.reports import parse_usage

# -- Meta ------------------------------------------------------------------------------------------------


def graph_error(status: int, body: object, headers: dict | None = None) -> FacebookRequestError:
    return FacebookRequestError(
        "Call was not successful", {"method": "GET", "path": "https://graph.facebook.com/v26.0/act_1/insights",
                                    "params": {}}, status, headers or {},
        body if isinstance(body, str) else json.dumps(body),
    )


#: singer-io/tap-facebook #65 (HTTP 500) and facebook-python-business-sdk #470: code 1, no subcode
REDUCE = {"error": {"code": 1,
                    "message": "Please reduce the amount of data you're asking for, then retry your request"}}
#: facebook-nodejs-business-sdk #250: HTTP 400, with the X-Ad-Account-Usage / X-App-Usage headers it came with
MISSING = {"error": {"message": "(#100) Missing permissions", "type": "OAuthException", "code": 100,
                     "fbtrace_id": "AHpGGpPNxtQ-nfclGRbAPfc"}}
MISSING_HEADERS = {"x-ad-account-usage": '{"acc_id_util_pct":0}',
                   "x-app-usage": '{"call_count":3,"total_cputime":0,"total_time":1}'}
#: singer-io/tap-facebook #93: HTTP 400, code 100, subcode 33
NOT_VISIBLE = {"error": {"type": "GraphMethodException", "message": "Unsupported get request. Object with ID "
                         "'act_4XXXXXXXXXXXX4' does not exist, cannot be loaded due to missing permissions, or does "
                         "not support this operation. Please read the Graph API documentation at "
                         "https://developers.facebook.com/docs/graph-api", "code": 100,
                         "fbtrace_id": "AkC_QOl81J_K3geIwCnMSj9", "error_subcode": 33}}
#: subcode 1504018, "Request timed out", whose user message asks for a smaller date range (recorded in
#: jacekhonkisz/piotr META_API_TIMEOUT_FIXES.md)
TIMED_OUT = {"error": {"message": "Service temporarily unavailable", "type": "OAuthException", "code": 2,
                       "error_subcode": 1504018, "is_transient": True,
                       "error_user_msg": "Try a smaller date range, fetch less data or use async jobs"}}


def test_meta_reduce_the_amount_of_data_and_timeouts_ask_for_less() -> None:
    assert isinstance(meta.classify_error(graph_error(500, REDUCE)), TooMuchData)
    assert isinstance(meta.classify_error(graph_error(500, TIMED_OUT)), TooMuchData)


@pytest.mark.parametrize("body", [MISSING, NOT_VISIBLE], ids=["missing-permissions", "object-not-visible"])
def test_meta_permission_errors_under_code_100_are_auth_failures_saying_what_to_grant(body) -> None:
    err = meta.classify_error(graph_error(400, body, MISSING_HEADERS), conn_id="facebook_acme")
    assert isinstance(err, AuthFailure)
    assert "ads_read" in str(err) and "facebook_acme" in str(err) and "Business Settings" in str(err)


def test_meta_invalid_parameter_under_code_100_still_fails_as_invalid() -> None:
    body = {"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100,
                      "error_subcode": 1487534}}
    assert isinstance(meta.classify_error(graph_error(400, body)), errors.InvalidRequest)


def test_meta_a_200_that_is_not_json_is_transient() -> None:
    """A page cut off mid-body, and the SDK's own 'Service Unavailable' success (facebook_business/api.py
    FacebookResponse.is_success notes that Graph can answer 200 for it)."""
    assert isinstance(meta.classify_error(GraphResponseError(200, '{"data":[{"date_start":"2026-11-2')),
                      TransientApiError)
    assert isinstance(meta.classify_error(graph_error(200, "Service Unavailable")), TransientApiError)
    # whole JSON of the wrong shape is no transport accident
    assert isinstance(meta.classify_error(GraphResponseError(200, "[]")), errors.InvalidRequest)


def test_meta_account_and_app_usage_headers_pace_requests() -> None:
    quiet = parse_usage(MISSING_HEADERS)
    assert quiet.pct == 3 and quiet.pause_s == 0
    busy = parse_usage({"X-App-Usage": '{"call_count":92,"total_cputime":40,"total_time":60}'})
    assert busy.pct == 92 and 0 < busy.pause_s < 60
    # X-Ad-Account-Usage at its limit: reset_time_duration (seconds) is the wait
    full = parse_usage({"X-Ad-Account-Usage": '{"acc_id_util_pct":100,"reset_time_duration":180,'
                        '"ads_api_access_tier":"standard_access"}'})
    assert full.pct == 100 and full.pause_s == 180


def test_waits_are_slept_deferred_or_failed_by_their_length() -> None:
    policy = RetryPolicy()
    check_wait(20, policy, what="x", why="y")  # slept in the worker
    with pytest.raises(Throttled) as caught:
        check_wait(180, policy, what="x", why="regain in 3 min")
    assert caught.value.seconds == 180
    with pytest.raises(QuotaExhausted):
        check_wait(40591, policy, what="x", why="daily quota")


def test_meta_report_post_retries_only_errors_that_prove_nothing_was_made() -> None:
    assert meta._ambiguous(requests.exceptions.ReadTimeout("read timed out"))
    assert meta._ambiguous(requests.exceptions.ChunkedEncodingError("Connection broken"))
    assert meta._ambiguous(GraphResponseError(503, "Service Unavailable"))
    assert not meta._ambiguous(requests.exceptions.ConnectTimeout("connect timed out"))
    assert not meta._ambiguous(graph_error(400, {"error": {"code": 17, "message": "(#17) User request limit reached"}}))
    assert issubclass(AmbiguousSubmit, errors.AirflowFailException)


# -- Google Ads ------------------------------------------------------------------------------------------


class Call(grpc.RpcError, grpc.Call):  # type: ignore[misc]
    """What the client hands GoogleAdsException: a finished call with its status and trailers."""

    def __init__(self, code: grpc.StatusCode, failure: object | None = None, details: str = "") -> None:
        self._code, self._failure, self._details = code, failure, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def trailing_metadata(self):
        return ((google_ads.FAILURE_KEY, self._failure.SerializeToString()),) if self._failure is not None else ()

    def details(self) -> str:
        return self._details

    def initial_metadata(self): return ()
    def is_active(self): return False
    def time_remaining(self): return None
    def cancel(self): return None
    def add_callback(self, cb): return None


def ads_failure(family: str, name: str, message: str) -> object:
    failure = GoogleAdsFailure.pb()()
    error = failure.errors.add(message=message)
    enum = error.error_code.DESCRIPTOR.fields_by_name[family].enum_type
    setattr(error.error_code, family, enum.values_by_name[name].number)
    return failure


def ads_exception(status: grpc.StatusCode, failure: object) -> GoogleAdsException:
    call = Call(status, failure)
    return GoogleAdsException(call, call, GoogleAdsFailure.wrap(failure), "xN_KaZRHZuU6Rlgt3cM2uQ")


def test_google_stream_removed_is_transient() -> None:
    """google-ads-python #707 and googleads-python-lib #507: `google.api_core.exceptions.Unknown: None Stream
    removed`; google-ads-dotnet #305: StatusCode="Unknown", Detail="Stream removed" (RST_STREAM)."""
    assert isinstance(google_ads.classify_error(core.Unknown("None Stream removed")), TransientApiError)
    raw = Call(grpc.StatusCode.UNKNOWN, details="Stream removed")
    assert isinstance(google_ads.classify_error(raw), TransientApiError)


def test_google_long_term_quota_fails_with_the_message_and_is_not_retried() -> None:
    """QuotaErrorEnum.EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION (Google Ads API reference)."""
    exc = ads_exception(grpc.StatusCode.RESOURCE_EXHAUSTED, ads_failure(
        "quota_error", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION", "Excessive long-term query resource "
        "consumption."))
    err = google_ads.classify_error(exc)
    assert isinstance(err, QuotaExhausted) and "long term" in str(err)
    assert "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION" in str(err)


def test_google_customer_not_enabled_skips_the_account_as_disabled() -> None:
    """AuthorizationErrorEnum.CUSTOMER_NOT_ENABLED; airbytehq/airbyte #34200 stopped failing syncs on it."""
    exc = ads_exception(grpc.StatusCode.PERMISSION_DENIED, ads_failure(
        "authorization_error", "CUSTOMER_NOT_ENABLED",
        "The customer account can't be accessed because it is not yet enabled or has been deactivated."))
    err = google_ads.classify_error(exc)
    assert isinstance(err, AccountDisabled) and "deactivated" in str(err)
    assert isinstance(err, errors.AirflowSkipException)


def test_google_token_expired_after_the_refresh_is_an_auth_failure() -> None:
    """AuthenticationErrorEnum.OAUTH_TOKEN_EXPIRED ("OAuth token in the header has expired."): the hook
    refreshes once (tests/integration/test_platform_faults.py); one that comes back anyway fails."""
    exc = ads_exception(grpc.StatusCode.UNAUTHENTICATED, ads_failure(
        "authentication_error", "OAUTH_TOKEN_EXPIRED", "OAuth token in the header has expired."))
    assert google_ads._has_code(exc.failure, "authentication_error", "OAUTH_TOKEN_EXPIRED")
    err = google_ads.classify_error(exc, conn_id="google_ads_acme")
    assert isinstance(err, AuthFailure) and "even after a refresh" in str(err)


def test_google_retry_in_n_seconds_is_honoured_without_retry_delay_details() -> None:
    """PipedreamHQ/pipedream #21554 records "Too many requests. Retry in 40591 seconds." beside retryDelay;
    the message alone must give the wait too."""
    exc = ads_exception(grpc.StatusCode.RESOURCE_EXHAUSTED, ads_failure(
        "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED", "Too many requests. Retry in 27 seconds."))
    err = google_ads.classify_error(exc)
    assert isinstance(err, TransientApiError) and err.retry_after == 27


# -- Sheets ----------------------------------------------------------------------------------------------


def api_error(status: int, body: dict) -> APIError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return APIError(response)


def classify_sheets(exc: BaseException) -> BaseException:
    return sheets.classify_error(exc, spreadsheet_id="1AbC", email="pusher@p.iam.gserviceaccount.com",
                                 conn_id="google_sheets_default")


@pytest.mark.parametrize("reason", ["userRateLimitExceeded", "rateLimitExceeded"])
def test_sheets_legacy_rate_limit_reasons_are_retried(reason) -> None:
    """The legacy `errors[].reason` form (403 with domain usageLimits), as in burnash/gspread #583."""
    body = {"error": {"errors": [{"domain": "usageLimits", "reason": reason, "message": "User Rate Limit Exceeded"}],
                      "code": 403, "message": "User Rate Limit Exceeded"}}
    assert isinstance(classify_sheets(api_error(403, body)), TransientApiError)


def test_sheets_missing_scope_says_scope_not_share() -> None:
    """google-api-python-client #915 and xing5/mcp-google-sheets #29: 403 "Request had insufficient
    authentication scopes." (legacy reason insufficientPermissions, ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT)."""
    body = {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                      "status": "PERMISSION_DENIED",
                      "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                                   "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                                   "metadata": {"service": "sheets.googleapis.com"}}]}}
    err = classify_sheets(api_error(403, body))
    assert isinstance(err, SheetsError) and "scope" in str(err) and "share" not in str(err)
    legacy = {"error": {"errors": [{"domain": "global", "reason": "insufficientPermissions",
                                    "message": "Insufficient Permission"}], "code": 403,
                        "message": "Insufficient Permission"}}
    assert "scope" in str(classify_sheets(api_error(403, legacy)))


def test_triggers_and_operators_share_one_error_table() -> None:
    for kind, cls in errors.EVENT_ERRORS.items():
        raised = errors.from_event(kind, "m")
        assert isinstance(raised, cls) and errors.event_kind(raised) == kind
    assert errors.event_kind(KeyError("x")) == "retry"
