"""Benchmark 8 (issue 14): merges of different accounts at once never queue behind each other.

Eight accounts each re-sync a window in which every row changed (the delete/update/insert path, the
expensive one). In each of ROUNDS pairs, all eight loads are staged, a CHECKPOINT taken, and each account's
merge timed alone, one after the other; then all eight are staged again, checkpointed, and merged at once,
each on its own connection, released together. Without cross-account lock waits, the concurrent wall time
approaches (sum of the single times) / (the cores PostgreSQL can use); the median pair is reported, with the
spread, and beside it the merges' server CPU (their backends, read from /proc when the server is on this
machine) and WAL, which a shared machine's load does not move. In both phases a sampler reads
pg_stat_activity every 10 ms (so its own cost weighs on both alike); in the concurrent one it counts any of
the eight sessions waiting on a lock held by another transaction (relation, tuple, transaction id, advisory:
the waits that queue one account's merge behind another's commit; the account's own advisory lock cannot be
taken twice here, every account merges once at a time), and tallies every wait event. PostgreSQL's relation-
extension lock (`extend`: two sessions adding a page to one table at the same instant, held for
microseconds, never to a commit) is counted apart, as information.
"""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ACCOUNTS = 8
DAYS = 60
GROUPS = 1000
START = date(2025, 1, 1)
APP = "ads-sync-bench-merge"
#: (singles, together) pairs a run measures
ROUNDS = 3


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
        warehouse.stage(conn, AD_GROUP_DAILY, load_id=load_id, rows=_rows(clicks))


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of a server process on this machine; None for a remote server."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _merge(url: str, i: int, load_id: str) -> tuple[float, Any, float | None]:
    """One account's merge on its own connection: wall seconds, counts, and its backend's CPU seconds."""
    import psycopg

    from ads_sync import pipeline
    from ads_sync.tables import AD_GROUP_DAILY
    from ads_sync.windows import Window

    with psycopg.connect(url, application_name=f"{APP}-{i}") as conn:
        pid = conn.info.backend_pid
        cpu0 = _backend_cpu(pid)
        t0 = time.perf_counter()
        counts = pipeline.merge(conn, [AD_GROUP_DAILY], load_id=load_id, account=_account(i),
                                window=Window(START, START + timedelta(days=DAYS - 1), why="bench"), run=None)
        seconds = time.perf_counter() - t0
        cpu1 = _backend_cpu(pid)
        return seconds, counts, None if cpu0 is None or cpu1 is None else cpu1 - cpu0


class LockSampler(threading.Thread):
    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.samples, self.waiting, self.extending = url, threading.Event(), 0, 0, 0
        self.what: set[str] = set()
        #: every sampled session of the eight by what it was doing ("running", or its wait event): where
        #: the time goes when the merges overlap less than the cores allow
        self.events: Counter[str] = Counter()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                sessions = conn.execute(
                    "SELECT application_name, wait_event_type, wait_event, backend_type = 'parallel worker' "
                    "FROM pg_stat_activity WHERE application_name LIKE %s AND state = 'active'", (f"{APP}-%",)
                ).fetchall()
                self.events.update(("parallel worker " if p else "") + ("running" if t is None else f"{t}:{w}")
                                   for _, t, w, p in sessions)
                rows = [(a, w) for a, t, w, _ in sessions if t == "Lock"]
                self.samples += 1
                held = [(a, w) for a, w in rows if w != "extend"]
                self.extending += len(rows) > len(held)
                if held:
                    self.waiting += 1
                    self.what.update(f"{a}: {w}" for a, w in held)
                time.sleep(0.01)


def _server_cpu(conn: Any) -> float | None:
    """CPU seconds so far of every server process the statistics list (backends, parallel workers, WAL
    writer, checkpointer...), when the server runs on this machine; None otherwise."""
    pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity").fetchall()]
    cpu = [_backend_cpu(p) for p in pids]
    return None if not cpu or any(c is None for c in cpu) else sum(c for c in cpu if c is not None)


