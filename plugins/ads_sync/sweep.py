"""The sweep at a run's start: sync-log rows left `running` by runs that ended without saying so.

A worker killed with SIGKILL, a deferral that timed out or a trigger that failed ends the Airflow run
without our code running (the failure callback covers most of these, but a callback can be lost with its
process too). Each run therefore starts by asking Airflow, for every other run of its account that the
sync log still calls running, whether that run is alive; those Airflow has finished are marked failed,
with why, an account left `syncing` by them becomes `failed`, and what they staged is dropped. Asking
Airflow, rather than guessing from age or from the DAG's max_active_runs, keeps it exact for concurrent
runs (a daily beside a weekly, a backfill with --max-active-runs).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ads_sync import runlog, warehouse

if TYPE_CHECKING:
    import psycopg

    from ads_sync.registry import Account

log = logging.getLogger(__name__)
#: Airflow dag-run states in which the run can still record its own end
ALIVE = frozenset({"queued", "running"})
#: what the state lookup returns for a run Airflow no longer knows
GONE = "gone"


def sweep(
    conn: psycopg.Connection[Any],
    account: Account,
    *,
    dag_id: str,
    run_id: str,
    run_state: Callable[[str, str], str | None],
) -> list[tuple[str, str]]:
    """Mark the account's abandoned runs failed; return their (dag_id, run_id). `run_state` answers an
    Airflow run's state (GONE when Airflow has no such run, None when it cannot tell: left alone)."""
    starting = runlog.RunRef(dag_id=dag_id, run_id=run_id, platform=account.platform, account_id=account.account_id)
    abandoned = []
    for ref, status in runlog.unfinished(conn, starting):
        state = run_state(ref.dag_id, ref.run_id)
        if state is None or state in ALIVE:
            continue
        error = (f"abandoned: the sync log said {status}, but Airflow's run ended "
                 f"{'(it no longer exists)' if state == GONE else state!r} without recording its end "
                 "(a worker killed, a deferral timed out or a trigger failed); found by the next run's start")
        runlog.abandoned(conn, ref, error)
        warehouse.clear_staging(conn, ref.load_id)  # what it staged: its merge will never come
        log.warning("Run %s/%s of %s: %s", ref.dag_id, ref.run_id, account.key, error)
        abandoned.append((ref.dag_id, ref.run_id))
    return abandoned


def airflow_run_state(ti: Any) -> Callable[[str, str], str | None]:
    """The lookup through the running task's own channel to Airflow (the Task SDK's get_dagrun_state)."""

    def state(dag_id: str, run_id: str) -> str | None:
        try:
            found = ti.get_dagrun_state(dag_id=dag_id, run_id=run_id)
            # a DagRunState (a str Enum): str() of it is "DagRunState.RUNNING", never in ALIVE
            return str(getattr(found, "value", found))
        except Exception as exc:  # noqa: BLE001 - an unknown state leaves the row alone
            if "not found" in str(exc).lower() or "not_found" in str(exc).lower():
                return GONE
            log.warning("Could not ask Airflow for the state of %s/%s: %s", dag_id, run_id, exc)
            return None

    return state
