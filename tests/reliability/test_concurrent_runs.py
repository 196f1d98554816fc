"""Daily, weekly and force_sync loads of one account merged at once serialize on the account's lock,
and the result equals merging them one after another."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from tests.reliability.conftest import ROOT, final_rows
from tests.staging import staging_rows

ACCOUNT = "2345678901"
pytestmark = pytest.mark.integration


def loads():
    from ads_sync.registry import load_registry
    from ads_sync.windows import Window, daily_window, weekly_window

    account = load_registry(ROOT / "include" / "accounts.yaml").get(f"google_ads__{ACCOUNT}")
    today = datetime.now(UTC).date()
    three_weeks = Window(today - timedelta(days=25), today - timedelta(days=4), "force_sync")
    windows = {"daily": daily_window(today, 7), "weekly": weekly_window(today), "force_sync": three_weeks}
    return account, windows


def stage_all(url: str) -> None:
    from ads_sync import pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.retry import RetryPolicy

    account, windows = loads()
    with psycopg.connect(url) as conn:
        for kind, window in windows.items():
            connector = connector_for(account)
            pipeline.extract(conn, connector.steps(window), load_id=f"{kind}/concurrent", account=account,
                             classify=connector.classify, policy=RetryPolicy())


def merge(url: str, kind: str) -> None:
    from ads_sync import pipeline
    from ads_sync.connectors import connector_for

    account, windows = loads()
    tables = [s.table for s in connector_for(account).steps(windows[kind])]
    with psycopg.connect(url) as conn:
        pipeline.merge(conn, tables, load_id=f"{kind}/concurrent", account=account, window=windows[kind],
                       run=None)


def test_three_kinds_at_once_serialize_and_equal_one_after_another(db, fresh_sandbox, migrated_warehouse) -> None:
    stage_all(migrated_warehouse)
    for kind in ("weekly", "force_sync", "daily"):
        merge(migrated_warehouse, kind)
    sequential = final_rows(db, ACCOUNT)
    assert sequential["ad_group_daily"]
    db.execute("TRUNCATE ads.campaigns, ads.ad_groups, ads.campaign_daily, ads.ad_group_daily")

    stage_all(migrated_warehouse)
    holder = psycopg.connect(migrated_warehouse, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtextextended(%s, 0))", (f"google_ads:{ACCOUNT}",))
    errors: list[BaseException] = []

    def run(kind: str) -> None:
        try:
            merge(migrated_warehouse, kind)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(k,)) for k in ("daily", "weekly", "force_sync")]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            waiting = db.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            ).fetchone()[0]
            if waiting == 3:
                break
            time.sleep(0.05)
        assert waiting == 3  # all three wait for the account's lock: none merges beside another
        assert final_rows(db, ACCOUNT)["ad_group_daily"] == []
    finally:
        holder.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (f"google_ads:{ACCOUNT}",))
        holder.close()
        for t in threads:
            t.join(60)
    assert errors == []
    assert final_rows(db, ACCOUNT) == sequential
    assert staging_rows(db) == 0
