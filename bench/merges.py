"""Benchmark 8 (issue 14): merges of different accounts at once never queue behind each other.

Eight accounts each re-sync a window in which every row changed (the delete/update/insert path, the
expensive one). Each account's merge is timed alone, one after the other; then all eight are staged again
and merged at once, each on its own connection, released together. Without cross-account lock waits,
the concurrent wall time approaches (sum of the single times) / (the cores PostgreSQL can use). Meanwhile
a sampler reads pg_stat_activity every 10 ms and counts any of the eight sessions waiting on a lock held
by another transaction (relation, tuple, transaction id, advisory: the waits that queue one account's merge
behind another's commit; the account's own advisory lock cannot be taken twice here, every account merges
once at a time). PostgreSQL's relation-extension lock (`extend`: two sessions adding a page to one table at
the same instant, held for microseconds, never to a commit) is counted apart, as information.
"""
from __future__ import annotations

import os
import threading
import time
from datetime import date, timedelta
from typing import Any

ACCOUNTS = 8
DAYS = 60
GROUPS = 1000
START = date(2025, 1, 1)
APP = "ads-sync-bench-merge"


def _account(i: int) -> Any:
    from ads_sync.registry import Account

    return Account(platform="google_ads", account_id=f"{8_800_000_000 + i}", name=f"Merge bench {i}",
                   timezone="UTC", currency="EUR", reports=("ad_group_daily",))


def _rows(clicks: int) -> list[tuple]:
    return [(START + timedelta(days=d), f"g{g}", f"c{g % 7}", 1000 + g, clicks, f"{g % 97}.250000", "2", "3.25")
            for d in range(DAYS) for g in range(GROUPS)]


def _stage(url: str, i: int, clicks: int, load_id: str) -> None:
    import psycopg

    from ads_sync import warehouse
    from ads_sync.tables import AD_GROUP_DAILY

    with psycopg.connect(url) as conn, conn.transaction():
        warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, platform="google_ads",
                        account_id=_account(i).account_id, rows=_rows(clicks))


def _merge(url: str, i: int, load_id: str) -> tuple[float, Any]:
    import psycopg

    from ads_sync import pipeline
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    with psycopg.connect(url, application_name=f"{APP}-{i}") as conn:
        t0 = time.perf_counter()
        counts = pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=_account(i),
                                window=Window(START, START + timedelta(days=DAYS - 1), why="bench"), run=None)
        return time.perf_counter() - t0, counts


class LockSampler(threading.Thread):
    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.samples, self.waiting, self.extending = url, threading.Event(), 0, 0, 0
        self.what: set[str] = set()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(
                    "SELECT application_name, wait_event FROM pg_stat_activity "
                    "WHERE application_name LIKE %s AND wait_event_type = 'Lock'", (f"{APP}-%",)
                ).fetchall()
                self.samples += 1
                held = [(a, w) for a, w in rows if w != "extend"]
                self.extending += len(rows) > len(held)
                if held:
                    self.waiting += 1
                    self.what.update(f"{a}: {w}" for a, w in held)
                time.sleep(0.01)


def run(url: str) -> dict[str, Any]:
    import psycopg

    from ads_sync import warehouse

    with psycopg.connect(url) as conn:
        warehouse.migrate(conn)
        conn.execute("DELETE FROM ads.ad_group_daily WHERE account_id LIKE '88000000%%'")
        conn.commit()
    for i in range(ACCOUNTS):  # the accounts' history: the window exists, so the re-syncs below change rows
        _stage(url, i, 1, f"bench-merge/{i}/first")
        _merge(url, i, f"bench-merge/{i}/first")
    single = []
    for i in range(ACCOUNTS):
        _stage(url, i, 2, f"bench-merge/{i}/single")
        seconds, counts = _merge(url, i, f"bench-merge/{i}/single")
        assert counts.updated == DAYS * GROUPS, counts
        single.append(seconds)
    for i in range(ACCOUNTS):
        _stage(url, i, 3, f"bench-merge/{i}/together")
    sampler = LockSampler(url)
    sampler.start()
    start, done = threading.Barrier(ACCOUNTS + 1), [0.0] * ACCOUNTS
    failures: list[BaseException] = []

    def one(i: int) -> None:
        try:
            start.wait()
            done[i] = _merge(url, i, f"bench-merge/{i}/together")[0]
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(ACCOUNTS)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    if failures:
        raise failures[0]
    cores = os.cpu_count() or 1
    return {
        "accounts": ACCOUNTS, "rows": DAYS * GROUPS, "single_sum_s": sum(single), "wall_s": wall,
        "cores": cores, "ideal_s": sum(single) / min(cores, ACCOUNTS), "lock_wait_samples": sampler.waiting,
        "extend_wait_samples": sampler.extending, "samples": sampler.samples, "waits": sorted(sampler.what),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1]), indent=2))
