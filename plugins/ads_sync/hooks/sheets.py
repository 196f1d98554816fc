"""Google Sheets through gspread, authenticated as a service account.

Connection `google_sheets_default` (conn_type `ads_sync_google_sheets`; an existing Google provider
`google_cloud_platform` connection still works, with that provider's form and Test button): the
service-account key JSON in the extras as `keyfile_dict` (or `extra__google_cloud_platform__keyfile_dict`).
For the offline sandbox only: `sheets_endpoint`, the address that replaces https://sheets.googleapis.com (the key's own
`token_uri` points at the sandbox's token endpoint).

Why not the provider's GSheetsHook: it speaks through googleapiclient's discovery client; this
project uses gspread. Why not gspread's BackOffHTTPClient: it retries some permanent failures
without end; retries here are bounded and classified (ads_sync.retry).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.sdk import BaseHook

from ads_sync import provider
from ads_sync.errors import SheetsConflict, SheetsError, TransientApiError
from ads_sync.retry import RetryPolicy, call_with_retries

if TYPE_CHECKING:
    import gspread

T = TypeVar("T")
SHEETS_ROOT = "https://sheets.googleapis.com"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
KEY_EXTRAS = ("keyfile_dict", "extra__google_cloud_platform__keyfile_dict")
REQUIRED_KEY_FIELDS = ("client_email", "private_key", "token_uri")
TRANSIENT_STATUS = {429, 500, 502, 503, 504}
RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
#: a token without the spreadsheets scope: the ErrorInfo reason, and the legacy reason
SCOPE_REASONS = {"ACCESS_TOKEN_SCOPE_INSUFFICIENT", "insufficientPermissions"}


def _session_class() -> type:
    from google.auth.transport.requests import AuthorizedSession

    class RoutedSession(AuthorizedSession):  # type: ignore[misc]
        """An AuthorizedSession (token refresh on 401 included) that sends Sheets API calls to
        `base_url` instead of sheets.googleapis.com: gspread's URLs are constants imported by name,
        so the session is the one place to redirect them. Counts the HTTP requests it sends."""

        def __init__(self, credentials: Any, base_url: str | None) -> None:
            super().__init__(credentials)
            self.base_url = base_url.rstrip("/") if base_url else None
            self.requests = 0

        def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            if self.base_url and url.startswith(SHEETS_ROOT):
                url = self.base_url + url[len(SHEETS_ROOT):]
            self.requests += 1
            return super().request(method, url, *args, **kwargs)

    return RoutedSession


class SheetsHook(BaseHook):
    conn_name_attr = "gcp_conn_id"
    default_conn_name = "google_sheets_default"
    conn_type = provider.GOOGLE_SHEETS
    hook_name = provider.HOOK_NAMES[provider.GOOGLE_SHEETS]

    def __init__(self, gcp_conn_id: str = default_conn_name, *, policy: RetryPolicy | None = None) -> None:
        super().__init__()
        self.gcp_conn_id = gcp_conn_id
        self.policy = policy or RetryPolicy(attempts=5, base_delay=2.0, max_delay=30.0)
        self._client: gspread.Client | None = None
        self._session: Any = None
        self._email: str | None = None

    @property
    def client_email(self) -> str:
        """The service account's address: the one to share spreadsheets with."""
        if self._email is None:
            self._email = str(self._key()["client_email"])
        return self._email

    @property
    def requests(self) -> int:
        """HTTP requests sent to the Sheets API by this hook, retries included."""
        return self._session.requests if self._session is not None else 0

    def _extras(self) -> dict[str, Any]:
        return dict(self.get_connection(self.gcp_conn_id).extra_dejson)

    def _key(self) -> dict[str, Any]:
        extras = self._extras()
        raw = next((extras[k] for k in KEY_EXTRAS if extras.get(k)), None)
        if raw is None:
            raise SheetsError(
                f"Airflow connection {self.gcp_conn_id!r} has no service-account key: put the key JSON in its "
                "extras as keyfile_dict (see README, 'Connections')"
            )
        try:
            key = json.loads(raw) if isinstance(raw, str) else dict(raw)
        except ValueError:
            raise SheetsError(f"keyfile_dict of connection {self.gcp_conn_id!r} is not valid JSON") from None
        missing = [f for f in REQUIRED_KEY_FIELDS if not key.get(f)]
        if missing:
            raise SheetsError(
                f"the service-account key in connection {self.gcp_conn_id!r} lacks {', '.join(missing)}; "
                "download a new JSON key for the service account"
            )
        from airflow.sdk.log import mask_secret

        mask_secret(str(key["private_key"]))
        return key

    def get_client(self) -> gspread.Client:
        if self._client is None:
            import gspread
            from google.oauth2 import service_account

            key = self._key()
            self._email = str(key["client_email"])
            credentials = service_account.Credentials.from_service_account_info(key, scopes=list(SCOPES))
            self._session = _session_class()(credentials, self._extras().get("sheets_endpoint"))
            self._client = gspread.Client(auth=credentials, session=self._session)
            self._client.set_timeout(60)
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        """The Connections page's Test button: the service account's token exchange (a signed JWT for an
        access token with the spreadsheets scope) against the key's token_uri, once. It proves the key is
        valid and not revoked; sharing a spreadsheet is per sheet and shows at the first push. The message
        names the service account, never the key."""
        try:
            from google.auth.transport.requests import Request
            from google.oauth2 import service_account

            key = self._key()
            self._email = str(key["client_email"])
            credentials = service_account.Credentials.from_service_account_info(key, scopes=list(SCOPES))
            credentials.refresh(Request())
        except Exception as exc:  # noqa: BLE001 - the button shows every failure as text
            email = self._email or "the service account"
            error = classify_error(exc, spreadsheet_id="-", email=email, conn_id=self.gcp_conn_id)
            if type(error).__module__ != "ads_sync.errors":
                if isinstance(exc, ValueError):  # google-auth could not load the private key
                    return False, (f"the service-account key of connection {self.gcp_conn_id!r} could not be "
                                   "loaded (ValueError); download a new JSON key for the service account")
                return False, f"Google Sheets test failed: {type(exc).__name__}"
            return False, f"{type(error).__name__}: {error}"
        return True, f"Google issued a Sheets token to service account {self._email}"

    def call(self, fn: Callable[[], T], *, spreadsheet_id: str, what: str) -> T:
        """Run one API call with bounded, classified retries (429 and 5xx back off; the rest fail)."""
        return call_with_retries(
            fn,
            classify=lambda exc: classify_error(
                exc, spreadsheet_id=spreadsheet_id, email=self._email or "the service account",
                conn_id=self.gcp_conn_id,
            ),
            policy=self.policy,
            what=f"Sheets {what} {spreadsheet_id}",
        )

    def metadata(self, spreadsheet_id: str, *, grid_data: bool) -> dict[str, Any]:
        client = self.get_client()
        params: dict[str, Any] = {"includeGridData": "true" if grid_data else "false"}
        return self.call(
            lambda: dict(client.http_client.fetch_sheet_metadata(spreadsheet_id, params=params)),
            spreadsheet_id=spreadsheet_id, what="read",
        )

    def batch_update(self, spreadsheet_id: str, body: dict[str, Any]) -> dict[str, Any]:
        client = self.get_client()
        return self.call(
            lambda: dict(client.http_client.batch_update(spreadsheet_id, body)),
            spreadsheet_id=spreadsheet_id, what="write",
        )


