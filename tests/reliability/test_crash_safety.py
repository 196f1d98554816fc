"""A worker killed in the middle of the merge, PostgreSQL restarted in the middle of a load: the final
tables are exactly as before; the retry completes; staging keeps no orphans."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from sandbox import Fault
from tests.reliability.conftest import ROOT, final_rows
from tests.staging import staging_rows

ACCOUNT = "1234567890"
DAG = f"ads_sync__google_ads__{ACCOUNT}__daily"
LOAD = f"{DAG}/crash-test"
pytestmark = pytest.mark.integration


def account():
    from ads_sync.registry import load_registry

    return load_registry(ROOT / "include" / "accounts.yaml").get(f"google_ads__{ACCOUNT}")


def window():
    from ads_sync.windows import daily_window

    today = datetime.now(UTC).astimezone().date()
    return daily_window(today, 7)


def stage_load(url: str) -> int:
    from ads_sync import pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.retry import RetryPolicy

    connector = connector_for(account())
    with psycopg.connect(url) as conn:
        return pipeline.extract(conn, connector.steps(window()), load_id=LOAD, account=account(),
                                classify=connector.classify, policy=RetryPolicy(base_delay=0.1))


def merge_load(url: str):
    from ads_sync import pipeline
    from ads_sync.connectors import connector_for

    tables = [s.table for s in connector_for(account()).steps(window())]
    with psycopg.connect(url) as conn:
        return pipeline.merge(conn, tables, load_id=LOAD, account=account(), window=window(), run=None)


MERGE_IN_A_WORKER = textwrap.dedent("""
    import sys
    sys.path[:0] = [{plugins!r}, {root!r}]
    from tests.reliability.test_crash_safety import merge_load
    merge_load({url!r})
""")


def test_worker_killed_mid_merge_leaves_final_tables_as_they_were(bag, db, fresh_sandbox, migrated_warehouse):
    assert bag.dags[DAG].test().state == "success"
    before = final_rows(db)
    # the next day: late conversions change most rows of the window
    fresh_sandbox.set_today(fresh_sandbox.today + timedelta(days=1))
    try:
        staged = stage_load(migrated_warehouse)
    finally:
        fresh_sandbox.set_today(None)
    assert staged > 0

    # Hold one row the merge must update, so the worker stops inside its transaction, after its delete.
    blocker = psycopg.connect(migrated_warehouse)
    blocker.execute("SELECT 1 FROM ads.ad_group_daily WHERE account_id = %s FOR UPDATE", (ACCOUNT,))
    worker = subprocess.Popen(
        [sys.executable, "-c", MERGE_IN_A_WORKER.format(plugins=str(ROOT / "plugins"), root=str(ROOT),
                                                         url=migrated_warehouse)],
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            waiting = db.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND pid <> pg_backend_pid() AND query ILIKE '%update%ad_group_daily%'"
            ).fetchone()[0]
            if waiting:
                break
            assert worker.poll() is None, "the worker finished before it could be killed"
            time.sleep(0.05)
        else:
            pytest.fail("the merge never reached its UPDATE")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        blocker.rollback()
        blocker.close()
        if worker.poll() is None:
            worker.kill()

    assert final_rows(db) == before  # nothing of the killed merge is visible
    counts = merge_load(migrated_warehouse)  # the retry: the staged load is still there
    assert counts.updated > 0 and counts.deleted == 0
    assert final_rows(db) != before
    assert staging_rows(db) == 0


def test_postgres_restarted_mid_load_then_the_retry_completes(bag, db, fresh_sandbox, warehouse_server,
                                                              migrated_warehouse):
    if warehouse_server is None:
        pytest.skip("restarting PostgreSQL needs the suite's own embedded server (ADS_SYNC_TEST_DATABASE_URL is set)")
    from ads_sync import embedded

    assert bag.dags[DAG].test().state == "success"
    before = final_rows(db)
    db.close()
    # the ad group report answers slowly, so its COPY is open when the server goes down
    fresh_sandbox.faults.add(Fault(service="google_ads", error="SLOW", resource="ad_group", nth=2, delay_s=3))
    failure: list[BaseException] = []

    def load() -> None:
        try:
            stage_load(migrated_warehouse)
        except BaseException as exc:  # noqa: BLE001 - inspected below
            failure.append(exc)

    loader = threading.Thread(target=load)
    loader.start()
    time.sleep(1.5)
    embedded.stop(warehouse_server.data_dir)
    embedded.start(warehouse_server.data_dir, port=warehouse_server.port)
    loader.join(30)
    assert failure and isinstance(failure[0], psycopg.OperationalError)

    fresh_sandbox.faults.clear()
    with psycopg.connect(migrated_warehouse, autocommit=True) as conn:
        assert final_rows(conn) == before
        assert staging_rows(conn) > 0  # the steps committed before the crash, under the same load id
        # the retry: the task runs again from extract, which first clears what the crashed try staged
        assert stage_load(migrated_warehouse) > 0
        merge_load(migrated_warehouse)
        assert final_rows(conn) == before  # same day, same API answers
        assert staging_rows(conn) == 0
