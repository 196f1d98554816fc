"""After a large merge the final table's statistics are refreshed (warehouse.refresh_statistics): the row
count the planner sees and the key columns' distribution, which the next merge's joins are planned on. Only
the key columns are analyzed (include/sql/merge/analyze_final.sql); the value columns are left to autovacuum.
The figures are checked against what this test loaded, so statistics left by another test cannot pass.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.integration

ACCOUNT = "8282828282"
START = date(2026, 3, 1)
DAYS, GROUPS = 12, 1000  # 12,000 rows: past ANALYZE_AFTER_ROWS


def _merge(conn: psycopg.Connection[Any]) -> Any:
    from ads_sync import pipeline, warehouse
    from ads_sync.registry import Account
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    staged = [(START + timedelta(days=d), f"g{g}", "c1", 100 + g, 7, "1.500000", "2", "3.25")
              for d in range(DAYS) for g in range(GROUPS)]
    with conn.transaction():
        warehouse.stage(conn, AD_GROUP_DAILY, load_id="stats-1", rows=staged)
    account = Account(platform="google_ads", account_id=ACCOUNT, name="Statistics", timezone="UTC",
                      currency="EUR", reports=("ad_group_daily",))
    return pipeline.merge(conn, [AD_GROUP_DAILY], load_id="stats-1", account=account,
                          window=Window(START, START + timedelta(days=DAYS - 1), why="test"), run=None)


def test_a_large_merge_refreshes_the_key_columns_statistics(db, migrated_warehouse: str) -> None:
    from ads_sync import warehouse

    assert DAYS * GROUPS >= warehouse.ANALYZE_AFTER_ROWS
    with psycopg.connect(migrated_warehouse) as conn:
        counts = _merge(conn)
    assert counts.inserted == DAYS * GROUPS
    reltuples = db.execute("SELECT reltuples FROM pg_class WHERE oid = 'ads.ad_group_daily'::regclass").fetchone()[0]
    assert reltuples == DAYS * GROUPS  # the merge's own ANALYZE, not a guess from an empty table
    # the key columns describe this load (the table held nothing else): 12 dates, 1,000 ad groups, one account
    # (TRUNCATE keeps old statistics, so stale ones would show another test's data)
    analyzed = {r[0]: (r[1], r[2]) for r in db.execute(
        "SELECT attname, n_distinct, most_common_vals::text FROM pg_stats"
        " WHERE schemaname = 'ads' AND tablename = 'ad_group_daily'"
    ).fetchall()}
    assert {"platform", "account_id", "date", "ad_group_id"} <= set(analyzed)
    assert analyzed["account_id"] == (1, "{" + ACCOUNT + "}")
    assert analyzed["date"][0] == DAYS
    assert analyzed["ad_group_id"][0] in (GROUPS, -GROUPS / (DAYS * GROUPS))
