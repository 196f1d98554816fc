"""Google Ads through the official client and GoogleAdsService.SearchStream.

Not the provider's GoogleAdsHook: that one needs a GCP service-account connection beside the Ads one
and builds the client with `load_from_dict`, which refreshes OAuth over the network at construction.
This hook keeps everything in one connection and lets google-auth refresh lazily, at the first call.

Connection `google_ads_default` (conn_type `ads_sync_google_ads`; older `google_ads` ones still work, but the
Google provider's form and Test button own that type), all in the extras:
`developer_token`, `client_id`, `client_secret`, `refresh_token`, optional `login_customer_id`;
for the offline sandbox only: `endpoint`, `token_uri`, `ssl_roots_file`.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseHook

from ads_sync import provider, ratelimit
from ads_sync.errors import (
    AccountDisabled,
    AuthFailure,
    BadApiData,
    InvalidRequest,
    QuotaExhausted,
    Throttled,
    TransientApiError,
    UnsupportedApiVersion,
)
from ads_sync.sources.google_ads import fields
from ads_sync.sources.google_ads.fields import FieldInfo
from ads_sync.sources.google_ads.reports import API_VERSION

if TYPE_CHECKING:
    from google.ads.googleads.client import GoogleAdsClient

REQUIRED_EXTRAS = ("developer_token", "client_id", "client_secret", "refresh_token")
SECRET_EXTRAS = ("developer_token", "client_secret", "refresh_token")
FAILURE_KEY = f"google.ads.googleads.{API_VERSION}.errors.googleadsfailure-bin"
#: gRPC status codes worth another try
TRANSIENT_CODES = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "INTERNAL", "ABORTED"}
AUTH_ERROR_FIELDS = {"authentication_error", "authorization_error"}
#: seconds a SearchStream may take, whole (gRPC deadline): a stream that hangs ends as DEADLINE_EXCEEDED, which
#: is retried, instead of holding the worker until execution_timeout
STREAM_DEADLINE_S = 30 * 60
#: seconds a field-metadata request may take
FIELDS_DEADLINE_S = 60
#: quota errors' messages carry the wait when the details do not ("Too many requests. Retry in 27 seconds.")
_RETRY_IN_RE = re.compile(r"retry in (\d+(?:\.\d+)?) ?s", re.IGNORECASE)


class GoogleAdsApiHook(BaseHook):
    conn_name_attr = "google_ads_conn_id"
    default_conn_name = "google_ads_default"
    conn_type = provider.GOOGLE_ADS
    hook_name = provider.HOOK_NAMES[provider.GOOGLE_ADS]

    def __init__(
        self, google_ads_conn_id: str = default_conn_name, *, login_customer_id: str | None = None,
        stream_deadline_s: float = STREAM_DEADLINE_S,
    ):
        super().__init__()
        self.google_ads_conn_id = google_ads_conn_id
        self.login_customer_id = login_customer_id
        self.stream_deadline_s = stream_deadline_s
        self._client: GoogleAdsClient | None = None
        #: SearchStream calls made by this hook, for the sync log and API-efficiency tests
        self.requests = 0

    def _extras(self) -> dict[str, Any]:
        conn = self.get_connection(self.google_ads_conn_id)
        extras = dict(conn.extra_dejson)
        missing = [k for k in REQUIRED_EXTRAS if not extras.get(k)]
        if missing:
            raise AuthFailure(
                f"Airflow connection {self.google_ads_conn_id!r} lacks {', '.join(missing)} in its extras; "
                "add them (see README, 'Connections')"
            )
        from airflow.sdk.log import mask_secret

        for key in SECRET_EXTRAS:
            mask_secret(str(extras[key]))
        return extras

    def get_client(self) -> GoogleAdsClient:
        if self._client is None:
            from google.ads.googleads.client import GoogleAdsClient
            from google.oauth2.credentials import Credentials

            extras = self._extras()
            if extras.get("ssl_roots_file"):
                # sandbox only: gRPC reads the roots once per process, so this must precede any channel
                os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(extras["ssl_roots_file"])
            credentials = Credentials(
                token=None,
                refresh_token=extras["refresh_token"],
                client_id=extras["client_id"],
                client_secret=extras["client_secret"],
                token_uri=extras.get("token_uri") or "https://oauth2.googleapis.com/token",
            )
            login = self.login_customer_id or extras.get("login_customer_id")
            self._client = GoogleAdsClient(
                credentials=credentials,
                developer_token=extras["developer_token"],
                login_customer_id=str(login) if login else None,
                endpoint=extras.get("endpoint") or None,
                version=API_VERSION,
                use_proto_plus=False,
            )
        return self._client

    def search_stream(self, customer_id: str, query: str) -> Iterator[Any]:
        """Yield raw GoogleAdsRow messages for one GAQL query. A broken stream raises mid-way; the
        caller must drop what it received and run the whole query again."""
        from google.ads.googleads.errors import GoogleAdsException

        client = self.get_client()
        self._refresh_if_needed(client.credentials)
        service = client.get_service("GoogleAdsService", version=API_VERSION)
        for attempt in (1, 2):
            ratelimit.google_ads_request(self, customer_id)  # the developer token's limits, across workers
            self.requests += 1
            sent = False
            try:
                for batch in service.search_stream(customer_id=customer_id, query=query,
                                                   timeout=self.stream_deadline_s):
                    sent = True
                    yield from batch.results
                return
            except GoogleAdsException as exc:
                # an access token the server calls expired (clock skew, revoked early): refresh once, ask again
                if attempt == 1 and not sent and _has_code(exc.failure, "authentication_error", "OAUTH_TOKEN_EXPIRED"):
                    self.log.warning("Google Ads says the access token expired (request id %s); refreshing it once "
                                     "and asking again", exc.request_id)
                    from google.auth.transport.requests import Request

                    client.credentials.refresh(Request())
                    continue
                raise

    def field_metadata(self, names: Sequence[str]) -> dict[str, FieldInfo]:
        """What GoogleAdsFieldService says of each field name, in one request (a custom report's fields are
        checked before any report request); names the API does not know are absent from the result. A name
        that is not [a-z0-9_.] raises ValueError before anything is sent; API errors come classified
        (ads_sync.errors), like search_stream's are by the connector."""
        if not names:
            return {}
        query = fields.field_query(names)
        client = self.get_client()
        found: dict[str, FieldInfo] = {}
        try:
            self._refresh_if_needed(client.credentials)
            service = client.get_service("GoogleAdsFieldService", version=API_VERSION)
            request = client.get_type("SearchGoogleAdsFieldsRequest")
            request.query = query
            ratelimit.google_ads_request(self, "(field metadata)")
            self.requests += 1
            for n, page in enumerate(service.search_google_ads_fields(request=request,
                                                                      timeout=FIELDS_DEADLINE_S).pages):
                self.requests += 1 if n else 0  # a further page is a further request
                for message in page.results:
                    info = fields.field_info(message)
                    found[info.name] = info
        except Exception as exc:
            error = self.classify(exc)
            if error is exc:
                raise
            raise error from exc
        return found

    def test_connection(self) -> tuple[bool, str]:
        """The Connections page's Test button: one CustomerService.ListAccessibleCustomers call (no quota
        worth mentioning, no customer id needed), which proves the developer token and the OAuth refresh
        token together. The message names what failed and how to fix it, never a secret."""
        try:
            client = self.get_client()
            self._refresh_if_needed(client.credentials)
            service = client.get_service("CustomerService", version=API_VERSION)
            answer = service.list_accessible_customers(timeout=30)
        except Exception as exc:  # noqa: BLE001 - the button shows every failure as text
            return False, _connection_failure(exc, self.google_ads_conn_id)
        names = list(answer.resource_names)
        shown = ", ".join(n.removeprefix("customers/") for n in names[:5]) + (", ..." if len(names) > 5 else "")
        return True, f"Google Ads answered: {len(names)} accessible customer(s){': ' + shown if names else ''}"

    @staticmethod
    def _refresh_if_needed(credentials: Any) -> None:
        """Refresh the OAuth token ourselves: inside a gRPC call a rejected refresh token surfaces as
        UNAVAILABLE ("Getting metadata from plugin failed"), which would look transient."""
        if credentials.valid:
            return
        from google.auth.transport.requests import Request

        credentials.refresh(Request())

    # -- errors -------------------------------------------------------------------------------------

    def classify(self, exc: BaseException) -> BaseException:
        """Map whatever the client raised to ads_sync.errors; unknown errors come back unchanged."""
        return classify_error(exc, conn_id=self.google_ads_conn_id)


