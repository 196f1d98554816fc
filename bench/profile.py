"""Where the whole path spends its time: one sync (sandbox -> raw protobuf -> staging COPY -> merge) of the
large sandbox under cProfile, on the client side (the sandbox runs in its own process, PostgreSQL in its
own). The table, the functions with the most own time, goes into bench/RESULTS.md so a change of the
biggest cost shows beside the figures.
"""
from __future__ import annotations

import cProfile
import pstats
import time
from typing import Any

from bench import common
from bench.sync import sync

ACCOUNT = "7777777777"
TOP = 15


def run(url: str, days: int = 60) -> dict[str, Any]:
    account = common.account(ACCOUNT)
    window = common.year_window(days)
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    result = sync(url, account, window, "bench/profile")
    profiler.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:TOP]  # type: ignore[attr-defined]
    lines = ["| own time | share of client CPU | calls | function |", "|---|---|---|---|"]
    for (path, line, name), (_, calls, own, _cum, _) in rows:
        where = path.split("site-packages/")[-1].split("/work/")[-1]
        lines.append(f"| {own:.2f} s | {own / total:.0%} | {calls} | `{name}` ({where}:{line}) |")
    text = (f"One sync of {result.rows} rows ({days} days) under cProfile: {wall:.1f} s wall "
            f"(extract {result.extract_s:.1f} s, merge {result.merge_s:.1f} s), {total:.1f} s of profiled "
            "client time; the merge's time is PostgreSQL's, waited for in `execute`.\n\n" + "\n".join(lines))
    return {"text": text, "rows": result.rows, "wall_s": wall}
