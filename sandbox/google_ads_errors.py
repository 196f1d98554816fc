"""Google Ads API errors as they appear on the wire.

The real service answers a failed call with a gRPC status (code + a generic message such as
"Request contains an invalid argument.") and trailing metadata holding
  * `google.ads.googleads.<version>.errors.googleadsfailure-bin`: a serialized GoogleAdsFailure
    (errors[].error_code oneof, message, details such as quota_error_details.retry_delay; request_id),
  * `grpc-status-details-bin`: a google.rpc.Status whose details hold the same GoogleAdsFailure as
    an Any (that is what the REST form shows as `"details": [{"@type": ...GoogleAdsFailure}]`),
  * `request-id`.
Transport-level failures (UNAVAILABLE, DEADLINE_EXCEEDED) come without a GoogleAdsFailure.

What google-ads 34.0.0 raises from search_stream, observed against this emulator
(tests/sandbox/test_faults.py pins it):
  * a GoogleAdsFailure with status INVALID_ARGUMENT, UNAUTHENTICATED or PERMISSION_DENIED
    -> google.ads.googleads.errors.GoogleAdsException (.failure, .request_id, .error.code());
  * RESOURCE_EXHAUSTED and INTERNAL -> google.api_core.exceptions.ResourceExhausted /
    InternalServerError even though a GoogleAdsFailure is attached: the library's
    ExceptionInterceptor passes those two codes through untouched. The QuotaError and its
    retry_delay are then only reachable by decoding the trailer from exc.response.trailing_metadata()
    (exc.details holds the packed Any);
  * UNAVAILABLE -> google.api_core.exceptions.ServiceUnavailable;
    DEADLINE_EXCEEDED -> google.api_core.exceptions.DeadlineExceeded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import grpc
from google.ads.googleads.v26.errors.types import errors as errors_types
from google.protobuf import any_pb2
from google.rpc import status_pb2

VERSION = "v26"
FAILURE_KEY = f"google.ads.googleads.{VERSION}.errors.googleadsfailure-bin"
STATUS_DETAILS_KEY = "grpc-status-details-bin"

_Failure = errors_types.GoogleAdsFailure.pb()
_ErrorCode = errors_types.ErrorCode.pb()

_INVALID_ARGUMENT = "Request contains an invalid argument."
_UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_PERMISSION_DENIED = "The caller does not have permission"
_EXHAUSTED = "Resource has been exhausted (e.g. check quota)."


@dataclass(frozen=True)
class AdsError:
    """One failure: gRPC status, and (unless transport-level) the GoogleAdsError inside it."""

    status: grpc.StatusCode
    status_message: str
    family: str | None = None  # ErrorCode oneof field, e.g. "quota_error"
    code: str | None = None  # enum value name in that family, e.g. "RESOURCE_EXHAUSTED"
    message: str = ""
    retry_delay_s: int | None = None
    rate_scope: str | None = None
    rate_name: str | None = None

    def failure(self, request_id: str) -> Any:
        """The GoogleAdsFailure (raw protobuf) for this error."""
        failure = _Failure(request_id=request_id)
        error = failure.errors.add(message=self.message)
        enum = _ErrorCode.DESCRIPTOR.fields_by_name[self.family].enum_type  # type: ignore[index]
        setattr(error.error_code, self.family, enum.values_by_name[self.code].number)  # type: ignore[arg-type]
        if self.retry_delay_s is not None:
            quota = error.details.quota_error_details
            quota.retry_delay.seconds = self.retry_delay_s
            if self.rate_scope:
                quota.rate_scope = (
                    quota.DESCRIPTOR.fields_by_name["rate_scope"]
                    .enum_type.values_by_name[self.rate_scope]
                    .number
                )
            if self.rate_name:
                quota.rate_name = self.rate_name
        return failure

    def trailing_metadata(self, request_id: str) -> list[tuple[str, str | bytes]]:
        trailers: list[tuple[str, str | bytes]] = [("request-id", request_id)]
        if self.family is not None:
            failure = self.failure(request_id)
            packed = any_pb2.Any()
            packed.Pack(failure)
            status = status_pb2.Status(
                code=self.status.value[0], message=self.status_message, details=[packed]
            )
            trailers += [
                (FAILURE_KEY, failure.SerializeToString()),
                (STATUS_DETAILS_KEY, status.SerializeToString()),
            ]
        return trailers


def new_request_id() -> str:
    """22 URL-safe characters, the shape of real request ids (e.g. "xN_KaZRHZuU6Rlgt3cM2uQ")."""
    return secrets.token_urlsafe(16)


def query_error(code: str, message: str) -> AdsError:
    return AdsError(grpc.StatusCode.INVALID_ARGUMENT, _INVALID_ARGUMENT, "query_error", code, message)


def request_error(code: str, message: str) -> AdsError:
    return AdsError(grpc.StatusCode.INVALID_ARGUMENT, _INVALID_ARGUMENT, "request_error", code, message)


def authentication_error(code: str, message: str) -> AdsError:
    return AdsError(grpc.StatusCode.UNAUTHENTICATED, _UNAUTHENTICATED, "authentication_error", code, message)


def _quota(code: str, delay_s: int, scope: str, rate_name: str) -> AdsError:
    return AdsError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        _EXHAUSTED,
        "quota_error",
        code,
        f"Too many requests. Retry in {delay_s} seconds.",
        delay_s,
        scope,
        rate_name,
    )


#: what each google_ads Fault.error sends
FAULTS: dict[str, AdsError] = {
    "UNAVAILABLE": AdsError(grpc.StatusCode.UNAVAILABLE, "The service is currently unavailable."),
    "DEADLINE_EXCEEDED": AdsError(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"),
    "INTERNAL": AdsError(
        grpc.StatusCode.INTERNAL,
        "Internal error encountered.",
        "internal_error",
        "INTERNAL_ERROR",
        "An internal error has occurred.",
    ),
    # The short-term limit; scope and name are this emulator's guess, the delay is short.
    "RATE_EXCEEDED": _quota("RESOURCE_TEMPORARILY_EXHAUSTED", 2, "ACCOUNT", "Requests per account"),
    # Shape seen in a real payload: 40591 s (~11 h) until the daily operations quota resets.
    "DAILY_QUOTA": _quota("RESOURCE_EXHAUSTED", 40591, "DEVELOPER", "Number of operations for basic access"),
    "AUTH_INVALID": authentication_error("OAUTH_TOKEN_INVALID", "Oauth token in the header is not valid."),
    "PERMISSION_DENIED": AdsError(
        grpc.StatusCode.PERMISSION_DENIED,
        _PERMISSION_DENIED,
        "authorization_error",
        "USER_PERMISSION_DENIED",
        "User doesn't have permission to access customer. Note: If you're accessing a client customer, the "
        "manager's customer id must be set in the 'login-customer-id' header. "
        "See https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid",
    ),
    "DEVELOPER_TOKEN_NOT_APPROVED": AdsError(
        grpc.StatusCode.PERMISSION_DENIED,
        _PERMISSION_DENIED,
        "authorization_error",
        "DEVELOPER_TOKEN_NOT_APPROVED",
        "The developer token is only approved for use with test accounts. To access non-test accounts, "
        "apply for Basic or Standard access.",
    ),
    "INVALID_ARGUMENT": query_error("QUERY_ERROR", "Error in query: rejected by a sandbox fault."),
    "UNSUPPORTED_VERSION": request_error(
        "UNSUPPORTED_VERSION", f"Version {VERSION} of the API is no longer supported. Please upgrade."
    ),
    # What the client reports for a stream cut below the API (google-ads-python #707, google-ads-dotnet #305):
    # StatusCode.UNKNOWN "Stream removed", no GoogleAdsFailure.
    "STREAM_REMOVED": AdsError(grpc.StatusCode.UNKNOWN, "Stream removed"),
    # QuotaError.EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION (QuotaErrorEnum in the v26 reference)
    "LONG_TERM_QUOTA": AdsError(
        grpc.StatusCode.RESOURCE_EXHAUSTED, _EXHAUSTED, "quota_error", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION",
        "Excessive long-term query resource consumption.",
    ),
    # AuthenticationError.OAUTH_TOKEN_EXPIRED: "OAuth token in the header has expired." (v26 reference)
    "TOKEN_EXPIRED": authentication_error("OAUTH_TOKEN_EXPIRED", "OAuth token in the header has expired."),
    # AuthorizationError.CUSTOMER_NOT_ENABLED, the message as the API sends it for a cancelled account
    "CUSTOMER_NOT_ENABLED": AdsError(
        grpc.StatusCode.PERMISSION_DENIED, _PERMISSION_DENIED, "authorization_error", "CUSTOMER_NOT_ENABLED",
        "The customer account can't be accessed because it is not yet enabled or has been deactivated.",
    ),
    # a short-term limit whose wait is only in the message, longer than a worker should sleep
    "RATE_EXCEEDED_LONG": AdsError(
        grpc.StatusCode.RESOURCE_EXHAUSTED, _EXHAUSTED, "quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED",
        "Too many requests. Retry in 75 seconds.",
    ),
}
