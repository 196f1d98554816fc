"""Bookkeeping that survives every kind of failure: no sync-log row stays `running`, no account `syncing`.

- A worker killed with SIGKILL mid-extract: the next run's sweep finds the row, asks Airflow, and fails it.
- A failure outside execute() (a deferral that timed out, a trigger that failed, execution_timeout): the
  tasks' on_failure_callback records it the way Airflow calls it.
- A run Airflow still runs (a daily beside a weekly) is never swept.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from types import SimpleNamespace

import pytest

from sandbox import Fault
from tests.reliability.conftest import ROOT

ACCOUNT = "1234567890"
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"
pytestmark = pytest.mark.integration

RUN_IN_A_WORKER = textwrap.dedent("""
    import sys
    sys.path[:0] = [{plugins!r}, {root!r}]
    from airflow.dag_processing.dagbag import DagBag
    DagBag(dag_folder={dags!r}).dags[{dag!r}].test()
""")


def account():
    from ads_sync.registry import load_registry

    return load_registry(ROOT / "include" / "accounts.yaml").get(f"google_ads__{ACCOUNT}")


def runs(db) -> list[tuple]:
    return db.execute("SELECT run_id, status, error FROM ads_sync.sync_runs WHERE dag_id = %s ORDER BY id",
                      (DAG,)).fetchall()


def account_status(db) -> tuple:
    return db.execute("SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s",
                      (ACCOUNT,)).fetchone()


def wait_for(check, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.5)


def fail_in_airflow(run_id: str) -> None:
    """What the scheduler does when a task's heartbeat stops (no scheduler runs under dag.test): the task
    instance and its run end failed in Airflow's metadata."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState, TaskInstanceState

    with create_session() as session:
        run = session.query(DagRun).filter(DagRun.dag_id == DAG, DagRun.run_id == run_id).one()
        for ti in run.get_task_instances(session=session):
            if ti.state not in (TaskInstanceState.SUCCESS, TaskInstanceState.SKIPPED):
                ti.state = TaskInstanceState.FAILED
        run.state = DagRunState.FAILED


def test_worker_killed_mid_extract_is_swept_by_the_next_run(bag, db, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="google_ads", error="SLOW", customer_id=ACCOUNT, delay_s=60))
    code = RUN_IN_A_WORKER.format(plugins=str(ROOT / "plugins"), root=str(ROOT), dags=str(ROOT / "dags"), dag=DAG)
    worker = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: fresh_sandbox.requests.count(service="google_ads", customer_id=ACCOUNT) >= 1)
        killed_run = runs(db)[-1][0]
        assert runs(db)[-1][1] == "running" and account_status(db)[0] == "syncing"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    fresh_sandbox.faults.clear()
    assert runs(db)[-1][1] == "running"  # nothing of ours ran after the kill
    fail_in_airflow(killed_run)

    following = bag.dags[DAG].test()
    assert following.state == "success"
    by_id = {r[0]: r for r in runs(db)}
    assert by_id[killed_run][1] == "failed" and "abandoned" in by_id[killed_run][2]
    assert by_id[following.run_id][1] == "success"
    assert account_status(db)[0] == "idle"
    assert not [r for r in runs(db) if r[1] in ("running", "retrying")]


def test_a_run_airflow_still_runs_is_never_swept(db, migrated_warehouse) -> None:
    import psycopg

    from ads_sync import runlog, warehouse
    from ads_sync.sweep import GONE, sweep
    from ads_sync.tables import CAMPAIGNS

    with psycopg.connect(migrated_warehouse) as conn:
        for run_id in ("alive", "ended", "gone", "unknown"):
            run = runlog.RunRef(DAG, run_id, "google_ads", ACCOUNT)
            runlog.started(conn, run, run_type="manual", kind="daily", start=date(2026, 11, 1),
                           end=date(2026, 11, 7))
            warehouse.stage(conn, CAMPAIGNS, load_id=run.load_id, rows=[("c1", "Campaign", "ENABLED", "SEARCH")])
        conn.commit()
        states = {"alive": "running", "ended": "failed", "gone": GONE, "unknown": None}
        swept = sweep(conn, account(), dag_id=DAG, run_id="now", run_state=lambda d, r: states[r])
        conn.commit()
        staged = {r: bool(warehouse.load_tables(conn, runlog.RunRef.load_id_of(DAG, r))) for r in states}
    assert sorted(r for _, r in swept) == ["ended", "gone"]
    assert {r[0]: r[1] for r in runs(db)} == {"alive": "running", "ended": "failed", "gone": "failed",
                                              "unknown": "running"}
    # what the ended runs staged is dropped with them; a run that may still merge keeps its own
    assert staged == {"alive": True, "ended": False, "gone": False, "unknown": True}


@pytest.mark.parametrize("exception", ["TaskDeferralTimeout", "TaskDeferralError", "AirflowTaskTimeout"])
def test_failures_outside_execute_are_recorded_by_the_failure_callback(bag, db, fresh_sandbox, exception) -> None:
    """Airflow fails a task whose deferral timed out or whose trigger failed without running our execute():
    it calls on_failure_callback with the exception; execution_timeout raises a BaseException that passes
    our own handler. The callback (the one every task has) ends the run and the account."""
    from airflow.sdk import exceptions

    dag = bag.dags[DAG]
    extract = dag.get_task("extract")
    assert extract.on_failure_callback and extract.execution_timeout
    from ads_sync import runlog, warehouse
    from ads_sync.operators.sync import record_failure_callback

    with warehouse.connect("ads_warehouse") as conn:
        runlog.started(conn, runlog.RunRef(DAG, "deferred", "google_ads", ACCOUNT), run_type="manual",
                       kind="daily", start=date(2026, 11, 1), end=date(2026, 11, 7))
        conn.commit()
    callbacks = extract.on_failure_callback if isinstance(extract.on_failure_callback, list) \
        else [extract.on_failure_callback]
    assert record_failure_callback in callbacks
    error = getattr(exceptions, exception)("Trigger/execution timeout")
    for callback in callbacks:
        callback({"task": extract, "dag": dag, "dag_run": SimpleNamespace(run_id="deferred"),
                  "ti": SimpleNamespace(try_number=4), "exception": error})
    [(_, status, message)] = runs(db)
    assert status == "failed" and exception in message
    assert account_status(db)[0] == "failed"
