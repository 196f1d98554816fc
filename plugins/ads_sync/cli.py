"""`ads-sync` command line: the demo on the embedded default.

    python -m ads_sync.cli demo     # what `make demo` runs
    python -m ads_sync.cli status   # what `make status` runs; --json for scripts
    python -m ads_sync.cli discover google --manager 9990001112   # accounts vs the registry; --write, --json
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path
from typing import Any

from ads_sync import local


def _final_line(totals: dict[str, int], accounts: int, by_report: dict[str, int] | None = None) -> str:
    rows = totals["inserted"] + totals["updated"] + totals["unchanged"]
    # the reports' fact rows (the coverage ledger's count); the rest of the rows are entities (campaigns, ad
    # groups, ads, keywords), which have no report of their own
    facts = sum(by_report.values()) if by_report else 0
    reports = (f"; {facts} report rows, {rows - facts} entity rows; by report: "
               + ", ".join(f"{k} {v}" for k, v in by_report.items())) if by_report else ""
    return (
        f"demo: {accounts} accounts synced, {rows} rows in ads.* and ads_custom.* by the daily runs "
        f"({totals['inserted']} inserted, "
        f"{totals['updated']} updated, {totals['unchanged']} unchanged, {totals['deleted']} deleted){reports}"
    )


def _rows_by_report(url: str, runs: list[tuple[str, str, str]]) -> dict[str, int]:
    """'google_ads keyword_daily' -> fact rows it loaded in these runs (the coverage ledger's count), in the
    platforms' report order."""
    import psycopg

    from ads_sync.platforms import PLATFORMS
    from ads_sync.warehouse import sql_text

    with psycopg.connect(url) as conn:
        found = {(p, r): int(n) for p, r, n in conn.execute(
            sql_text("ledger/rows_by_report.sql"),
            {"load_ids": [f"{dag_id}/{run_id}" for _, dag_id, run_id in runs]}).fetchall()}
    platforms = list(PLATFORMS)

    def place(key: tuple[str, str]) -> tuple[int, int, str]:
        """Platform by platform: its built-in reports in load order, then its custom ones by name."""
        platform, report = key
        builtin = PLATFORMS[platform].reports if platform in PLATFORMS else ()
        return (platforms.index(platform) if platform in platforms else len(platforms),
                builtin.index(report) if report in builtin else len(builtin), report)

    return {f"{p} {r}": found[(p, r)] for p, r in sorted(found, key=place)}


def demo(_: argparse.Namespace) -> int:
    """Start the embedded PostgreSQL (unless a warehouse is configured) and the sandbox, run every
    active demo account's daily DAG once with `dag.test()`, and print what landed."""
    from sandbox import Sandbox

    embedded = local.WAREHOUSE_ENV not in os.environ
    url = local.warehouse_url()
    print(f"demo: warehouse {'embedded PostgreSQL (.local/postgres)' if embedded else 'from ' + local.WAREHOUSE_ENV}")
    try:
        with Sandbox(state_dir=local.LOCAL / "sandbox") as sandbox:
            # one instant for the whole demo: today so far does not move between its two intraday runs
            from datetime import UTC, datetime

            sandbox.state.set_now(datetime.now(UTC))
            metadata = local.airflow_metadata(url)
            env = local.airflow_env(home=local.LOCAL / "airflow", warehouse=url, metadata=metadata, sandbox=sandbox)
            os.environ.update(env)
            print(f"demo: preparing Airflow metadata (PostgreSQL {local.where(metadata)}) ...", flush=True)
            local.migrate_airflow(env)
            code, checked, summary = _run_demo(url)
            _render_sheets(sandbox)
            for line in _reconciled_lines(url, checked):
                print(line)
            print(summary)  # last, so scripts can read the one line that sums the demo up
            return code
    finally:
        _close_airflow_sessions()  # before the embedded server stops, or Airflow's atexit rollback fails loudly
        if embedded:
            from ads_sync import embedded as pg

            pg.stop(local.LOCAL / "postgres")


def _close_airflow_sessions() -> None:
    """Return Airflow's pooled metadata connections (dag.test() leaves a session open)."""
    settings = sys.modules.get("airflow.settings")
    if settings is not None:
        settings.dispose_orm(do_log=False)


def _reconciled_lines(url: str, runs: list[tuple[str, str, str]]) -> list[str]:
    """'reconciled: A of N accounts match their platform totals (D days checked)', after one line per
    account and day that differs."""
    import psycopg

    from ads_sync import reconcile

    lines, matching, days = [], 0, 0
    with psycopg.connect(url) as conn:
        for key, dag_id, run_id in runs:
            outcome = reconcile.run_outcome(conn, dag_id=dag_id, run_id=run_id)
            if outcome is None:
                lines.append(f"reconciled: {key} was not checked (its reconcile task did not record a check)")
                continue
            days += outcome.checked_days
            matching += not outcome.mismatch
            for c in sorted(outcome.mismatches, key=lambda c: (c.date, c.metric)):
                lines.append(f"reconciled: {key} differs from the platform on {reconcile.describe(c)}")
    lines.append(f"reconciled: {matching} of {len(runs)} accounts match their platform totals ({days} days checked)")
    return lines


def _run_demo(url: str) -> tuple[int, list[tuple[str, str, str]], str]:
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
        return 1, [], "demo: 0 accounts synced (the DAG file has import errors)"
    totals = {"inserted": 0, "updated": 0, "unchanged": 0, "deleted": 0}
    synced = failed = 0
    checked: list[tuple[str, str, str]] = []
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
        checked.append((account.key, dag.dag_id, run.run_id))
        for key in totals:
            totals[key] += row[key]
        print(
            f"demo: {account.key} ({account.name}, {account.timezone}) {row['window_start']}..{row['window_end']}: "
            f"{row['extracted']} rows from {row['requests']} API requests; {row['inserted']} inserted, "
            f"{row['updated']} updated, {row['unchanged']} unchanged, {row['deleted']} deleted"
        )
    # the daily runs' rows are what the final line breaks down by report (the coverage ledger of those runs)
    line = _final_line(totals, synced, _rows_by_report(url, checked))
    intraday = dict.fromkeys(totals, 0)
    for account in registry.accounts:
        if account.active and account.intraday:
            failed += _demo_intraday(url, bag, account, intraday)
    if any(intraday.values()):
        line += f"; intraday (today so far): {sum(intraday.values()) - intraday['deleted']} rows"
    return (1 if failed else 0), checked, line


def _demo_intraday(url: str, bag: Any, account: Any, totals: dict[str, int]) -> int:
    """Issue 17: the account's intraday run twice: today so far (partial), then again, changing nothing.
    Returns the number of failed runs; the first run's rows count into the demo's totals."""
    from ads_sync import ledger
    from ads_sync.dag_factory import dag_id

    dag = bag.get_dag(dag_id(account, "intraday"))
    for attempt in ("first", "again"):
        run = dag.test()
        row = _sync_row(url, dag.dag_id, run.run_id)
        if row is None or row["status"] != "success":
            print(f"demo: {account.key} ({account.name}) intraday FAILED: {row['error'] if row else 'no sync log row'}")
            return 1
        if attempt == "first":
            for key in totals:
                totals[key] += row[key]
            label = ledger.partial_label(row["as_of"], account.timezone) if row["as_of"] else "partial"
            print(
                f"demo: {account.key} ({account.name}) intraday {row['window_start']} so far, {label}: "
                f"{row['extracted']} rows from {row['requests']} API requests; {row['inserted']} inserted, "
                f"{row['updated']} updated, {row['unchanged']} unchanged, {row['deleted']} deleted"
            )
        else:
            print(
                f"demo: {account.key} ({account.name}) intraday again: {row['data_change']} "
                f"({row['inserted']} inserted, {row['updated']} updated, {row['unchanged']} unchanged) from "
                f"{row['requests']} API requests; Sheets push {row['push_status'] or 'not run'}"
            )
    return 0


def _render_sheets(sandbox: Any) -> None:
    """Render the emulated spreadsheets the pushes wrote to local HTML files, and say where."""
    from sandbox.sheets_html import render_all

    paths = render_all(sandbox.sheets.snapshot(), local.LOCAL / "sheets")
    writes = sum(1 for e in sandbox.requests.filter(service="sheets") if e["method"] == "batchUpdate")
    print(f"demo: {len(paths)} spreadsheets in the Sheets sandbox ({writes} batch writes this run), rendered to:")
    for path in paths:
        print(f"demo:   file://{path}")


def status(args: argparse.Namespace) -> int:
    """Print one row per registry account: freshness, last success and error, rows, gaps, settling."""
    from datetime import UTC, datetime

    import psycopg

    from ads_sync import embedded as pg
    from ads_sync import status as report
    from ads_sync import warehouse
    from ads_sync.registry import load_registry

    registry = load_registry(args.registry)
    for error in registry.errors:
        print(f"status: INVALID registry entry, not shown: {error}", file=sys.stderr)
    data_dir = local.LOCAL / "postgres"
    started_here = local.WAREHOUSE_ENV not in os.environ and pg._running_port(data_dir.resolve()) is None
    url = local.warehouse_url()
    try:
        with psycopg.connect(url) as conn:
            warehouse.migrate(conn)
            rows = report.account_rows(conn, list(registry.accounts), now=datetime.now(UTC))
    finally:
        if started_here:
            pg.stop(data_dir)
    print(report.render_json(rows) if args.json else report.render_table(rows), file=args.out)
    return 0


def _sync_row(url: str, dag_id: str, run_id: str) -> dict[str, Any] | None:
    import psycopg
    from psycopg.rows import dict_row

    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(
            "SELECT status, error, window_start, window_end, api_requests AS requests,"
            " rows_extracted AS extracted, rows_inserted AS inserted, rows_updated AS updated,"
            " rows_unchanged AS unchanged, rows_deleted AS deleted, data_change, push_status,"
            " (SELECT max(c.partial_as_of) FROM ads_sync.coverage AS c WHERE c.load_id = r.dag_id || '/' || r.run_id)"
            " AS as_of"
            " FROM ads_sync.sync_runs AS r WHERE dag_id = %s AND run_id = %s",
            (dag_id, run_id),
        ).fetchone()


def airflow(args: argparse.Namespace) -> int:
    """`make airflow`: a real Airflow 3 with the bundle, the sandbox and the embedded PostgreSQL."""
    from ads_sync import airflow_local

    return airflow_local.main(["--port", str(args.port)])


def settings(args: argparse.Namespace) -> int:
    """`make settings`: load airflow_settings.yaml into the Airflow of $AIRFLOW_HOME (default: the local
    one in .local/airflow, migrated first), idempotently."""
    from ads_sync import embedded as pg
    from ads_sync import settings_loader

    data_dir = local.LOCAL / "postgres"
    started_here = False
    try:
        if "AIRFLOW_HOME" not in os.environ and not args.check:
            # the Airflow of `make airflow`: its home in .local/airflow, its metadata beside the warehouse
            started_here = local.WAREHOUSE_ENV not in os.environ and pg._running_port(data_dir.resolve()) is None
            home = local.LOCAL / "airflow"
            os.environ[local.METADATA_ENV] = local.airflow_metadata(local.warehouse_url())
            os.environ["AIRFLOW_HOME"] = str(home)
            local.migrate_airflow({"AIRFLOW_HOME": str(home)})
        return settings_loader.main(["--file", str(args.file)] + (["--check"] if args.check else []))
    finally:
        if started_here:
            pg.stop(data_dir)


def discover(args: argparse.Namespace) -> int:
    """Walk a manager (Google) or the token's / a business's ad accounts (Meta), print the diff against the
    registry, and with --write apply it to the registry file. Without the platform's connection in the
    environment it runs against the offline sandbox, like the demo."""
    from ads_sync.discovery import diff as report
    from ads_sync.discovery import registry_write
    from ads_sync.discovery.run import discover as run
    from ads_sync.discovery.run import spec_of
    from ads_sync.registry import load_registry

    registry = load_registry(args.registry)
    for error in registry.errors:
        print(f"discover: INVALID registry entry (compared as absent): {error}", file=sys.stderr)
    spec = spec_of(args.platform)
    conn_id = args.conn_id or spec.default_conn_id
    with contextlib.ExitStack() as stack:
        if f"AIRFLOW_CONN_{conn_id.upper()}" not in os.environ and "AIRFLOW_HOME" not in os.environ:
            from sandbox import Sandbox

            box = stack.enter_context(Sandbox(state_dir=local.LOCAL / "sandbox"))
            os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = local.sandbox_connection(spec.name, box)
            os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = str(box.ca_path)
            print(f"discover: connection {conn_id!r} is not configured: using the offline sandbox",
                  file=sys.stderr)
        root = getattr(args, spec.discovery_root, None) if spec.discovery_root else None
        found = run(spec.name, registry=registry, root=root, conn_id=conn_id,
                    include_test=args.include_test, include_inactive=args.include_inactive)
    print(report.render_json([found]) if args.json else report.render_text([found]), file=args.out)
    if args.write and not found.empty:
        counts = registry_write.apply(args.registry, [found])
        print(f"discover: wrote {args.registry}: {counts['added']} added, {counts['updated']} updated, "
              f"{counts['deactivated']} set active: false", file=sys.stderr)
    return 0


def _discover_parser(sub: Any) -> None:
    parser = sub.add_parser("discover", help="find ad accounts under a manager or business; diff the registry")
    from ads_sync.discovery.run import names
    from ads_sync.platforms import PLATFORMS

    parser.add_argument("platform", choices=list(names()))
    for root in dict.fromkeys(s.discovery_root for s in PLATFORMS.values() if s.discovery and s.discovery_root):
        helps = [s.discovery_root_help for s in PLATFORMS.values() if s.discovery_root == root]
        parser.add_argument(f"--{root}", help="; ".join(helps))
    parser.add_argument("--conn-id", help="the Airflow connection (default: the platform's)")
    parser.add_argument("--registry", type=Path, default=local.ROOT / "include" / "accounts.yaml")
    parser.add_argument("--write", action="store_true", help="apply the diff to the registry file")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--include-test", action="store_true", help="also add test accounts (active: false)")
    parser.add_argument("--include-inactive", action="store_true",
                        help="also add cancelled, suspended, closed and disabled accounts (active: false)")
    parser.set_defaults(func=discover)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ads-sync", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="sync every demo account on the embedded default").set_defaults(func=demo)
    status_parser = sub.add_parser("status", help="per account: freshness, last error, rows, gaps, settling")
    status_parser.add_argument("--json", action="store_true", help="machine-readable output")
    status_parser.add_argument("--registry", type=Path, default=local.ROOT / "include" / "accounts.yaml")
    status_parser.set_defaults(func=status)
    airflow_parser = sub.add_parser("airflow", help="run Airflow 3 locally on the sandbox until Ctrl-C")
    airflow_parser.add_argument("--port", type=int, default=8080)
    airflow_parser.set_defaults(func=airflow)
    settings_parser = sub.add_parser("settings", help="load airflow_settings.yaml into Airflow (idempotent)")
    settings_parser.add_argument("--file", type=Path, default=local.ROOT / "airflow_settings.yaml")
    settings_parser.add_argument("--check", action="store_true", help="only validate the file")
    settings_parser.set_defaults(func=settings)
    _discover_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "discover":
        from ads_sync.discovery.run import spec_of

        spec = spec_of(args.platform)
        if spec.discovery_root_required and not getattr(args, spec.discovery_root, None):
            parser.error(f"discover {args.platform} needs --{spec.discovery_root} <{spec.discovery_root_help}>")
    args.out = sys.stdout
    if not getattr(args, "json", False) and args.command not in ("status", "discover"):
        return int(args.func(args))
    # --json, and the reports (status, discover's diff): stdout carries the document and nothing else.
    # Airflow's logging (warnings included) writes to the sys.stdout it finds when it configures itself, at
    # its first import, which happens below: so everything but the document goes to stderr, and `| jq` (or
    # a diff saved for review) reads a clean stream.
    with contextlib.redirect_stdout(sys.stderr):
        return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