def _connection_failure(exc: BaseException, conn_id: str) -> str:
    """The classified error's message, for the Test button; only our own messages, which never hold a secret
    (the client's raw text can quote request metadata)."""
    error = classify_error(exc, conn_id=conn_id)
    if type(error).__module__ != "ads_sync.errors":
        return f"Google Ads test failed: {type(exc).__name__}"
    return f"{type(error).__name__}: {error}"


def _status_name(exc: Any) -> str | None:
    code = getattr(exc, "code", None)
    if callable(code):
        try:
            code = code()
        except Exception:  # noqa: BLE001 - a call object without a status yet
            return None
    import grpc

    return code.name if isinstance(code, grpc.StatusCode) else None


def _failure_from_trailers(exc: Any) -> Any | None:
    """The GoogleAdsFailure in a gRPC error's trailers, also for errors the client did not convert."""
    call = getattr(exc, "response", None) or getattr(exc, "_response", None) or exc
    trailers = getattr(call, "trailing_metadata", None)
    if not callable(trailers):
        return None
    try:
        metadata = trailers() or ()
    except Exception:  # noqa: BLE001
        return None
    for key, value in metadata:
        if key == FAILURE_KEY:
            from google.ads.googleads.v26.errors.types.errors import GoogleAdsFailure

            return GoogleAdsFailure.pb().FromString(value)
    return None


