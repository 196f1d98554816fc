"""One account's token is revoked while four others sync, truly at once: five DAG runs in five processes (each
its own Airflow metadata, one warehouse, one sandbox), the revocation armed after the victim's first request.
The victim ends auth_failed with its tables as they were; the four finish, and their rows equal what the same
runs load one after another without any fault."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from sandbox import Fault
from tests.reliability.conftest import ROOT, final_rows

VICTIM = ("meta", "209715200654321")
OTHERS = [("google_ads", "1234567890"), ("google_ads", "2345678901"), ("google_ads", "3456789012"),
          ("meta", "104857600123456")]
pytestmark = pytest.mark.integration

RUN = textwrap.dedent("""
    import sys
    sys.path[:0] = [{plugins!r}, {root!r}]
    from airflow.dag_processing.dagbag import DagBag
    run = DagBag(dag_folder={dags!r}).dags[{dag!r}].test()
    print(run.state)
""")


def dag_id(platform: str, account: str) -> str:
    return f"ads_sync__{platform}__{account}__daily"


def start(platform: str, account: str, home) -> subprocess.Popen:
    """A process of its own with its own copy of the migrated Airflow metadata (SQLite allows one writer)."""
    home.mkdir()
    shutil.copy(os.path.join(os.environ["AIRFLOW_HOME"], "airflow.db"), home / "airflow.db")
    env = {**os.environ, "AIRFLOW_HOME": str(home),
           "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}"}
    code = RUN.format(plugins=str(ROOT / "plugins"), root=str(ROOT), dags=str(ROOT / "dags"),
                      dag=dag_id(platform, account))
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def test_revoked_token_fails_one_account_while_four_others_finish_correctly(bag, db, fresh_sandbox, tmp_path):
    victim = VICTIM[1]
    # every account's second request answers late, so the five are syncing at once however slowly the
    # processes start (on a loaded machine one may otherwise finish before the last has begun)
    for platform, account in [VICTIM, *OTHERS]:
        fresh_sandbox.faults.add(Fault(service=platform, error="SLOW", customer_id=account, nth=2, delay_s=90))
    workers = {acc: start(platform, acc, tmp_path / acc) for platform, acc in [VICTIM, *OTHERS]}
    try:
        deadline = time.monotonic() + 900
        while db.execute("SELECT count(*) FROM ads_sync.sync_runs WHERE status = 'running'").fetchone()[0] < 5:
            assert time.monotonic() < deadline, "the five runs never ran at once"
            time.sleep(0.05)
        # revoked mid-run: every later request of this account answers code 190
        fresh_sandbox.faults.add(Fault(service="meta", error="TOKEN_EXPIRED", customer_id=victim, times=-1))
        revoked_at = db.execute("SELECT now()").fetchone()[0]
        states = {acc: w.communicate(timeout=600)[0].strip().splitlines()[-1] for acc, w in workers.items()}
    finally:
        for w in workers.values():
            if w.poll() is None:
                w.kill()
    fresh_sandbox.faults.clear()

    log = {r[0]: r[1:] for r in db.execute(
        "SELECT account_id, status, started_at, finished_at, error FROM ads_sync.sync_runs").fetchall()}
    assert set(log) == {victim, *(a for _, a in OTHERS)}
    # truly concurrent: all five were running when the token was revoked
    assert all(started < revoked_at < finished for _, started, finished, _ in log.values())

    assert "failed" in states[victim] and log[victim][0] == "failed"
    status, error = db.execute("SELECT status, last_error FROM ads_sync.account_status WHERE account_id = %s",
                               (victim,)).fetchone()
    assert status == "auth_failed" and "access token" in error
    assert all(not rows for rows in final_rows(db, victim).values())

    for _, account in OTHERS:
        assert "success" in states[account] and log[account][0] == "success", (account, log[account])
        assert db.execute("SELECT status FROM ads_sync.account_status WHERE account_id = %s",
                          (account,)).fetchone()[0] == "idle"
    concurrent = {a: final_rows(db, a) for _, a in OTHERS}
    assert all(any(rows) for rows in concurrent.values())

    # the reference: the same four runs, one after another, no fault anywhere
    db.execute("TRUNCATE ads.campaigns, ads.ad_groups, ads.ads, ads.campaign_daily, ads.ad_group_daily,"
               " ads.ad_daily")
    for platform, account in OTHERS:
        assert bag.dags[dag_id(platform, account)].test().state == "success"
    assert {a: final_rows(db, a) for _, a in OTHERS} == concurrent
