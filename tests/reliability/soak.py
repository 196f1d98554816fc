"""The soak: many accounts, every DAG kind, hundreds of runs with seeded random faults; at the end each
account's final tables must equal a fault-free reference. `make reliability` runs it and prints one
table: fault, runs, recovered, rows lost, rows duplicated, secrets seen.

    python -m tests.reliability.soak [--accounts 20] [--runs 200] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "developer_token": "DEVTOKEN-SOAK-5e8c21",
    "client_secret": "CLIENTSECRET-SOAK-0d7b44",
    "refresh_token": "REFRESHTOKEN-SOAK-a93f12",
}
KINDS = ("daily", "weekly", "force_sync")
FINAL_TABLES = ("campaigns", "ad_groups", "ads", "campaign_daily", "ad_group_daily", "ad_daily")
FORCE_CONFS = ({"weeks": 3}, {"preset": "last_30_days"}, {"preset": "last_7_days"}, {"weeks": 8})


@dataclass(frozen=True)
class FaultCase:
    name: str
    #: the faults to add for one run: (service, error, extra Fault fields)
    faults: Callable[[str], list[dict]]
    #: whether the run is expected to fail (and be recovered by the next run)
    fails: bool


def _g(error: str, **extra: object) -> Callable[[str], list[dict]]:
    return lambda account: [{"service": "google_ads", "error": error, "customer_id": account, **extra}]


def _m(error: str, **extra: object) -> Callable[[str], list[dict]]:
    return lambda account: [{"service": "meta", "error": error, "customer_id": account, **extra}]


def _s(error: str, **extra: object) -> Callable[[str], list[dict]]:
    return lambda account: [{"service": "sheets", "error": error, "customer_id": sheet_id(account), **extra}]


def sheet_id(account: str) -> str:
    return f"soaksheet{account}"


CATALOGUE = [
    FaultCase("none", lambda a: [], fails=False),
    FaultCase("google UNAVAILABLE mid-stream", _g("UNAVAILABLE", resource="ad_group", nth=2, after_rows=3), False),
    FaultCase("google INTERNAL", _g("INTERNAL", resource="campaign", nth=2), False),
    FaultCase("google rate limit", _g("RATE_EXCEEDED", resource="ad_group", nth=1), False),
    FaultCase("google DEADLINE_EXCEEDED", _g("DEADLINE_EXCEEDED", resource="campaign", nth=1), False),
    FaultCase("google daily quota", _g("DAILY_QUOTA", times=-1), True),
    FaultCase("google auth (token invalid)", _g("AUTH_INVALID", times=-1), True),
    FaultCase("oauth invalid_grant", lambda a: [{"service": "oauth", "error": "invalid_grant", "times": -1}], True),
    FaultCase("google duplicate rows", _g("DUPLICATE_ROWS", resource="ad_group", nth=2), True),
    FaultCase("google negative cost", _g("NEGATIVE_COST", resource="campaign", nth=2), True),
]
META_CATALOGUE = [
    FaultCase("none", lambda a: [], fails=False),
    FaultCase("meta throttled (17)", _m("THROTTLED", nth=2), False),
    FaultCase("meta HTTP 503", _m("HTTP_503", nth=1), False),
    FaultCase("meta unknown error (1)", _m("UNKNOWN", nth=3), False),
    FaultCase("meta token expired (190)", _m("TOKEN_EXPIRED", times=-1), True),
    FaultCase("meta report job failed", _m("JOB_FAILED", resource="async_report", nth=1), False),
]
#: every account has a sheet, so every run ends with a push that these faults hit
SHEETS_CATALOGUE = [
    FaultCase("sheets 429", _s("RATE_LIMIT", nth=1), False),
    FaultCase("sheets 500", _s("INTERNAL", nth=1), False),
    FaultCase("sheets 403 (not shared)", _s("PERMISSION_DENIED", times=-1), True),
]
ALL_CASES = {c.name: c for c in CATALOGUE + META_CATALOGUE + SHEETS_CATALOGUE}


def write_registry(path: Path, accounts: int) -> list[tuple[str, str]]:
    """Two Google accounts for each Meta one, all with a spreadsheet: (platform, account id) each."""
    zones = ["Europe/Berlin", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "UTC"]
    found = []
    lines = ["accounts:"]
    for i in range(accounts):
        platform = "meta" if i % 3 == 2 else "google_ads"
        account_id = f"{7000000000 + i * 7919}" if platform == "google_ads" else f"{104857600000000 + i * 7919}"
        found.append((platform, account_id))
        lines.append(
            f'  - {{platform: {platform}, account_id: "{account_id}", name: "Soak {i}", '
            f"timezone: {zones[i % len(zones)]}, currency: EUR, sheet: {sheet_id(account_id)}}}"
        )
    path.write_text("\n".join(lines) + "\n")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="ads-sync-soak-"))
    registry = work / "accounts.yaml"
    account_ids = write_registry(registry, args.accounts)
    home = work / "airflow"
    os.environ["ADS_SYNC_REGISTRY"] = str(registry)
    os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "INFO"
    log_file = work / "soak.log"
    logging.basicConfig(level=logging.INFO, filename=log_file, force=True)

    from ads_sync import embedded, local
    from sandbox import Fault, Sandbox

    own_pg = "ADS_SYNC_TEST_DATABASE_URL" not in os.environ
    url = os.environ.get("ADS_SYNC_TEST_DATABASE_URL") or embedded.start(work / "pg", port=55532).url
    today = datetime.now(UTC).date() + timedelta(days=1)  # fixed for the whole soak: stable API answers
    try:
        with Sandbox(state_dir=work / "sandbox", today=today) as box:
            env = local.airflow_env(home=home, warehouse=url, sandbox=box)
            conn = json.loads(env["AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"])
            conn["extra"].update(SECRETS)
            env["AIRFLOW_CONN_GOOGLE_ADS_DEFAULT"] = json.dumps(conn)
            # the Meta sandbox accepts only its own token; the service account key is made per run
            meta = json.loads(env["AIRFLOW_CONN_FACEBOOK_DEFAULT"])["extra"]
            key = json.loads(json.loads(env["AIRFLOW_CONN_GOOGLE_SHEETS_DEFAULT"])["extra"]["keyfile_dict"])
            SECRETS["meta access_token"] = meta["access_token"]
            SECRETS["meta app_secret"] = meta["app_secret"]
            SECRETS["sheets private key"] = key["private_key"].splitlines()[5]
            os.environ.update(env)
            local.migrate_airflow(env)
            return _soak(args, box, Fault, url, account_ids, home, log_file)
    finally:
        if own_pg:
            embedded.stop(work / "pg")


def _soak(args: argparse.Namespace, box, Fault, url: str, accounts: list[tuple[str, str]], home: Path,
          log_file: Path) -> int:
    import psycopg

    from airflow.dag_processing.dagbag import DagBag
    from ads_sync import warehouse

    with psycopg.connect(url) as conn:
        warehouse.migrate(conn)
        _truncate(conn)
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    rng = random.Random(args.seed)
    runs: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    seen_by_account: dict[str, set[str]] = defaultdict(set)
    failures: list[str] = []

    platform_of = dict((a, p) for p, a in accounts)
    account_ids = [a for _, a in accounts]

    def run(account: str, kind: str, conf: dict | None) -> str:
        dag = bag.dags[f"ads_sync__{platform_of[account]}__{account}__{kind}"]
        return str(dag.test(run_conf=conf).state)

    # every account starts with a fault-free weekly run, so the union of windows is the same 10 weeks
    # plus the daily lookback, whatever the random runs pick
    plan = [(a, "weekly", None, "none") for a in account_ids]
    for _ in range(max(0, args.runs - len(plan))):
        account = rng.choice(account_ids)
        api = CATALOGUE if platform_of[account] == "google_ads" else META_CATALOGUE
        case = rng.choice(api + SHEETS_CATALOGUE)
        kind = rng.choice(KINDS)
        plan.append((account, kind, rng.choice(FORCE_CONFS) if kind == "force_sync" else None, case.name))
    cases = ALL_CASES
    for index, (account, kind, conf, name) in enumerate(plan, 1):
        case = cases[name]
        box.reset()
        for spec in case.faults(account):
            box.faults.add(Fault(**spec))
        state = run(account, kind, conf)
        box.faults.clear()
        runs[name] += 1
        seen_by_account[account].add(name)
        if state != "success":
            if not case.fails:
                failures.append(f"run {index}: {name} on {account} {kind} failed but should have recovered")
            if run(account, kind, conf) == "success":  # the next run, fault gone
                recovered[name] += 1
            else:
                failures.append(f"run {index}: {name} on {account} {kind} did not recover")
        else:
            if case.fails:
                failures.append(f"run {index}: {name} on {account} {kind} succeeded despite the fault")
            recovered[name] += 1
        if index % 25 == 0:
            print(f"soak: {index}/{len(plan)} runs", flush=True)

    box.reset()
    with psycopg.connect(url) as conn:
        soaked = _snapshot(conn)
        _truncate(conn)
    for account in account_ids:  # the fault-free reference: the same union of windows
        assert run(account, "weekly", None) == "success"
        assert run(account, "daily", None) == "success"
    with psycopg.connect(url) as conn:
        reference = _snapshot(conn)
        secrets_seen = _secrets_seen(conn, home, log_file)

    lost: Counter[str] = Counter()
    duplicated: Counter[str] = Counter()
    for account in account_ids:
        got, want = soaked.get(account, Counter()), reference.get(account, Counter())
        missing, extra = sum((want - got).values()), sum((got - want).values())
        for name in seen_by_account[account]:
            lost[name] += missing
            duplicated[name] += extra
    _print_table(runs, recovered, lost, duplicated, secrets_seen)
    for line in failures:
        print(f"soak: {line}")
    total_runs = sum(runs.values())
    ok = (not failures and sum(lost.values()) == 0 and sum(duplicated.values()) == 0
          and secrets_seen == 0 and total_runs >= args.runs)
    print(f"soak: {len(account_ids)} accounts, {total_runs} runs (+{sum(1 for _ in failures)} unexpected), "
          f"{'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _truncate(conn) -> None:
    conn.execute("TRUNCATE " + ", ".join(f"ads.{t}" for t in FINAL_TABLES) + ", ads_sync.coverage")
    conn.commit()


def _snapshot(conn) -> dict[str, Counter]:
    """Per account, a multiset of every final row (without updated_at): equal multisets mean nothing
    lost, nothing duplicated, no partial window."""
    result: dict[str, Counter] = defaultdict(Counter)
    for table in FINAL_TABLES:
        cur = conn.execute(f"SELECT * FROM ads.{table}")
        names = [c.name for c in cur.description]
        for row in cur:
            record = dict(zip(names, row, strict=True))
            record.pop("updated_at")
            result[record["account_id"]][(table, *record.values())] += 1
    return result


def _secrets_seen(conn, home: Path, log_file: Path) -> int:
    import sqlite3

    texts = [log_file.read_text(errors="replace")]
    texts += [p.read_text(errors="replace") for p in home.rglob("*.log")]
    with sqlite3.connect(home / "airflow.db") as meta:
        texts += [str(r[0]) for r in meta.execute("SELECT value FROM xcom")]
        texts += [str(r[0]) for r in meta.execute("SELECT rendered_fields FROM rendered_task_instance_fields")]
    texts += [r[0] for r in conn.execute("SELECT row_to_json(r)::text FROM ads_sync.sync_runs r")]
    texts += [r[0] for r in conn.execute("SELECT row_to_json(a)::text FROM ads_sync.account_status a")]
    blob = "\n".join(texts)
    return sum(blob.count(secret) for secret in SECRETS.values())


def _print_table(runs, recovered, lost, duplicated, secrets_seen: int) -> None:
    header = f"{'fault':<32} {'runs':>5} {'recovered':>9} {'rows lost':>9} {'rows duplicated':>15} {'secrets seen':>12}"
    print(header)
    print("-" * len(header))
    for name in ALL_CASES:
        if runs[name]:
            print(f"{name:<32} {runs[name]:>5} {recovered[name]:>9} {lost[name]:>9} {duplicated[name]:>15} {'':>12}")
    print("-" * len(header))
    print(f"{'total':<32} {sum(runs.values()):>5} {sum(recovered.values()):>9} {sum(lost.values()):>9} "
          f"{sum(duplicated.values()):>15} {secrets_seen:>12}")


if __name__ == "__main__":
    sys.exit(main())
