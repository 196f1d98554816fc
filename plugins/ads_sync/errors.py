"""What can go wrong talking to an ad API, classified once so every caller reacts the same way.

Permanent failures subclass AirflowFailException: Airflow then does not retry the task, which is what
an expired token, a missing permission or a bad query want. Transient ones are retried inside the hook
with backoff and, past that, by Airflow's task retries.
"""
from __future__ import annotations

from airflow.sdk.exceptions import AirflowFailException


class TransientApiError(Exception):
    """Worth retrying: the service was unavailable, slow, or asked us to back off."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthFailure(AirflowFailException):
    """Credentials rejected or permission missing: renew or grant, retrying cannot help."""


class QuotaExhausted(AirflowFailException):
    """A quota that resets in hours: stop now instead of holding a worker, say when it resets."""


class InvalidRequest(AirflowFailException):
    """The API rejected the request itself (a query, a parameter): a bug or a bad registry entry."""


class BadApiData(AirflowFailException):
    """The API answered with rows we refuse to load (a duplicate key, a negative cost, a date outside
    the window): the same request would answer the same, so fail now; nothing was merged."""


class InvalidConf(AirflowFailException):
    """A DAG-run conf that cannot be turned into a window: nothing was requested or written."""


class UnsupportedApiVersion(AirflowFailException):
    """The platform says the API version we call is turned off: only an upgrade of ads-sync (and its
    client library) helps, so never retry; the message names the version and its sunset date."""
