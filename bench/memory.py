"""Benchmark 3: peak RSS of a whole sync (real path) of ~100k and ~1M rows, each in a fresh process.

Run as `python -m bench.memory DAYS ACCOUNT` by the parent, with the parent's environment (warehouse
and sandbox connections); prints the child's peak RSS in KiB. Linux keeps `ru_maxrss` across exec (a
child forked from a large parent inherits its high-water mark), so the peak is read from VmHWM, which
starts afresh with the new program; ru_maxrss is the fallback elsewhere.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from typing import Any

from bench.common import PYTHON, ROOT


def measure(days: int, account_id: str) -> dict[str, Any]:
    out = subprocess.run(
        [PYTHON, "-m", "bench.memory", str(days), account_id], cwd=ROOT, env={**os.environ},
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(days: int, account_id: str) -> None:
    sys.path[:0] = [str(ROOT / "plugins"), str(ROOT)]
    from bench import common
    from bench.sync import sync

    result = sync(os.environ["AIRFLOW_CONN_ADS_WAREHOUSE"], common.account(account_id),
                  common.year_window(days), f"bench/memory-{days}")
    print(json.dumps({"rows": result.rows, "maxrss_kib": peak_rss_kib()}))


def peak_rss_kib() -> int:
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
