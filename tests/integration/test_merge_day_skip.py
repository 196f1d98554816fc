"""Issue 15: the merge skips days whose fingerprint did not change, and the skip never hides a change.

A seeded random walk (hypothesis is not in the lock): a model "platform" holds an account's ad-group
days; every round edits random days (rows inserted, updated, deleted, a day emptied, a day refilled,
a number re-spelled without changing its value), sometimes tampers with the final table by hand, then
loads a random window through the real staging COPY and merge. After every round the final table must
equal the model exactly, and the counts must be exactly what changed. A second test drives the real
connector against the sandbox and compares the final table with what the platform serves.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest

pytestmark = pytest.mark.integration

ACCOUNT = "9090909090"
FIRST = date(2026, 1, 1)
DAYS = 21
GROUPS = [f"g{i}" for i in range(12)]

Key = tuple[date, str]
Values = tuple[str, int, int, Decimal, Decimal, Decimal]


def account():
    from ads_sync.registry import Account

    return Account(platform="google_ads", account_id=ACCOUNT, name="Skip test", timezone="UTC", currency="EUR",
                   reports=("ad_group_daily",))


def random_values(rng: random.Random) -> Values:
    return (f"c{rng.randint(1, 3)}", rng.randint(0, 10_000), rng.randint(0, 300),
            Decimal(rng.randint(0, 10**8)) / 10**6, Decimal(rng.randint(0, 10**4)) / 100,
            Decimal(rng.randint(0, 10**6)) / 100)


def edit(rng: random.Random, platform: dict[Key, Values]) -> None:
    """Random edits to random days of the model platform."""
    for _ in range(rng.randint(0, 4)):
        day = FIRST + timedelta(days=rng.randrange(DAYS))
        keys = [k for k in platform if k[0] == day]
        action = rng.choice(["insert", "update", "delete", "empty", "refill", "update_one_field"])
        if action == "insert" or (action in ("update", "delete", "update_one_field") and not keys):
            for group in rng.sample(GROUPS, rng.randint(1, 3)):
                platform.setdefault((day, group), random_values(rng))
        elif action == "update":
            for key in rng.sample(keys, rng.randint(1, len(keys))):
                platform[key] = random_values(rng)
        elif action == "update_one_field":  # the smallest change: one conversion more, one cent more
            key = rng.choice(keys)
            v = list(platform[key])
            i = rng.choice([1, 2, 3, 4, 5])
            v[i] = v[i] + (1 if i < 3 else Decimal("0.01"))
            platform[key] = tuple(v)  # type: ignore[assignment]
        elif action == "delete":
            for key in rng.sample(keys, rng.randint(1, len(keys))):
                del platform[key]
        elif action == "empty":
            for key in keys:
                del platform[key]
        else:
            for group in GROUPS:
                platform[(day, group)] = random_values(rng)


def staged_rows(rng: random.Random, platform: dict[Key, Values], start: date, end: date) -> list[tuple]:
    """The window's rows as the API would stream them: in any order, numbers sometimes spelled differently."""
    rows = []
    for (day, group), (campaign, imp, clicks, cost, conv, value) in platform.items():
        if start <= day <= end:
            spelled = f"{cost:.6f}" if rng.random() < 0.5 else str(cost.normalize())
            rows.append((day, group, campaign, imp, clicks, spelled, str(conv), str(value)))
    rng.shuffle(rows)
    return rows


def final_state(db) -> dict[Key, Values]:
    rows = db.execute(
        "SELECT date, ad_group_id, campaign_id, impressions, clicks, cost, conversions, conversion_value"
        " FROM ads.ad_group_daily WHERE account_id = %s", (ACCOUNT,)
    ).fetchall()
    return {(r[0], r[1]): tuple(r[2:]) for r in rows}  # type: ignore[misc]


def load(url: str, rows: list[tuple], start: date, end: date, load_id: str):
    from ads_sync import pipeline, warehouse
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    with psycopg.connect(url) as conn:
        with conn.transaction():
            warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, rows=rows)
        return pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=account(),
                              window=Window(start, end, why="test"), run=None)