def _retry_delay(failure: Any) -> float | None:
    """The wait Google asks for: QuotaErrorDetails.retry_delay, else "Retry in N seconds" in a message."""
    for error in failure.errors:
        details = error.details
        if details.HasField("quota_error_details") and details.quota_error_details.HasField("retry_delay"):
            delay = details.quota_error_details.retry_delay
            return delay.seconds + delay.nanos / 1e9
    for error in failure.errors:
        found = _RETRY_IN_RE.search(error.message)
        if found:
            return float(found.group(1))
    return None


def _has_code(failure: Any, family: str, name: str) -> bool:
    """Whether a GoogleAdsFailure (proto-plus or raw) holds error `family.name` (e.g. quota_error.X)."""
    if failure is None:
        return False
    failure = failure._pb if hasattr(failure, "_pb") else failure
    for error in failure.errors:
        if error.error_code.WhichOneof("error_code") != family:
            continue
        enum = error.error_code.DESCRIPTOR.fields_by_name[family].enum_type
        value = enum.values_by_name.get(name)
        if value is not None and getattr(error.error_code, family) == value.number:
            return True
    return False


def _describe(failure: Any, request_id: str | None) -> str:
    parts = []
    for error in failure.errors:
        field = error.error_code.WhichOneof("error_code")
        value = getattr(error.error_code, field) if field else None
        enum = error.error_code.DESCRIPTOR.fields_by_name[field].enum_type if field else None
        code_name = enum.values_by_number[value].name if enum and value in enum.values_by_number else value
        parts.append(f"{field}.{code_name}: {error.message}")
    rid = f" (request id {request_id})" if request_id else ""
    return "; ".join(parts) + rid


