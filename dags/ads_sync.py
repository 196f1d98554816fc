"""ads-sync: per account in include/accounts.yaml, a daily, a weekly and a force_sync DAG.

All logic lives in plugins/ads_sync; this file only names the registry and exposes the DAGs.
ADS_SYNC_REGISTRY may name another registry file (the soak test uses it; so can a deployment).
(The word "airflow" must appear in a DAG file, or Airflow's safe-mode heuristic skips it.)
"""
from __future__ import annotations

import os
from pathlib import Path

from ads_sync.dag_factory import build_dags

REGISTRY = Path(
    os.environ.get("ADS_SYNC_REGISTRY") or Path(__file__).resolve().parent.parent / "include" / "accounts.yaml"
)

for _dag in build_dags(REGISTRY):
    globals()[_dag.dag_id] = _dag