def tamper(rng: random.Random, db, expected: dict[Key, Values]) -> None:
    """A hand-made write to the final table, outside any load (the guard must make the next load repair it)."""
    key = rng.choice(sorted(expected))
    if rng.random() < 0.5:
        db.execute("DELETE FROM ads.ad_group_daily WHERE account_id = %s AND date = %s AND ad_group_id = %s",
                   (ACCOUNT, *key))
        del expected[key]
    else:
        db.execute("UPDATE ads.ad_group_daily SET clicks = clicks + 7 WHERE account_id = %s AND date = %s"
                   " AND ad_group_id = %s", (ACCOUNT, *key))
        v = list(expected[key])
        v[2] += 7
        expected[key] = tuple(v)  # type: ignore[assignment]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_edits_to_random_days_are_always_merged_exactly(db, migrated_warehouse, seed: int) -> None:
    rng = random.Random(seed)
    platform: dict[Key, Values] = {}
    for day in range(DAYS):
        for group in rng.sample(GROUPS, rng.randint(0, len(GROUPS))):
            platform[(FIRST + timedelta(days=day), group)] = random_values(rng)
    expected: dict[Key, Values] = {}
    skipped_some = False
    for round_ in range(30):
        if round_:
            edit(rng, platform)
        if expected and rng.random() < 0.15:
            tamper(rng, db, expected)
        a, b = sorted(rng.randrange(DAYS) for _ in range(2))
        start, end = (FIRST, FIRST + timedelta(days=DAYS - 1)) if round_ == 0 else (
            FIRST + timedelta(days=a), FIRST + timedelta(days=b))
        window = {k: v for k, v in platform.items() if start <= k[0] <= end}
        before = {k: v for k, v in expected.items() if start <= k[0] <= end}
        counts = load(migrated_warehouse, staged_rows(rng, platform, start, end), start, end, f"t/{seed}/{round_}")

        expected = {k: v for k, v in expected.items() if not start <= k[0] <= end} | window
        assert final_state(db) == expected, f"seed {seed} round {round_}"
        assert counts.as_dict() == {
            "inserted": len(window.keys() - before.keys()),
            "updated": sum(1 for k in window.keys() & before.keys() if window[k] != before[k]),
            "unchanged": sum(1 for k in window.keys() & before.keys() if window[k] == before[k]),
            "deleted": len(before.keys() - window.keys()),
        }, f"seed {seed} round {round_}"
        skipped_some = skipped_some or db.execute(
            "SELECT count(*) FROM ads_sync.day_hashes WHERE account_id = %s AND load_id <> %s",
            (ACCOUNT, f"t/{seed}/{round_}")).fetchone()[0] > 0
    assert skipped_some  # the walk did exercise the skip, not only full merges


def test_unchanged_resync_writes_no_fingerprint_and_a_changed_day_only_its_own(db, migrated_warehouse) -> None:
    rng = random.Random(7)
    platform = {(FIRST + timedelta(days=d), g): random_values(rng) for d in range(DAYS) for g in GROUPS}
    end = FIRST + timedelta(days=DAYS - 1)
    load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/1")
    stored = db.execute("SELECT date, load_id FROM ads_sync.day_hashes ORDER BY date").fetchall()
    assert [d for d, _ in stored] == [FIRST + timedelta(days=d) for d in range(DAYS)]

    counts = load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/2")
    assert (counts.inserted, counts.updated, counts.deleted, counts.unchanged) == (0, 0, 0, len(platform))
    assert {lid for _, lid in db.execute("SELECT date, load_id FROM ads_sync.day_hashes").fetchall()} == {"t/1"}
    # the coverage ledger still records the re-read of every day, skipped or not
    assert db.execute("SELECT count(*) FROM ads_sync.coverage WHERE load_id = 't/2'").fetchone()[0] == DAYS

    day = FIRST + timedelta(days=5)
    v = list(platform[(day, "g3")])
    v[4] += Decimal("0.000001")
    platform[(day, "g3")] = tuple(v)  # type: ignore[assignment]
    counts = load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/3")
    assert (counts.updated, counts.unchanged) == (1, len(platform) - 1)
    assert db.execute("SELECT date FROM ads_sync.day_hashes WHERE load_id = 't/3'").fetchall() == [(day,)]
    assert final_state(db) == platform


