"""Issue 14: merges of different accounts never wait on each other.

Staging and final tables are shared by every account, so any self-conflicting lock a merge holds to its
commit (ANALYZE takes one) would queue every other account's merge behind it. Here one account's merge is
held open inside its transaction, after its data writes (another connection holds its run's sync-log row,
which the merge's last statement updates), while a second account's merge, on its own
connection with a lock timeout, runs both merge paths (a first load and a load that changes, adds and
removes rows) and must commit before the first one does; any wait on the first one's locks would end in
a lock timeout instead.
"""
from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.integration

HELD, FREE = "8080808080", "8181818181"
START = date(2026, 2, 1)
DAYS = 5


def account(account_id: str) -> Any:
    from ads_sync.registry import Account

    return Account(platform="google_ads", account_id=account_id, name=f"Concurrent {account_id}", timezone="UTC",
                   currency="EUR", reports=("ad_group_daily",))


def rows(groups: int, clicks: int) -> list[tuple]:
    return [(START + timedelta(days=d), f"g{g}", "c1", 100 + g, clicks, "1.500000", "2", "3.25")
            for d in range(DAYS) for g in range(groups)]


def load(conn: psycopg.Connection[Any], account_id: str, staged: list[tuple], load_id: str,
         run: Any = None) -> Any:
    from ads_sync import pipeline, warehouse
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    with conn.transaction():
        warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, rows=staged)
    return pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=account(account_id),
                          window=Window(START, START + timedelta(days=DAYS - 1), why="test"), run=run)


def test_a_merge_held_open_never_makes_another_accounts_merge_wait(
    db, migrated_warehouse: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ads_sync import runlog, warehouse

    monkeypatch.setattr(warehouse, "ANALYZE_AFTER_ROWS", 1)  # every merge refreshes statistics, as big ones do
    db.execute("DELETE FROM ads.ad_group_daily WHERE account_id IN (%s, %s)", (HELD, FREE))
    with psycopg.connect(migrated_warehouse) as first:
        load(first, HELD, rows(3, 1), "c/held/0")  # so the held merge below changes rows, not a fresh insert

    run = runlog.RunRef("concurrent", "held", "google_ads", HELD)
    locker = psycopg.connect(migrated_warehouse)
    runlog.started(locker, run, run_type="manual", kind="daily", start=START, end=START)
    locker.commit()
    locker.execute("SELECT 1 FROM ads_sync.sync_runs WHERE dag_id = %s AND run_id = %s FOR UPDATE",
                   (run.dag_id, run.run_id))
    started = threading.Event()
    failures: list[BaseException] = []
    pids: list[int] = []

    def held_merge() -> None:
        try:
            with psycopg.connect(migrated_warehouse) as conn:
                pids.append(conn.info.backend_pid)
                started.set()
                load(conn, HELD, rows(4, 2), "c/held/1", run=run)
        except BaseException as exc:  # noqa: BLE001 - reported by the test thread
            failures.append(exc)
        finally:
            started.set()

    def held_by_locker() -> bool:
        [blockers] = db.execute("SELECT pg_blocking_pids(%s)", (pids[0],)).fetchone()
        return locker.info.backend_pid in blockers

    thread = threading.Thread(target=held_merge)
    thread.start()
    try:
        assert started.wait(60) and not failures, failures
        for _ in range(1200):  # the held merge reaches the run log's row after its data writes
            if held_by_locker() or not thread.is_alive():
                break
            time.sleep(0.05)
        assert held_by_locker() and not failures, failures
        with psycopg.connect(migrated_warehouse) as other:
            other.execute("SET lock_timeout = '10s'")  # a wait on the held merge's locks ends here, as an error
            fresh = load(other, FREE, rows(4, 5), "c/free/0")
            again = load(other, FREE, rows(3, 6), "c/free/1")  # changes, removes: the delete/update/insert path
        assert thread.is_alive()  # both committed while the other merge stayed open
        assert (fresh.inserted, fresh.updated, fresh.deleted) == (4 * DAYS, 0, 0)
        assert (again.inserted, again.updated, again.deleted) == (0, 3 * DAYS, DAYS)
    finally:
        locker.rollback()
        locker.close()
        thread.join(60)
    assert not failures, failures
    counts = dict(db.execute(
        "SELECT account_id, sum(clicks) FROM ads.ad_group_daily WHERE account_id IN (%s, %s) GROUP BY 1",
        (HELD, FREE),
    ).fetchall())
    assert counts == {HELD: 4 * DAYS * 2, FREE: 3 * DAYS * 6}
    assert db.execute("SELECT status, rows_inserted, rows_updated FROM ads_sync.sync_runs WHERE run_id = 'held'"
                      ).fetchone() == ("success", DAYS, 3 * DAYS)
