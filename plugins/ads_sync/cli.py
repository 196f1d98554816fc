"""`ads-sync` command line: the demo on the embedded default.

    python -m ads_sync.cli demo     # what `make demo` runs
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ads_sync import local


def _final_line(totals: dict[str, int], accounts: int) -> str:
    rows = totals["inserted"] + totals["updated"] + totals["unchanged"]
    return (
        f"demo: {accounts} accounts synced, {rows} rows in ads.* ({totals['inserted']} inserted, "
        f"{totals['updated']} updated, {totals['unchanged']} unchanged, {totals['deleted']} deleted)"
    )


def demo(_: argparse.Namespace) -> int:
    """Start the embedded PostgreSQL (unless a warehouse is configured) and the sandbox, run every
    active demo account's daily DAG once with `dag.test()`, and print what landed."""
    from sandbox import Sandbox

    embedded = local.WAREHOUSE_ENV not in os.environ
    url = local.warehouse_url()
    print(f"demo: warehouse {'embedded PostgreSQL (.local/postgres)' if embedded else 'from ' + local.WAREHOUSE_ENV}")
    try:
        with Sandbox(state_dir=local.LOCAL / "sandbox") as sandbox:
            env = local.airflow_env(home=local.LOCAL / "airflow", warehouse=url, sandbox=sandbox)
            os.environ.update(env)
            print("demo: preparing Airflow metadata (SQLite in .local/airflow) ...", flush=True)
            local.migrate_airflow(env)
            return _run_demo(url)
    finally:
        if embedded:
            from ads_sync import embedded as pg

            pg.stop(local.LOCAL / "postgres")


def _run_demo(url: str) -> int:
    from ads_sync.dag_factory import dag_id
    from ads_sync.registry import load_registry

    registry = load_registry(local.ROOT / "include" / "accounts.yaml")
    for error in registry.errors:
        print(f"demo: INVALID registry entry, skipped: {error}")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(local.ROOT / "dags"))
    if bag.import_errors:
        for path, message in bag.import_errors.items():
            print(f"demo: import error in {path}: {message}")
        return 1
    totals = {"inserted": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    synced = failed = 0
    for account in registry.accounts:
        if not account.active:
            print(f"demo: {account.key} is inactive, skipped")
            continue
        dag = bag.get_dag(dag_id(account, "daily"))
        run = dag.test()
        row = _sync_row(url, dag.dag_id, run.run_id)
        if row is None or row["status"] != "success":
            failed += 1
            print(f"demo: {account.key} ({account.name}) FAILED: {row['error'] if row else 'no sync log row'}")
            continue
        synced += 1
        for key in totals:
            totals[key] += row[key]
        print(
            f"demo: {account.key} ({account.name}, {account.timezone}) {row['window_start']}..{row['window_end']}: "
            f"{row['extracted']} rows from {row['requests']} API requests; {row['inserted']} inserted, "
            f"{row['updated']} updated, {row['unchanged']} unchanged, {row['deleted']} deleted"
        )
    print(_final_line(totals, synced))
    return 1 if failed else 0


def _sync_row(url: str, dag_id: str, run_id: str) -> dict[str, Any] | None:
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT status, error, window_start, window_end, api_requests AS requests,"
            " rows_extracted AS extracted, rows_inserted AS inserted, rows_updated AS updated,"
            " rows_unchanged AS unchanged, rows_deleted AS deleted"
            " FROM ads_sync.sync_runs WHERE dag_id = %s AND run_id = %s",
            (dag_id, run_id),
        ).fetchone()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ads-sync", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="sync every demo account on the embedded default").set_defaults(func=demo)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