def test_a_hand_made_write_makes_the_next_load_merge_everything(db, migrated_warehouse) -> None:
    rng = random.Random(8)
    platform = {(FIRST + timedelta(days=d), g): random_values(rng) for d in range(DAYS) for g in GROUPS}
    end = FIRST + timedelta(days=DAYS - 1)
    load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/1")
    db.execute("DELETE FROM ads.ad_group_daily WHERE account_id = %s AND date = %s", (ACCOUNT, FIRST))
    assert db.execute("SELECT count(*) FROM ads_sync.day_hashes").fetchone()[0] == 0
    counts = load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/2")
    assert counts.inserted == len(GROUPS)
    assert final_state(db) == platform


def test_staged_rows_outside_the_window_are_refused(db, migrated_warehouse) -> None:
    from ads_sync.errors import BadApiData

    rows = [(FIRST, "g1", "c1", 1, 1, "1", "0", "0"), (FIRST + timedelta(days=3), "g1", "c1", 1, 1, "1", "0", "0")]
    with pytest.raises(BadApiData, match="outside the window"):
        load(migrated_warehouse, rows, FIRST, FIRST + timedelta(days=1), "t/out")
    assert final_state(db) == {}


def test_sandbox_days_moving_on_are_merged_as_the_platform_serves_them(db, fresh_sandbox, migrated_warehouse) -> None:
    """The real connector against the sandbox, the window moving a day at a time while recent days drift:
    after each load the final table equals a fresh read of the platform for that window."""
    from ads_sync import pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.registry import Account
    from ads_sync.retry import RetryPolicy
    from ads_sync.windows import daily_window

    acct = Account(platform="google_ads", account_id="2345678901", name="Skip sandbox", timezone="UTC",
                   currency="EUR", reports=("ad_group_daily",))
    today = fresh_sandbox.today
    try:
        for shift in (0, 0, 1, 3):
            fresh_sandbox.set_today(today + timedelta(days=shift))
            window = daily_window(today + timedelta(days=shift), 7)
            connector = connector_for(acct)
            steps = connector.steps(window)
            with psycopg.connect(migrated_warehouse) as conn:
                pipeline.extract(conn, steps, load_id=f"s/{shift}", account=acct, classify=connector.classify,
                                 policy=RetryPolicy(base_delay=0.1))
                pipeline.merge(conn, [s.table for s in steps], load_id=f"s/{shift}", account=acct, window=window,
                               run=None)
            served = sorted(
                (date.fromisoformat(str(r[0])), r[1], r[2], int(r[3]), int(r[4]), *(Decimal(str(x)) for x in r[5:8]))
                for r in steps[-1].fetch()
            )
            held = db.execute(
                "SELECT date, ad_group_id, campaign_id, impressions, clicks, cost, conversions, conversion_value"
                " FROM ads.ad_group_daily WHERE account_id = %s AND date BETWEEN %s AND %s ORDER BY 1, 2",
                (acct.account_id, window.start, window.end)).fetchall()
            assert [tuple(r) for r in held] == served, f"shift {shift}"
    finally:
        fresh_sandbox.set_today(None)


@pytest.mark.parametrize("first_load", [True, False])
def test_a_key_staged_twice_is_refused_by_name_and_nothing_changes(db, migrated_warehouse, first_load) -> None:
    """On a first load the primary key catches it (no separate duplicate scan), on a re-load the scan of
    the changed days; either way the error names the key and the final table is as before."""
    from ads_sync.errors import BadApiData

    rng = random.Random(9)
    platform = {(FIRST + timedelta(days=d), g): random_values(rng) for d in range(DAYS) for g in GROUPS}
    end = FIRST + timedelta(days=DAYS - 1)
    if not first_load:
        load(migrated_warehouse, staged_rows(rng, platform, FIRST, end), FIRST, end, "t/1")
    before = final_state(db)
    rows = staged_rows(rng, platform, FIRST, end)
    twice = next(r for r in rows if r[0] == FIRST + timedelta(days=4))
    with pytest.raises(BadApiData, match=f"date=.*ad_group_id={twice[1]} 2 times"):
        load(migrated_warehouse, [*rows, twice], FIRST, end, "t/dup")
    assert final_state(db) == before
    assert db.execute("SELECT count(*) FROM ads_sync.day_hashes WHERE load_id = 't/dup'").fetchone()[0] == 0
