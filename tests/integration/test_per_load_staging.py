"""Each load stages into tables of its own (migration 013): loads of different accounts never meet, a
merged or failed load leaves no table behind, and a merge whose staging is gone refuses instead of
reading "nothing staged" as "the API returned nothing" (which would empty the window)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import psycopg
import pytest

pytestmark = pytest.mark.integration

START = date(2026, 5, 1)
DAYS = 4


def account(account_id: str) -> Any:
    from ads_sync.registry import Account

    return Account(platform="google_ads", account_id=account_id, name=f"Staging {account_id}", timezone="UTC",
                   currency="EUR", reports=("ad_group_daily",), conn_id="google_ads_default")


def window() -> Any:
    from ads_sync.windows import Window

    return Window(START, START + timedelta(days=DAYS - 1), why="test")


def rows(groups: int, clicks: int) -> list[tuple]:
    return [(START + timedelta(days=d), f"g{g}", "c1", 100, clicks, "1.250000", "2", "3.5")
            for d in range(DAYS) for g in range(groups)]


def stage(conn: psycopg.Connection[Any], load_id: str, staged: list[tuple]) -> None:
    from ads_sync import warehouse
    from ads_sync.tables import AD_GROUP_DAILY

    with conn.transaction():
        warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, rows=staged)


def merge(conn: psycopg.Connection[Any], load_id: str, account_id: str) -> Any:
    from ads_sync import pipeline
    from ads_sync.tables import AD_GROUP_DAILY

    return pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=account(account_id), window=window(),
                          run=None)


def final(db: Any, account_id: str) -> list[tuple]:
    return db.execute("SELECT date, ad_group_id, clicks, cost FROM ads.ad_group_daily WHERE account_id = %s"
                      " ORDER BY 1, 2", (account_id,)).fetchall()


def test_two_accounts_staged_at_once_each_merge_only_their_own_rows(db, migrated_warehouse) -> None:
    from ads_sync import warehouse

    with psycopg.connect(migrated_warehouse) as conn:
        stage(conn, "t/a", rows(3, 5))
        stage(conn, "t/b", rows(2, 7))
        assert len(set(warehouse.load_tables(conn))) == 2
        assert merge(conn, "t/a", "1000000001").inserted == 3 * DAYS
        # the merged load's table went with its commit; the other load's is untouched
        assert warehouse.load_tables(conn, "t/a") == []
        assert len(warehouse.load_tables(conn, "t/b")) == 1
        assert merge(conn, "t/b", "1000000002").inserted == 2 * DAYS
        assert warehouse.load_tables(conn) == []
    assert [r[2] for r in final(db, "1000000001")] == [5] * (3 * DAYS)
    assert [r[2] for r in final(db, "1000000002")] == [7] * (2 * DAYS)
    assert {r[3] for r in final(db, "1000000001")} == {Decimal("1.25")}


def test_a_merge_whose_staging_is_gone_refuses_and_keeps_the_window(db, migrated_warehouse) -> None:
    from ads_sync import warehouse
    from ads_sync.errors import StagingMissing

    with psycopg.connect(migrated_warehouse) as conn:
        stage(conn, "t/first", rows(2, 5))
        merge(conn, "t/first", "1000000003")
        before = final(db, "1000000003")
        coverage = db.execute("SELECT date, rows, load_id FROM ads_sync.coverage WHERE account_id = '1000000003'"
                              " ORDER BY 1").fetchall()
        stage(conn, "t/second", rows(2, 9))
        with conn.transaction():
            assert warehouse.clear_staging(conn, "t/second")  # a failed try dropped it, or an upgrade did
        with pytest.raises(StagingMissing, match="t/second has no staged ad_group_daily"):
            merge(conn, "t/second", "1000000003")
    assert final(db, "1000000003") == before and len(before) == 2 * DAYS
    assert db.execute("SELECT date, rows, load_id FROM ads_sync.coverage WHERE account_id = '1000000003'"
                      " ORDER BY 1").fetchall() == coverage


def test_an_empty_answer_is_a_staged_table_with_no_rows_and_empties_the_window(db, migrated_warehouse) -> None:
    """The API answering nothing for the window (every ad group removed) still stages: an empty table."""
    with psycopg.connect(migrated_warehouse) as conn:
        stage(conn, "t/full", rows(2, 5))
        merge(conn, "t/full", "1000000004")
        stage(conn, "t/empty", [])
        counts = merge(conn, "t/empty", "1000000004")
    assert counts.deleted == 2 * DAYS and final(db, "1000000004") == []


def test_a_try_that_starts_again_drops_every_table_of_its_load_and_no_other(db, migrated_warehouse) -> None:
    from ads_sync import warehouse
    from ads_sync.tables import AD_GROUP_DAILY, CAMPAIGNS

    with psycopg.connect(migrated_warehouse) as conn:
        stage(conn, "t/retry", rows(1, 1))
        with conn.transaction():
            warehouse.stage(conn, CAMPAIGNS, load_id="t/retry", rows=[("c1", "One", "ENABLED", "SEARCH")])
        stage(conn, "t/other", rows(1, 1))
        with conn.transaction():
            dropped = warehouse.clear_staging(conn, "t/retry")
        assert sorted(dropped) == sorted(warehouse.staging_name(t, "t/retry") for t in (CAMPAIGNS, AD_GROUP_DAILY))
        assert warehouse.load_tables(conn) == warehouse.load_tables(conn, "t/other")
        with conn.transaction():
            warehouse.clear_staging(conn, "t/other")


def test_long_custom_report_names_get_distinct_staging_names_within_postgres_limit() -> None:
    from ads_sync import warehouse
    from ads_sync.reports import custom

    a = custom.table_of("a" * 34 + "_clicks", ("date", "campaign_id"), ("clicks",))
    b = custom.table_of("a" * 34 + "_visits", ("date", "campaign_id"), ("clicks",))
    names = {warehouse.staging_name(t, "ads_sync__google_ads__1234567890__force_sync/manual__2026") for t in (a, b)}
    assert len(names) == 2 and all(len(n) <= 63 for n in names)


def test_an_entity_table_the_load_did_not_stage_merges_nothing_and_keeps_the_entities(db, migrated_warehouse) -> None:
    """An intraday run asks for entities only when today's facts name a new one: entities are upserted,
    never deleted, so a load without them has nothing to merge there (facts without staging refuse)."""
    from ads_sync import pipeline, warehouse
    from ads_sync.tables import AD_GROUP_DAILY, CAMPAIGNS

    with psycopg.connect(migrated_warehouse) as conn:
        with conn.transaction():
            warehouse.stage(conn, CAMPAIGNS, load_id="t/entities", rows=[("c1", "One", "ENABLED", "SEARCH")])
        stage(conn, "t/entities", rows(1, 1))
        pipeline.merge(conn, [CAMPAIGNS, AD_GROUP_DAILY], load_id="t/entities", account=account("1000000005"),
                       window=window(), run=None)
        stage(conn, "t/facts-only", rows(1, 2))
        counts = pipeline.merge(conn, [CAMPAIGNS, AD_GROUP_DAILY], load_id="t/facts-only",
                                account=account("1000000005"), window=window(), run=None)
    assert counts.as_dict() == {"inserted": 0, "updated": DAYS, "unchanged": 0, "deleted": 0}
    campaigns = db.execute("SELECT id, name FROM ads.campaigns WHERE account_id = '1000000005'").fetchall()
    assert campaigns == [("c1", "One")]


def test_upgrading_turns_the_shared_tables_into_empty_templates(warehouse_url) -> None:
    """Migration 013 on a warehouse of migration 012 with rows staged the old way (tags and an index, a
    custom report's staging table too): every staging table loses its tags, index and rows; loads then
    stage and merge into tables of their own."""
    from ads_sync import warehouse

    scratch = "ads_sync_upgrade_013"
    with psycopg.connect(warehouse_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {scratch}")
        admin.execute(f"CREATE DATABASE {scratch}")
    url = psycopg.conninfo.make_conninfo(warehouse_url, dbname=scratch)
    try:
        with psycopg.connect(url) as conn:
            conn.execute("CREATE SCHEMA ads_sync")
            conn.execute("CREATE TABLE ads_sync.schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
                         " applied_at timestamptz NOT NULL DEFAULT now())")
            for version, name in warehouse.migrations():
                if version < 13:
                    conn.execute(warehouse.sql_text(f"schema/{name}").encode())
                    conn.execute("INSERT INTO ads_sync.schema_migrations (version, name) VALUES (%s, %s)",
                                 (version, name))
            conn.execute("INSERT INTO ads_staging.ad_group_daily VALUES ('old/run', 'google_ads', '1', '2026-05-01',"
                         " 'g1', 'c1', 1, 1, 1, 1, 1)")
            conn.execute("CREATE UNLOGGED TABLE ads_staging.ads_custom__old (load_id text NOT NULL, platform text"
                         " NOT NULL, account_id text NOT NULL, clicks bigint)")
            conn.execute("CREATE INDEX ads_custom__old_load_id ON ads_staging.ads_custom__old (load_id)")
            conn.execute("INSERT INTO ads_staging.ads_custom__old VALUES ('old/run', 'google_ads', '1', 3)")
            conn.commit()
            assert warehouse.migrate(conn) == ["013_per_load_staging.sql"]
            tagged = conn.execute("SELECT table_name FROM information_schema.columns WHERE table_schema ="
                                  " 'ads_staging' AND column_name IN ('load_id', 'platform', 'account_id')").fetchall()
            indexes = conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'ads_staging'").fetchall()
            custom_columns = conn.execute("SELECT column_name FROM information_schema.columns WHERE table_schema ="
                                          " 'ads_staging' AND table_name = 'ads_custom__old'").fetchall()
            assert (tagged, indexes, custom_columns) == ([], [], [("clicks",)])
            for table in ("ad_group_daily", "ads_custom__old"):
                assert conn.execute(f"SELECT count(*) FROM ads_staging.{table}").fetchone()[0] == 0
            stage(conn, "new/run", rows(2, 4))
            assert merge(conn, "new/run", "1000000006").inserted == 2 * DAYS
            assert warehouse.load_tables(conn) == []
    finally:
        with psycopg.connect(warehouse_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {scratch} WITH (FORCE)")


def test_a_loads_staging_table_is_never_autovacuumed(db, migrated_warehouse) -> None:
    """Autovacuum picks a freshly loaded table next; its lock would make the merge's DROP wait (issue 14)."""
    from ads_sync import warehouse
    from ads_sync.tables import AD_GROUP_DAILY

    with psycopg.connect(migrated_warehouse) as conn:
        stage(conn, "t/vacuum", rows(1, 1))
        options = conn.execute("SELECT c.reloptions, t.reloptions FROM pg_class AS c LEFT JOIN pg_class AS t"
                               " ON t.oid = c.reltoastrelid WHERE c.oid = %s::regclass",
                               (f"ads_staging.{warehouse.staging_name(AD_GROUP_DAILY, 't/vacuum')}",)).fetchone()
        with conn.transaction():
            warehouse.clear_staging(conn, "t/vacuum")
    assert options[0] == ["autovacuum_enabled=false"]
    assert options[1] in (None, ["autovacuum_enabled=false"])  # a table of fixed-width columns has no toast