def classify_error(exc: BaseException, *, spreadsheet_id: str, email: str, conn_id: str) -> BaseException:
    """Map a gspread / google-auth / requests error to ads_sync.errors, with a message that says what to do."""
    import requests
    from google.auth.exceptions import RefreshError, TransportError
    from gspread.exceptions import APIError

    if isinstance(exc, APIError):
        code = exc.response.status_code
        error = exc.error if isinstance(exc.error, dict) else {}
        status, message = error.get("status", ""), error.get("message", str(exc))
        # google.rpc ErrorInfo in `details`, and the legacy v3-style `errors[].reason` (still sent for some
        # limits, e.g. 403 userRateLimitExceeded)
        reasons = {d.get("reason") for d in error.get("details", []) if isinstance(d, dict)}
        reasons |= {d.get("reason") for d in error.get("errors", []) if isinstance(d, dict)}
        if code in TRANSIENT_STATUS or (code == 403 and reasons & RATE_REASONS):
            retry_after = exc.response.headers.get("Retry-After")
            return TransientApiError(
                f"HTTP {code} {status}: {message}",
                retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
            )
        if code == 403 and ("SERVICE_DISABLED" in reasons or "has not been used in project" in message):
            return SheetsError(
                f"Google Sheets API is not enabled for the service account's project ({message}); "
                "enable it in the Google Cloud console, then re-run push_summaries"
            )
        if code == 403 and (reasons & SCOPE_REASONS or "insufficient authentication scopes" in message.lower()):
            return SheetsError(
                f"the token of service account {email} lacks the OAuth scope {' '.join(SCOPES)} (403: {message}); "
                f"grant that scope where the credentials of connection {conn_id!r} are made (for domain-wide "
                "delegation, in the admin console's API controls), then re-run push_summaries"
            )
        if code == 403:
            return SheetsError(
                f"Google Sheets refused spreadsheet {spreadsheet_id} (403 {status}: {message}): share the "
                f"spreadsheet with the service account {email} as an Editor, then re-run push_summaries"
            )
        if code == 404:
            return SheetsError(
                f"spreadsheet {spreadsheet_id} was not found (404): check the `sheet` id in include/accounts.yaml "
                "(the part of the sheet's URL between /d/ and /edit) and that the spreadsheet was not deleted"
            )
        if code == 401:
            return SheetsError(
                f"Google rejected the service account {email}'s credentials (401: {message}): renew the key in "
                f"Airflow connection {conn_id!r}"
            )
        if code == 400 and "already exists" in message:
            return SheetsConflict(f"spreadsheet {spreadsheet_id} changed under this push: {message}")
        return SheetsError(f"Sheets rejected the request for spreadsheet {spreadsheet_id} (HTTP {code} {status}: "
                           f"{message})")
    if isinstance(exc, RefreshError):
        if getattr(exc, "retryable", False):
            return TransientApiError(f"token refresh failed: {exc}")
        return SheetsError(
            f"could not get a token for the service account {email} ({exc}): the key in Airflow connection "
            f"{conn_id!r} was revoked or deleted; create a new key"
        )
    if isinstance(exc, requests.ConnectionError | requests.Timeout | TransportError):
        return TransientApiError(f"{type(exc).__name__}: {exc}")
    return exc
