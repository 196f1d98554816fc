"""The soak: many accounts, every DAG kind, hundreds of runs with seeded random faults; at the end each
account's final tables must equal a fault-free reference. `make reliability` runs it and prints one
table: fault, runs, recovered, rows lost, rows duplicated, secrets seen.

    python -m tests.reliability.soak [--accounts 20] [--runs 200] [--seed 7]
    python -m tests.reliability.soak --accounts 6 --each 5     # CI: every fault class 5 times

The reference is exact: the union of the windows the soak's successful runs loaded (from
`ads_sync.sync_runs`), replayed fault-free as force_syncs of those dates. "Now" is pinned once: every run
has the same logical instant (a microsecond apart, for distinct run ids) and the sandbox the same today,
so the windows and the API's answers do not depend on the weekday, the hour, or midnight passing in some
account's time zone during the soak.
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
    #: waits out real time (a throttle deferred for Meta's 1-minute estimate): --slow-each caps it in CI
    slow: bool = False


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
    FaultCase("google stream removed", _g("STREAM_REMOVED", resource="ad_group", nth=2, after_rows=3), False),
    FaultCase("google token expired", _g("TOKEN_EXPIRED", nth=1), False),
]
META_CATALOGUE = [
    FaultCase("none", lambda a: [], fails=False),
    # code 17 with a 1-minute estimate: longer than a worker sleeps, so the extract defers, then finishes
    FaultCase("meta throttled (17), deferred", _m("THROTTLED", nth=2), False, slow=True),
    FaultCase("meta rate limit (4)", _m("APP_LIMIT", nth=2), False),
    # on a GET (a 503 on the report POST is ambiguous and fails the run by design: tests/integration)
    FaultCase("meta HTTP 503", _m("HTTP_503", resource="campaigns", nth=1), False),
    FaultCase("meta 200 cut off", _m("TRUNCATED_200", resource="campaigns", nth=1), False),
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
    parser.add_argument("--each", type=int, default=0,
                        help="instead of random picks: run every fault class this many times, round-robin")
    parser.add_argument("--slow-each", type=int, default=None,
                        help="with --each: how often the classes that wait out real time run (default: --each)")
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
    # pinned for the whole soak: the runs' logical instant and the sandbox's today (a day ahead of UTC, so
    # no account's local yesterday is after it)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.date() + timedelta(days=1)
    try:
        with Sandbox(state_dir=work / "sandbox", today=today) as box:
            # one process (dag.test() runs one after the other), so SQLite metadata is safe here
            env = local.airflow_env(home=home, warehouse=url, metadata=f"sqlite:///{home / 'airflow.db'}", sandbox=box)
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
            return _soak(args, box, Fault, url, account_ids, home, log_file, now)
    finally:
        if own_pg:
            embedded.stop(work / "pg")


def _soak(args: argparse.Namespace, box, Fault, url: str, accounts: list[tuple[str, str]], home: Path,
          log_file: Path, now: datetime) -> int:
    import psycopg
    from airflow.dag_processing.dagbag import DagBag

    from ads_sync import warehouse

    with psycopg.connect(url) as conn:
        warehouse.migrate(conn)
        _truncate(conn)
        conn.execute("TRUNCATE ads_sync.sync_runs")
        conn.commit()
    bag = DagBag(dag_folder=str(ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    rng = random.Random(args.seed)
    runs: Counter[str] = Counter()
    recovered: Counter[str] = Counter()
    #: (account, fault, sync_runs ids above this belong to the faulted run and its follow-up)
    faulted_runs: list[tuple[str, str, int]] = []
    failures: list[str] = []

    platform_of = dict((a, p) for p, a in accounts)
    account_ids = [a for _, a in accounts]

    ticks = iter(range(1, 10**6))

    def run(account: str, kind: str, conf: dict | None) -> str:
        dag = bag.dags[f"ads_sync__{platform_of[account]}__{account}__{kind}"]
        # one pinned instant for every run; a microsecond apart so each run has its own run id
        return str(dag.test(logical_date=now + timedelta(microseconds=next(ticks)), run_conf=conf).state)

    # every account starts with a fault-free weekly run, as a newly registered account does
    plan = [(a, "weekly", None, "none") for a in account_ids]
    slow_each = args.each if args.slow_each is None else args.slow_each
    if args.each:
        plan += _round_robin(args.each, slow_each, account_ids, platform_of, rng)
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
        before = _max_run_id(url)
        state = run(account, kind, conf)
        box.faults.clear()
        runs[name] += 1
        faulted_runs.append((account, name, before))
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
        loaded = _loaded_windows(conn)
        touched = _touched_dates(conn, faulted_runs)
        _truncate(conn)
    for account in account_ids:  # the fault-free reference: exactly the windows that were loaded
        for start, end in _union(loaded.get(account, [])):
            conf = {"start_date": start.isoformat(), "end_date": end.isoformat()}
            if run(account, "force_sync", conf) != "success":
                failures.append(f"reference: force_sync {conf} of {account} failed without faults")
    with psycopg.connect(url) as conn:
        reference = _snapshot(conn)
        secrets_seen = _secrets_seen(conn, home, log_file)

    lost, duplicated, total_lost, total_duplicated = _attribute(soaked, reference, touched)
    _print_table(runs, recovered, lost, duplicated, secrets_seen, total_lost, total_duplicated)
    for line in failures:
        print(f"soak: {line}")
    total_runs = sum(runs.values())
    ok = (not failures and total_lost == 0 and total_duplicated == 0 and secrets_seen == 0
          and total_runs >= args.runs and all(runs[c.name] >= (slow_each if c.slow else args.each)
                                              for c in _cases(account_ids, platform_of)))
    print(f"soak: {len(account_ids)} accounts, {total_runs} runs (+{sum(1 for _ in failures)} unexpected), "
          f"{'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


def _cases(account_ids: list[str], platform_of: dict[str, str]) -> list[FaultCase]:
    """The fault classes (not "none") the registry's platforms can meet."""
    platforms = set(platform_of.values())
    cases = [c for c in CATALOGUE if "google_ads" in platforms] + [c for c in META_CATALOGUE if "meta" in platforms]
    return [c for c in cases + SHEETS_CATALOGUE if c.name != "none"]


