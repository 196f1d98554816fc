"""Fault tests: the final tables after a fault equal those of a fault-free run, or those before it."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FINAL_TABLES = ("campaigns", "ad_groups", "campaign_daily", "ad_group_daily")


@pytest.fixture(scope="module")
def bag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(ROOT / "dags"))


def final_rows(db, account_id: str | None = None) -> dict[str, list[tuple]]:
    """Every final table's rows without updated_at (the last column), in key order."""
    where = "WHERE account_id = %s" if account_id else ""
    args = (account_id,) if account_id else ()
    return {
        t: [r[:-1] for r in db.execute(f"SELECT * FROM ads.{t} {where} ORDER BY 1, 2, 3, 4", args).fetchall()]
        for t in FINAL_TABLES
    }