def classify_error(exc: BaseException, *, conn_id: str = "google_ads_default") -> BaseException:
    """Authentication, permission and bad queries fail now; rate limits and outages retry; a daily
    quota fails with the time it resets."""
    from google.ads.googleads.errors import GoogleAdsException
    from google.auth.exceptions import RefreshError, TransportError

    if isinstance(exc, (TransientApiError, AuthFailure, QuotaExhausted, InvalidRequest, BadApiData, AccountDisabled,
                        Throttled, UnsupportedApiVersion)):
        return exc
    if isinstance(exc, TransportError):
        return TransientApiError(f"Google OAuth token endpoint unreachable: {exc}")
    if isinstance(exc, RefreshError) or _is_refresh_failure(exc):
        return AuthFailure(
            f"Google OAuth refused the refresh token of connection {conn_id!r} ({exc.args[0] if exc.args else exc}); "
            "create a new refresh token and update the connection's refresh_token extra"
        )
    if isinstance(exc, GoogleAdsException):
        failure, request_id, status = exc.failure, exc.request_id, _status_name(exc.error)
        failure_pb = failure._pb if hasattr(failure, "_pb") else failure
    else:
        failure_pb, request_id = _failure_from_trailers(exc), None
        status = _api_core_status(exc) or _status_name(exc)
    message = _describe(failure_pb, request_id) if failure_pb is not None else str(exc)
    kinds = {e.error_code.WhichOneof("error_code") for e in failure_pb.errors} if failure_pb else set()
    if _is_unsupported_version(failure_pb):
        return unsupported_version(message)

    if _has_code(failure_pb, "authorization_error", "CUSTOMER_NOT_ENABLED"):
        return AccountDisabled(
            f"Google Ads says the account is not enabled (cancelled, suspended or not yet set up): {message}. "
            "The run is skipped and the account marked disabled; re-enable it in Google Ads, or set "
            "active: false in the registry"
        )
    if _has_code(failure_pb, "quota_error", "EXCESSIVE_LONG_TERM_QUERY_RESOURCE_CONSUMPTION"):
        return QuotaExhausted(
            f"Google Ads blocks this account's queries for now: they used too many resources over the long term "
            f"({message}). Retrying soon cannot help: query less often or narrower (fewer days, fewer reports, "
            "a lower frequency in the registry); the next scheduled run tries again"
        )
    if _has_code(failure_pb, "authentication_error", "OAUTH_TOKEN_EXPIRED"):
        return AuthFailure(
            f"Google Ads called the access token of connection {conn_id!r} expired even after a refresh: {message}. "
            "Check the machine's clock and the refresh token"
        )
    if kinds & AUTH_ERROR_FIELDS or status in {"UNAUTHENTICATED", "PERMISSION_DENIED"}:
        return AuthFailure(
            f"Google Ads rejected the credentials of connection {conn_id!r}: {message}. "
            "Check the developer token, the refresh token and that the user can access the account "
            "(and, for a client account, the login_customer_id of its manager)"
        )
    if status == "RESOURCE_EXHAUSTED" or "quota_error" in kinds:
        if "received message larger than max" in str(exc).lower():
            return InvalidRequest(f"a response exceeded the gRPC message size limit: {exc}; narrow the query")
        delay = _retry_delay(failure_pb) if failure_pb is not None else None
        if _is_daily_quota(failure_pb):
            return QuotaExhausted(
                f"Google Ads daily operations quota exhausted: {message}; "
                f"it resets in about {(delay or 0) / 3600:.1f} h; the next scheduled run will catch up"
            )
        return TransientApiError(f"Google Ads rate limit: {message}", retry_after=delay)
    if status in TRANSIENT_CODES or "internal_error" in kinds:
        return TransientApiError(f"Google Ads {status or 'internal error'}: {message}")
    if status == "UNKNOWN" and failure_pb is None:
        # the stream broke below the API ("Stream removed", RST_STREAM): a transport failure, not an answer
        return TransientApiError(f"Google Ads stream broke (UNKNOWN): {message}")
    if failure_pb is not None or status == "INVALID_ARGUMENT":
        return InvalidRequest(f"Google Ads rejected the request: {message}")
    return exc


# -- a sunset API version (issue 16): fails at once, never retried ----------------------------------


def _is_unsupported_version(failure: Any) -> bool:
    if failure is None:
        return False
    from google.ads.googleads.v26.errors.types.request_error import RequestErrorEnum

    code = int(RequestErrorEnum.RequestError.UNSUPPORTED_VERSION)
    return any(
        e.error_code.WhichOneof("error_code") == "request_error" and e.error_code.request_error == code
        for e in failure.errors
    )


def unsupported_version(message: str) -> UnsupportedApiVersion:
    from ads_sync import versions

    error: UnsupportedApiVersion = versions.unsupported("google_ads", "Google Ads no longer serves API", "google-ads",
                                                        message)
    return error


def _is_daily_quota(failure: Any) -> bool:
    if failure is None:
        return False
    from google.ads.googleads.v26.errors.types.quota_error import QuotaErrorEnum

    daily = int(QuotaErrorEnum.QuotaError.RESOURCE_EXHAUSTED)
    return any(
        e.error_code.WhichOneof("error_code") == "quota_error" and e.error_code.quota_error == daily
        for e in failure.errors
    )


def _api_core_status(exc: BaseException) -> str | None:
    """google.api_core exceptions carry a grpc_status_code."""
    code = getattr(exc, "grpc_status_code", None)
    return getattr(code, "name", None)


def _is_refresh_failure(exc: BaseException) -> bool:
    """A token refresh rejected inside a gRPC call (UNAVAILABLE with the OAuth error in its text)."""
    text = str(exc)
    return "Getting metadata from plugin failed" in text and ("invalid_grant" in text or "invalid_client" in text)