def _round_robin(each: int, slow_each: int, account_ids: list[str], platform_of: dict[str, str],
                 rng: random.Random) -> list[tuple[str, str, dict | None, str]]:
    """Every fault class `each` times (Google cases on Google accounts, Meta cases on Meta ones, Sheets
    cases alternating between them), cycling through accounts and DAG kinds so every kind meets faults."""
    pools = {p: [a for a in account_ids if platform_of[a] == p] for p in ("google_ads", "meta")}
    sheets_on = [p for p in pools if pools[p]]
    turns: Counter[str] = Counter()
    plan = []
    for round_ in range(each):
        work = [("google_ads", c) for c in CATALOGUE] + [("meta", c) for c in META_CATALOGUE]
        work += [(sheets_on[round_ % len(sheets_on)], c) for c in SHEETS_CATALOGUE]
        for platform, case in work:
            pool = pools[platform]
            if not pool or (case.slow and round_ >= slow_each) or (case.name == "none" and round_ % 2):
                continue
            turn = turns[platform]
            turns[platform] += 1
            account, kind = pool[turn % len(pool)], KINDS[turn % len(KINDS)]
            plan.append((account, kind, rng.choice(FORCE_CONFS) if kind == "force_sync" else None, case.name))
    return plan


def _max_run_id(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM ads_sync.sync_runs").fetchone()[0])


def _loaded_windows(conn) -> dict[str, list[tuple]]:
    """Per account, the windows of its successful runs: what the soak actually loaded."""
    found: dict[str, list[tuple]] = defaultdict(list)
    for account, start, end in conn.execute(
        "SELECT account_id, window_start, window_end FROM ads_sync.sync_runs WHERE status = 'success'"
    ):
        found[account].append((start, end))
    return found


def _union(windows: list[tuple]) -> list[tuple]:
    """Overlapping or adjacent windows merged: the fewest force_syncs that load exactly these dates."""
    merged: list[list] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _touched_dates(conn, faulted_runs: list[tuple[str, str, int]]) -> dict[str, dict[str, list[tuple]]]:
    """Per account and fault, the windows of the runs made under that fault and of the run that followed
    a failure: the dates that fault could have lost or duplicated rows on."""
    ends = [before for _, _, before in faulted_runs[1:]] + [None]
    touched: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for (account, name, before), after in zip(faulted_runs, ends, strict=True):
        rows = conn.execute(
            "SELECT window_start, window_end FROM ads_sync.sync_runs"
            " WHERE id > %s AND (%s::bigint IS NULL OR id <= %s)",
            (before, after, after),
        ).fetchall()
        touched[account][name] += [(s, e) for s, e in rows]
    return touched


def _attribute(soaked: dict[str, Counter], reference: dict[str, Counter],
               touched: dict[str, dict[str, list[tuple]]]) -> tuple[Counter, Counter, int, int]:
    """Each lost or duplicated row counts for every fault whose runs covered its date (entity rows, which
    have none, for every fault the account met), and once in the totals."""
    lost: Counter[str] = Counter()
    duplicated: Counter[str] = Counter()
    total_lost = total_duplicated = 0
    for account in set(soaked) | set(reference):
        got, want = soaked.get(account, Counter()), reference.get(account, Counter())
        for diff, counter in ((want - got, lost), (got - want, duplicated)):
            for row, n in diff.items():
                day = _row_date(row)
                for name, windows in touched.get(account, {}).items():
                    if day is None or any(s <= day <= e for s, e in windows):
                        counter[name] += n
        total_lost += sum((want - got).values())
        total_duplicated += sum((got - want).values())
    return lost, duplicated, total_lost, total_duplicated


def _row_date(row: tuple):
    from datetime import date

    return next((v for v in row[1:] if isinstance(v, date) and not isinstance(v, datetime)), None)


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


def _print_table(runs, recovered, lost, duplicated, secrets_seen: int, total_lost: int,
                 total_duplicated: int) -> None:
    header = f"{'fault':<32} {'runs':>5} {'recovered':>9} {'rows lost':>9} {'rows duplicated':>15} {'secrets seen':>12}"
    print(header)
    print("-" * len(header))
    for name in ALL_CASES:
        if runs[name]:
            print(f"{name:<32} {runs[name]:>5} {recovered[name]:>9} {lost[name]:>9} {duplicated[name]:>15} {'':>12}")
    print("-" * len(header))
    print(f"{'total (each row once)':<32} {sum(runs.values()):>5} {sum(recovered.values()):>9} {total_lost:>9} "
          f"{total_duplicated:>15} {secrets_seen:>12}")


if __name__ == "__main__":
    sys.exit(main())