def cores() -> int:
    """The cores this machine lets processes run on (PostgreSQL's backends run on the same machine here)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class Phase:
    """One phase's server-side cost: WAL written, and the server's CPU (processes that ended in between,
    such as the merges' own backends, counted through their last reading)."""

    def __init__(self, url: str) -> None:
        import psycopg

        from bench.common import wal_lsn

        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute("CHECKPOINT")  # each phase starts as clean: full-page writes alike in both
        self.lsn, self.cpu0 = wal_lsn(self.conn), _server_cpu(self.conn)

    def end(self, backend_cpu: list[float | None]) -> dict[str, Any]:
        from bench.common import wal_bytes

        wal = wal_bytes(self.conn, self.lsn)
        cpu1 = _server_cpu(self.conn)
        self.conn.close()
        merged = None if any(c is None for c in backend_cpu) else sum(c for c in backend_cpu if c is not None)
        other = None if self.cpu0 is None or cpu1 is None else cpu1 - self.cpu0  # the long-lived processes
        return {"wal_bytes": wal, "backend_cpu_s": merged, "other_server_cpu_s": other}


def _singles(url: str, clicks: int, tag: str) -> dict[str, Any]:
    """Every account's merge alone, one after the other, all eight loads staged first."""
    for i in range(ACCOUNTS):
        _stage(url, i, clicks, f"bench-merge/{i}/{tag}")
    phase = Phase(url)
    # watched as the merges at once are: the sampler's queries cost the server and this process the same
    # CPU in both phases, so it cannot tilt the ratio (its samples here are not reported)
    sampler = LockSampler(url)
    sampler.start()
    seconds, cpu = [], []
    for i in range(ACCOUNTS):
        s, counts, c = _merge(url, i, f"bench-merge/{i}/{tag}")
        assert counts.updated == DAYS * GROUPS, counts
        seconds.append(s)
        cpu.append(c)
    sampler.stop.set()
    sampler.join()
    return {"sum_s": sum(seconds), **phase.end(cpu)}


def _together(url: str, clicks: int, tag: str) -> dict[str, Any]:
    """The eight merges at once, each on its own connection, released together, the sampler watching."""
    for i in range(ACCOUNTS):
        _stage(url, i, clicks, f"bench-merge/{i}/{tag}")
    phase = Phase(url)
    sampler = LockSampler(url)
    sampler.start()
    start = threading.Barrier(ACCOUNTS + 1)
    cpu: list[float | None] = [None] * ACCOUNTS
    failures: list[BaseException] = []

    def one(i: int) -> None:
        try:
            start.wait()
            cpu[i] = _merge(url, i, f"bench-merge/{i}/{tag}")[2]
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
    cost = phase.end(cpu)
    if failures:
        raise failures[0]
    return {"wall_s": wall, "sampler": sampler, **cost}


def run(url: str, rounds: int = ROUNDS) -> dict[str, Any]:
    """`rounds` pairs of (eight single merges, eight at once), each pair in the same minute: on a shared
    machine a ratio is only fair between figures taken side by side. The row reports the median pair."""
    import statistics

    import psycopg

    from ads_sync import warehouse

    with psycopg.connect(url) as conn:
        warehouse.migrate(conn)
        conn.execute("DELETE FROM ads.ad_group_daily WHERE account_id LIKE '88000000%%'")
        conn.commit()
    for i in range(ACCOUNTS):  # the accounts' history: the window exists, so the re-syncs below change rows
        _stage(url, i, 1, f"bench-merge/{i}/first")
        _merge(url, i, f"bench-merge/{i}/first")
    n = cores()
    pairs = []
    for r in range(rounds):
        single = _singles(url, 2 + 2 * r, f"single-{r}")
        together = _together(url, 3 + 2 * r, f"together-{r}")
        ideal = single["sum_s"] / min(n, ACCOUNTS)
        pairs.append({"single": single, "together": together, "ideal_s": ideal,
                      "ratio": together["wall_s"] / ideal, "loadavg": os.getloadavg()[0]})
    ratios = [p["ratio"] for p in pairs]
    median = sorted(pairs, key=lambda p: p["ratio"])[len(pairs) // 2]
    waiting = sum(p["together"]["sampler"].waiting for p in pairs)
    samples = sum(p["together"]["sampler"].samples for p in pairs)
    events: Counter[str] = Counter()
    for p in pairs:
        events.update(p["together"]["sampler"].events)
    backend = [p["together"]["backend_cpu_s"] for p in pairs]
    return {
        "accounts": ACCOUNTS, "rows": DAYS * GROUPS, "rounds": rounds, "cores": n,
        "single_sum_s": median["single"]["sum_s"], "wall_s": median["together"]["wall_s"],
        "ideal_s": median["ideal_s"], "ratio": median["ratio"], "ratios": ratios,
        "ratio_spread": (min(ratios), max(ratios)), "loadavg": [p["loadavg"] for p in pairs],
        "lock_wait_samples": waiting, "samples": samples,
        "extend_wait_samples": sum(p["together"]["sampler"].extending for p in pairs),
        "waits": sorted(set().union(*(p["together"]["sampler"].what for p in pairs))),
        "events": dict(events.most_common()),
        # server CPU of the merges' backends, alone and at once (same rows): what concurrency itself costs
        "single_cpu_s": None if None in [p["single"]["backend_cpu_s"] for p in pairs] else statistics.median(
            p["single"]["backend_cpu_s"] for p in pairs),
        "together_cpu_s": None if None in backend else statistics.median(b for b in backend if b is not None),
        # cores the eight sessions actually got while running at once: below `cores` = other processes' share
        "cores_used": None if None in backend else statistics.median(
            (p["together"]["backend_cpu_s"] or 0) / p["together"]["wall_s"] for p in pairs),
        "wal_single_bytes": median["single"]["wal_bytes"], "wal_together_bytes": median["together"]["wal_bytes"],
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(sys.argv[1]), indent=2, default=str))
