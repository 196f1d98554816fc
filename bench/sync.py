"""The product's real path, driven without a scheduler: connector → pipeline.extract → pipeline.merge.

The same functions the extract and merge tasks call, on one psycopg connection, timed per phase.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any


@dataclass
class SyncResult:
    rows: int
    extract_s: float
    merge_s: float
    counts: Any
    requests: int

    @property
    def total_s(self) -> float:
        return self.extract_s + self.merge_s


def sync(url: str, account: Any, window: Any, load_id: str) -> SyncResult:
    import psycopg

    from ads_sync import pipeline
    from ads_sync.connectors import connector_for
    from ads_sync.retry import RetryPolicy

    connector = connector_for(account)
    steps = connector.steps(window)
    rollups = connector.rollups(window)  # Meta: campaign and ad set days from the ad rows
    with psycopg.connect(url) as conn:
        bind = getattr(connector, "bind_warehouse", None)
        if bind is not None:  # Meta: deleted ads the warehouse knows are read by id (as the extract task does)
            bind(conn)
        t0 = time.perf_counter()
        rows = pipeline.extract(
            conn, steps, load_id=load_id, account=account, classify=connector.classify, policy=RetryPolicy(),
            rollups=rollups,
        )
        t1 = time.perf_counter()
        counts = pipeline.merge(conn, pipeline.tables(steps, rollups), load_id=load_id, account=account,
                                window=window, run=None)
        t2 = time.perf_counter()
    return SyncResult(rows, t1 - t0, t2 - t1, counts, connector.requests)
