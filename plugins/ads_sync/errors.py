"""What can go wrong in a sync, classified once so every caller reacts the same way. Every exception class
of the sync path lives here, and each says whether Airflow should retry it.

Permanent failures subclass AirflowFailException: Airflow then does not retry the task, which is what
an expired token, a missing permission or a bad query want. Transient ones are retried inside the hook
with backoff and, past that, by Airflow's task retries (plain exceptions). AccountDisabled is a skip:
the platform says the account is cancelled or suspended, so the run is neither a failure nor retried.
"""
from __future__ import annotations

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException


class TransientApiError(Exception):
    """Worth retrying (inside the hook): the service was unavailable, slow, or asked us to back off."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetriesExhausted(Exception):
    """A request kept failing transiently through every retry inside the hook. Not a TransientApiError,
    so the pipeline does not retry the whole step again; Airflow's task retries take over."""


class Throttled(Exception):
    """The API asks to wait longer than is worth sleeping in a worker, but not hours: a deferrable task
    defers for `seconds` (no worker slot held) and then starts again; elsewhere Airflow retries it."""

    def __init__(self, message: str, *, seconds: float) -> None:
        super().__init__(message)
        self.seconds = seconds


class TooMuchData(Exception):
    """The API refused a request as too large or timed out computing it ("reduce the amount of data"):
    the caller asks again for less (a shorter window, fewer campaigns). Retried by Airflow if it escapes."""


class AmbiguousSubmit(AirflowFailException):
    """A request that creates something (a Meta report run) failed in a way that does not prove nothing
    was created: it is not sent again, so a retry never makes a second one; the next run loads the window."""


class JobsExhausted(Exception):
    """An async report or a shrinking request was split as far as it goes and still failed: never given up
    silently; Airflow retries the task later."""


class AuthFailure(AirflowFailException):
    """Credentials rejected or permission missing: renew or grant, retrying cannot help."""


class AccountDisabled(AirflowSkipException):
    """The platform says the account is cancelled, suspended or not yet enabled: the run is skipped, not
    failed (every day would fail the same), and the account's status becomes `disabled`."""


class QuotaExhausted(AirflowFailException):
    """A quota that resets in hours: stop now instead of holding a worker, say when it resets."""


class InvalidRequest(AirflowFailException):
    """The API rejected the request itself (a query, a parameter): a bug or a bad registry entry."""


class BadApiData(AirflowFailException):
    """The API answered with rows we refuse to load (a duplicate key, a negative cost, a date outside
    the window): the same request would answer the same, so fail now; nothing was merged."""


class StagingMissing(AirflowFailException):
    """The merge found no staging table of its load: nothing to merge, and merging "nothing" would empty
    the window. Retrying the merge cannot help; the extract must run again."""


class RowError(BadApiData):
    """One API row that cannot be loaded as it is (the row and field are in the message)."""


class GraphResponseError(Exception):
    """A Graph answer the SDK lets through as a success although it is none (a page that is not JSON, or
    cut off); classified by the Meta hook."""

    def __init__(self, status: int, text: str) -> None:
        import json

        super().__init__(f"HTTP {status}: {text[:200]!r}")
        self.status = status
        try:
            json.loads(text)
            #: the body is whole JSON, only not the object Graph sends (so not a page cut off in transit)
            self.is_json = True
        except ValueError:
            self.is_json = False


class SheetsError(AirflowFailException):
    """Sheets refused for a reason retrying cannot fix: the message says what to change."""


class SheetsConflict(SheetsError):
    """Another push changed the spreadsheet's worksheets between our read and our write (two runs of
    one account adding the same worksheet): read again and plan again."""


class InvalidConf(AirflowFailException):
    """A DAG-run conf that cannot be turned into a window: nothing was requested or written."""


class UnsupportedApiVersion(AirflowFailException):
    """The platform says the API version we call is turned off: only an upgrade of ads-sync (and its
    client library) helps, so never retry; the message names the version and its sunset date."""


#: what a trigger sends back in its event (`kind`) for an error, and what the task raises for it: one table,
#: so the triggerer and the worker cannot drift apart
EVENT_ERRORS: dict[str, type[Exception]] = {
    "auth": AuthFailure,
    "invalid": InvalidRequest,
    "quota": QuotaExhausted,
    "disabled": AccountDisabled,
    "bad_data": BadApiData,
    "version": UnsupportedApiVersion,
    "retry": RetriesExhausted,
}


def event_kind(exc: BaseException) -> str:
    """The event kind of an error raised in a trigger ("retry" for anything not classified)."""
    for kind, cls in EVENT_ERRORS.items():
        if isinstance(exc, cls):
            return kind
    return "retry"


def from_event(kind: str, message: str) -> Exception:
    """The exception a resumed task raises for a trigger's error event."""
    return EVENT_ERRORS.get(kind, RetriesExhausted)(message)
