"""classify_error against recorded Graph error bodies and headers, as the SDK raises them."""
from __future__ import annotations

import json

import pytest
import requests
from facebook_business.exceptions import FacebookRequestError

from ads_sync.errors import AuthFailure, InvalidRequest, TransientApiError
from ads_sync.sources.meta.hook import GraphResponseError, RetriesExhausted, classify_error

TOKEN = "EAAB-secret-token"


def graph_error(status: int, error: dict, headers: dict | None = None) -> FacebookRequestError:
    return FacebookRequestError(
        "Call was not successful", {"method": "GET", "path": "https://graph.facebook.com/v26.0/act_1/insights",
                                    "params": {}}, status, headers or {}, json.dumps({"error": error}),
    )


EXPIRED = {"message": "Error validating access token: Session has expired on Sunday, 01-Mar-26 01:00:00 PST.",
           "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbC123"}
PERMISSION = {"message": "(#200) Ad account owner has NOT grant ads_management or ads_read permission",
              "type": "OAuthException", "code": 200, "fbtrace_id": "AbC124"}
USER_LIMIT = {"message": "(#17) User request limit reached", "type": "OAuthException", "is_transient": False,
              "code": 17, "error_subcode": 2446079, "fbtrace_id": "AbC125"}
SERVICE = {"message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException",
           "is_transient": False, "code": 2, "fbtrace_id": "AbC126"}
INVALID = {"message": "(#100) date_preset must be one of the following values: today, yesterday, ...",
           "type": "OAuthException", "code": 100, "error_user_msg": "Pick a valid date preset",
           "fbtrace_id": "AbC127"}
NOT_LINKED = {"message": "An unknown error occurred", "type": "OAuthException", "code": 1,
              "error_subcode": 2853001, "fbtrace_id": "AbC128"}


def test_expired_token_is_an_auth_failure_naming_the_connection() -> None:
    err = classify_error(graph_error(400, EXPIRED), conn_id="facebook_acme")
    assert isinstance(err, AuthFailure)
    assert "facebook_acme" in str(err) and "190/463" in str(err) and "AbC123" in str(err)


@pytest.mark.parametrize("error", [PERMISSION, NOT_LINKED, {**PERMISSION, "code": 10}])
def test_permission_errors_fail_now(error) -> None:
    assert isinstance(classify_error(graph_error(400, error)), AuthFailure)


def test_user_limit_is_transient_whatever_is_transient_says_and_honours_the_estimate() -> None:
    headers = {"x-business-use-case-usage": json.dumps(
        {"1": [{"type": "ads_insights", "call_count": "100", "estimated_time_to_regain_access": "5"}]})}
    err = classify_error(graph_error(400, USER_LIMIT, headers))
    assert isinstance(err, TransientApiError) and err.retry_after == 300
    service = classify_error(graph_error(503, SERVICE))
    assert isinstance(service, TransientApiError) and service.retry_after is None


def test_invalid_parameter_fails_with_metas_message() -> None:
    err = classify_error(graph_error(400, INVALID))
    assert isinstance(err, InvalidRequest)
    assert "date_preset" in str(err) and "Pick a valid date preset" in str(err)


def test_5xx_without_a_graph_body_and_network_errors_retry_without_leaking_the_token() -> None:
    assert isinstance(classify_error(GraphResponseError(502, "<html>Bad Gateway</html>")), TransientApiError)
    assert isinstance(classify_error(GraphResponseError(200, "[]")), InvalidRequest)
    exc = requests.exceptions.ConnectionError(
        f"HTTPConnectionPool: Max retries exceeded with url: /v26.0/act_1/insights?access_token={TOKEN}&x=1"
    )
    err = classify_error(exc)
    assert isinstance(err, TransientApiError) and TOKEN not in str(err)


def test_errors_already_classified_or_unknown_come_back_unchanged() -> None:
    done = RetriesExhausted("x")
    assert classify_error(done) is done
    other = KeyError("x")
    assert classify_error(other) is other
