"""The run log: ads_sync.sync_runs (one row per DAG run) and ads_sync.account_status (one per account).

The one owner of both tables' writes: operators, the merge and the sweep say what happened to a run
through one function per event, and the SQL lives in include/sql/bookkeeping/. Each event is one
transaction of its own, or a savepoint of the caller's when one is open, so `finished` commits with
the merge that calls it or not at all.

Error texts are `Type: message`, cut at ERROR_LIMIT. Secrets never reach them: the hooks scrub what
the platforms answer before they raise (hooks/meta.py `scrub`), and nothing here adds to the message.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ads_sync import warehouse

if TYPE_CHECKING:
    from datetime import date

    import psycopg

    from ads_sync.warehouse import MergeCounts

#: the longest error text stored (a platform's error can carry a whole response)
ERROR_LIMIT = 2000
PushStatus = Literal["running", "success", "skipped", "failed", "retrying"]


@dataclass(frozen=True)
class RunRef:
    """Which rows an event writes: the run's (dag_id, run_id) and its account's (platform, account_id).

    A run id alone repeats across DAGs (scheduled__<date>), hence the pair.
    """

    dag_id: str
    run_id: str
    platform: str
    account_id: str

    @property
    def run(self) -> dict[str, str]:
        return {"dag_id": self.dag_id, "run_id": self.run_id}

    @staticmethod
    def load_id_of(dag_id: str, run_id: str) -> str:
        """The run's staging tag (warehouse.staging_name): run ids repeat across DAGs, so with the DAG."""
        return f"{dag_id}/{run_id}"

    @property
    def load_id(self) -> str:
        return self.load_id_of(self.dag_id, self.run_id)

    @property
    def account(self) -> dict[str, str]:
        return {"platform": self.platform, "account_id": self.account_id}


def error_text(exc: BaseException) -> str:
    """What the log stores for a failure: the exception's type and message, cut to ERROR_LIMIT."""
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


def _run(conn: psycopg.Connection[Any], name: str, params: dict[str, Any]) -> int:
    return warehouse.run_sql(conn, f"bookkeeping/{name}.sql", params)


def started(
    conn: psycopg.Connection[Any], ref: RunRef, *, run_type: str, kind: str, start: date, end: date
) -> None:
    """The window is resolved: the run is `running` (a retried run's row is reset: counts, error, end) and
    the account `syncing`, before the first API request, so a run that dies from here on is seen."""
    with conn.transaction():
        _run(conn, "start_run", {**ref.run, **ref.account, "run_type": run_type, "kind": kind,
                                 "start": start, "end": end})
        _run(conn, "account_attempted", ref.account)


def extract_recorded(conn: psycopg.Connection[Any], ref: RunRef, *, api_requests: int, rows_extracted: int) -> None:
    """The extract staged its rows: how many, and the API requests it took (a retry's count replaces
    the last try's, as its staging does)."""
    with conn.transaction():
        _run(conn, "record_extract", {**ref.run, "api_requests": api_requests, "rows_extracted": rows_extracted})


def finished(conn: psycopg.Connection[Any], ref: RunRef, counts: MergeCounts) -> None:
    """The merge wrote the window: the run `success` with its row counts, the account `idle`.

    Called by pipeline.merge inside its transaction: a merge that rolls back leaves no `success`."""
    with conn.transaction():
        _run(conn, "finish_run", {**ref.run, **counts.as_dict()})
        _run(conn, "account_completed", {**ref.account, "changed": counts.changed})


def failed(conn: psycopg.Connection[Any], ref: RunRef, exc: BaseException, *, final: bool) -> None:
    """A task of the run failed. Not final (Airflow retries it): the run is `retrying` and the account
    stays `syncing`. Final: the run `failed`, the account `failed` (`auth_failed` for credentials, which
    only a person can fix), both with the error."""
    from ads_sync.errors import AuthFailure

    message = error_text(exc)
    with conn.transaction():
        _run(conn, "fail_run", {**ref.run, "status": "failed" if final else "retrying", "error": message})
        if final:
            _run(conn, "account_failed", {**ref.account, "error": message,
                                          "status": "auth_failed" if isinstance(exc, AuthFailure) else "failed"})


def disabled(conn: psycopg.Connection[Any], ref: RunRef, reason: BaseException) -> None:
    """The platform says the account is disabled: the run is `skipped` (not failed, nothing to retry) and
    the account `disabled`, with the platform's words."""
    message = str(reason)[:ERROR_LIMIT]
    with conn.transaction():
        _run(conn, "skip_run", {**ref.run, "error": message})
        _run(conn, "account_disabled", {**ref.account, "error": message})


def api_requests_added(conn: psycopg.Connection[Any], ref: RunRef, requests: int) -> None:
    """Requests a task made after the extract (the reconciliation's), added to the run's count."""
    with conn.transaction():
        _run(conn, "add_api_requests", {**ref.run, "api_requests": requests})


def push_recorded(
    conn: psycopg.Connection[Any], ref: RunRef, status: PushStatus, *, error: BaseException | None = None,
    requests: int | None,
) -> None:
    """The push of the run's summaries, beside its load: a failed push leaves the run `success` and the
    account as it is. `requests` None (the failure callback cannot count) keeps the count stored."""
    with conn.transaction():
        _run(conn, "record_push", {**ref.run, "push_status": status, "push_requests": requests,
                                   "push_error": None if error is None else error_text(error)})


def unfinished(conn: psycopg.Connection[Any], ref: RunRef) -> list[tuple[RunRef, str]]:
    """The account's other runs the log still calls `running` or `retrying`, with that status, oldest
    first: what the sweep at `ref`'s start asks Airflow about."""
    rows = conn.execute(warehouse.sql_text("bookkeeping/unfinished_runs.sql"), {**ref.run, **ref.account})
    return [(RunRef(dag_id, run_id, ref.platform, ref.account_id), status) for dag_id, run_id, status, _ in rows]


def abandoned(conn: psycopg.Connection[Any], ref: RunRef, why: str) -> None:
    """A run Airflow ended without our code recording it (a worker killed, a deferral timed out): the
    run `failed` and an account it left `syncing` `failed`, with why. Rows already ended stay as they are."""
    with conn.transaction():
        _run(conn, "abandon_run", {**ref.run, "error": why})
        _run(conn, "account_abandoned", {**ref.account, "error": why})
