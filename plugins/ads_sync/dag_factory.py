"""Builds the DAGs the registry implies: per account a daily, a weekly and a force_sync DAG, and an
intraday DAG for accounts whose frequency is 30min or hourly (issue 17).

Parse-time cost is the scale limit (DESIGN.md): no I/O but reading the registry, three lean tasks a
DAG, operators imported here but hooks and client libraries only when a task runs, and only the DAG
being run is built when Airflow tells us which one it is (`get_parsing_context`).
"""
from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from airflow.sdk import DAG, CronTriggerTimetable, Param, get_parsing_context
from airflow.sdk.definitions.param import ParamsDict

from ads_sync.operators.push import PushSummariesOperator
from ads_sync.operators.reconcile import ReconcileOperator
from ads_sync.operators.sync import (
    ExtractOperator,
    Kind,
    MergeOperator,
    ResolveWindowOperator,
)
from ads_sync.registry import Account, Registry, RegistryError
from ads_sync.registry_cache import cached_registry

KINDS: tuple[Kind, ...] = ("daily", "weekly", "force_sync", "intraday")
#: DAG files in dags/ (`ads_sync_shard_NN.py`), each holding the accounts `shard_of` assigns it. 16 keep a
#: file at ~310 accounts (~2 s here) at 5,000 accounts and ~1,250 (~7 s) at 20,000, well under half the
#: dag-processor's 50 s timeout; changing it moves DAGs between files once (README, "Scale-out").
SHARDS = 16
START_DATE = datetime(2024, 1, 1)
DEFAULT_ARGS: dict[str, Any] = {
    "owner": "ads-sync",
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
}
#: every task has one, so a hung call can never hold a worker (and the run's row) forever; the extract's
#: covers its time in the worker (deferrals have their own timeouts)
EXECUTION_TIMEOUTS = {
    "resolve_window": timedelta(minutes=10),
    "extract": timedelta(hours=3),
    "merge": timedelta(hours=1),
    "reconcile": timedelta(minutes=30),
    "push_summaries": timedelta(minutes=30),
    "report_registry_error": timedelta(minutes=5),
}
#: an intraday run must end before its next slot (a late one is skipped, see windows.late_for_next_slot)
INTRADAY_TIMEOUTS = {
    "resolve_window": timedelta(minutes=5),
    "extract": timedelta(minutes=20),
    "merge": timedelta(minutes=10),
    "reconcile": timedelta(minutes=10),
    "push_summaries": timedelta(minutes=10),
}
#: cron per kind (the daily and weekly DAGs are the same for every scheduled frequency) and, for
#: intraday, per frequency; all in the account's time zone
SCHEDULES = {
    "daily": "0 2 * * *",
    "weekly": "0 3 * * 0",
    "intraday:30min": "0,30 * * * *",
    "intraday:hourly": "0 * * * *",
}
#: caps concurrent Sheets pushes across DAGs (Sheets allows 60 writes a minute per user)
SHEETS_POOL = "google_sheets_api"


def extractor(account: Account) -> type[ExtractOperator]:
    """The platform's own ExtractOperator when its spec names one (imported at parse: it is an operator)."""
    from ads_sync.sources.spec import load

    path = account.info.extract_operator
    return cast("type[ExtractOperator]", load(path)) if path else ExtractOperator


#: Airflow validates every Param's schema against its meta-schema each time it resolves one, several times per
#: task while serializing; draft 2020-12's meta-schema (jsonschema's default) costs ~2.3x draft 7's, and
#: Params are most of the dag-processor's time per DAG (bench/, "parsing"). Draft 7 has all we use.
SCHEMA_DRAFT: dict[str, Any] = {"$schema": "http://json-schema.org/draft-07/schema#"}
PRESETS = ["yesterday", "last_7_days", "last_30_days", "this_month", "last_month"]


def dag_id(account: Account, kind: Kind) -> str:
    return f"ads_sync__{account.platform}__{account.account_id}__{kind}"


#: a switch with a default: Airflow's form marks a Param required unless its type lists "null", so the type
#: lists it and `not` refuses null, keeping the REST API's 400 for `"dry_run": null`
OPTIONAL_BOOLEAN: dict[str, Any] = {"type": ["boolean", "null"], "not": {"type": "null"}}
PRESET_LABELS: dict[str, str] = {
    "null": "none (use weeks or dates, or the 10-week default)",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "this_month": "This month",
    "last_month": "Last month",
}


def _dry_run() -> Param:
    return Param(
        False, **SCHEMA_DRAFT, **OPTIONAL_BOOLEAN, title="Dry run",
        description="Resolve and log the window and the API requests; fetch and write nothing.",
    )


def params_for(kind: Kind) -> dict[str, Param]:
    """Every optional Param is nullable: one invalid default would hide every DAG of the file."""
    if kind != "force_sync":
        return {"dry_run": _dry_run()}
    return {
        "weeks": Param(
            None, **SCHEMA_DRAFT, type=["null", "integer"], minimum=1, maximum=52, title="Weeks",
            description="Reload the N complete weeks (Mon–Sun) before the current one, 1 to 52. "
            "Leave empty and choose dates or a preset instead; with nothing chosen, 10 weeks.",
        ),
        "include_current_week": Param(
            False, **SCHEMA_DRAFT, **OPTIONAL_BOOLEAN, title="Include the current week",
            description="With weeks: also load the current week from Monday to yesterday.",
        ),
        "start_date": Param(
            None, **SCHEMA_DRAFT, type=["null", "string"], format="date", title="Start date",
            description="First day to reload (YYYY-MM-DD, in the account's time zone). Needs an end date.",
        ),
        "end_date": Param(
            None, **SCHEMA_DRAFT, type=["null", "string"], format="date", title="End date",
            description="Last day to reload, inclusive; not in the future.",
        ),
        "preset": Param(
            None, **SCHEMA_DRAFT, type=["null", "string"], enum=[None, *PRESETS], title="Preset range",
            values_display=PRESET_LABELS,
            description="A named range ending yesterday: " + ", ".join(PRESETS) + ".",
        ),
        "dry_run": _dry_run(),
    }


def kinds_for(account: Account) -> tuple[Kind, ...]:
    """The DAG kinds of one account: intraday only where the registry asks for it (parse cost)."""
    return KINDS if account.intraday else KINDS[:3]


def _schedule(account: Account, kind: Kind) -> CronTriggerTimetable | None:
    if kind == "force_sync" or not account.active or account.frequency == "manual":
        return None
    cron = SCHEDULES[f"intraday:{account.frequency}" if kind == "intraday" else kind]
    return CronTriggerTimetable(cron, timezone=account.timezone)


DOC = """\
### {title}

Syncs **{name}** ({platform} account `{account_id}`, {timezone}, {currency}) into PostgreSQL.

{what}

Tasks: `resolve_window` validates the conf and computes the window (nothing is fetched or written
when it fails), `extract` streams entities and reports into staging, `merge` replaces the window in
`ads.*` in one transaction and records the run in `ads_sync.sync_runs`, `reconcile` compares the window
with the platform's own account totals (one request; differences land in `ads_sync.reconciliation`
and make the account `mismatch`), `push_summaries` writes the
account's summaries to Google Sheets (skipped when no spreadsheet is configured; a failure there
leaves the load committed).
"""
WHAT = {
    "daily": "Every day at {time} {timezone}: the last {lookback} complete days, because conversions "
    "arrive late. A backfill run loads only the calendar day of its logical date.",
    "weekly": "Sundays at 03:00 {timezone}: the 10 complete ISO weeks before the current one. "
    "A backfill run loads only its own week.",
    "force_sync": "No schedule. Trigger it with exactly one of: `weeks` (1–52), `start_date` + "
    "`end_date`, or a `preset`; with none, the 10 complete weeks before the current one.",
    "intraday": "{cadence} in {timezone}: today so far (facts only; entities come from the daily run, or when "
    "a fact names one the warehouse does not know). The day stays marked partial until the daily run "
    "loads it complete the next morning. One run at a time; a run that starts when its next slot is "
    "already due is skipped, not queued. A run that changes nothing writes nothing.",
}
CADENCE = {"30min": "Every 30 minutes", "hourly": "Every hour"}


def build_account_dag(account: Account, kind: Kind, *, overview_sheet: str | None = None) -> DAG:
    schedule = _schedule(account, kind)
    title = f"{account.name} · {kind.replace('_', ' ')}"
    what = WHAT[kind].format(
        time="02:00", timezone=account.timezone, lookback=account.lookback_days,
        cadence=CADENCE.get(account.frequency, "Not scheduled"),
    )
    timeouts = INTRADAY_TIMEOUTS if kind == "intraday" else EXECUTION_TIMEOUTS
    if schedule is None and kind != "force_sync":
        what += " Not scheduled: the account is " + ("inactive." if not account.active else "manual.")
    with DAG(
        dag_id=dag_id(account, kind),
        dag_display_name=title,
        description=f"{account.info.label} {account.account_id} {kind}",
        doc_md=DOC.format(
            title=title, name=account.name, platform=account.info.label, account_id=account.account_id,
            timezone=account.timezone, currency=account.currency, what=what,
        ),
        schedule=schedule,
        start_date=START_DATE.replace(tzinfo=_tz(account.timezone)),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["ads-sync", account.platform, f"account:{account.account_id}", kind],
        **_notification_callbacks(account),
    ) as dag:
        resolve = ResolveWindowOperator(task_id="resolve_window", account=account, kind=kind, retries=0,
                                        execution_timeout=timeouts["resolve_window"])
        extract = extractor(account)(
            task_id="extract", account=account, kind=kind, pool=account.info.pool,
            execution_timeout=timeouts["extract"],
        )
        merge = MergeOperator(task_id="merge", account=account, kind=kind,
                              execution_timeout=timeouts["merge"])
        check = ReconcileOperator(task_id="reconcile", account=account, kind=kind, pool=account.info.pool,
                                  execution_timeout=timeouts["reconcile"])
        push = PushSummariesOperator(
            task_id="push_summaries", account=account, kind=kind, pool=SHEETS_POOL, overview_sheet=overview_sheet,
            execution_timeout=timeouts["push_summaries"],
        )
        resolve >> extract >> merge >> check >> push
    # Params set after the tasks, so no task carries a copy: the task runner merges the DAG's params into
    # the context anyway (process_params), and every copy was re-validated several times per task while
    # serializing (bench/parsing.py: most of the dag-processor's time per DAG). Set as Airflow's own
    # converter sets them, without its validator: it checks that a scheduled DAG's defaults fit their
    # schemas, a jsonschema meta-schema pass per Param per DAG per parse (~15% of a daily DAG's parse) for
    # defaults that are constants; tests/dags/test_dag_integrity.py validates them once. Triggers and the
    # REST API still validate every conf against these Params.
    object.__setattr__(dag, "params", ParamsDict(params_for(kind)))
    return dag


def _notification_callbacks(account: Account) -> dict[str, Any]:
    """Issue 16: after each finished run (not per try), tell the registry's `notify:` people about a change."""
    if account.notify is None:
        return {}
    from ads_sync.notifications import AccountNotifications

    callback = AccountNotifications(account)
    return {"on_success_callback": callback, "on_failure_callback": callback}


def _tz(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def build_error_dag(error: RegistryError) -> DAG:
    """A bad registry entry becomes a DAG of its own that fails with the message: impossible to miss
    in the UI, and it hides nothing else.

    Why a DAG that is not paused on creation and fails at once, rather than an import error: the registry is
    read by one DAG file, so an import error would hide every account's DAGs, not only the bad entry's. This
    DAG is unpaused, `@once` with a start date in the past, so the scheduler runs it as soon as it is parsed
    and the DAG list shows a failed run without anyone pressing anything. Its id names the entry by what it
    is (`entry_<platform>_<account_id>`, or a hash of the content), so adding other entries does not move
    it, and fixing the entry makes it disappear."""
    from airflow.providers.standard.operators.python import PythonOperator

    with DAG(
        dag_id=f"ads_sync__invalid__{error.slug}",
        dag_display_name=f"INVALID registry entry: {error.entry}",
        description=str(error)[:1000],
        doc_md=f"### Invalid entry in include/accounts.yaml\n\n{error}\n\nFix the entry; this DAG then disappears.",
        schedule="@once",
        start_date=START_DATE,
        catchup=False,
        is_paused_upon_creation=False,
        tags=["ads-sync", "invalid-registry-entry"],
    ) as dag:
        PythonOperator(task_id="report_registry_error", python_callable=_fail, op_args=[str(error)],
                       execution_timeout=EXECUTION_TIMEOUTS["report_registry_error"])
    return dag


def _fail(message: str) -> None:
    from airflow.sdk.exceptions import AirflowFailException

    raise AirflowFailException(f"Invalid registry entry: {message}")


def build_dags(
    registry: Registry | Path, *, shard: int = 0, shards: int = 1
) -> Iterator[DAG]:
    """Every DAG of the registry, or of one shard of it (`shard_of`). When a task runs, Airflow names its
    DAG and only that one is built (its account found by key, not by scanning)."""
    if not isinstance(registry, Registry):
        registry = cached_registry(registry)
    wanted = get_parsing_context().dag_id
    if wanted is not None:
        yield from _wanted_dag(registry, wanted, shard=shard, shards=shards)
        return
    for account in registry.accounts:
        if shards > 1 and shard_of(account.key, shards) != shard:
            continue
        for kind in kinds_for(account):
            yield build_account_dag(account, kind, overview_sheet=registry.overview_sheet)
    if shard == 0:  # the discover DAG and each invalid entry's DAG exactly once over all shard files
        from ads_sync.discovery.dag import build_discover_dag

        yield build_discover_dag(registry)  # issue 16: accounts under the managers, never edits the file
        for error in registry.errors:
            yield build_error_dag(error)


def _wanted_dag(registry: Registry, wanted: str, *, shard: int, shards: int) -> Iterator[DAG]:
    parts = wanted.split("__")
    if len(parts) == 4 and parts[0] == "ads_sync" and parts[1] != "invalid":
        account = registry.get(f"{parts[1]}__{parts[2]}")
        kind = parts[3]
        if (
            account is not None and kind in kinds_for(account)
            and (shards == 1 or shard_of(account.key, shards) == shard)
        ):
            yield build_account_dag(account, cast(Kind, kind), overview_sheet=registry.overview_sheet)
        return
    if shard == 0:
        from ads_sync.discovery.dag import DAG_ID as DISCOVER
        from ads_sync.discovery.dag import build_discover_dag

        if wanted == DISCOVER:
            yield build_discover_dag(registry)
        for error in registry.errors:
            if wanted == f"ads_sync__invalid__{error.slug}":
                yield build_error_dag(error)


def shard_of(key: str, shards: int) -> int:
    """The shard file an account's DAGs live in: a stable hash of its key (never its position), so adding
    or removing an account moves no other account's DAGs. CRC-32, not `hash()`: the same in every process."""
    return zlib.crc32(key.encode("utf-8")) % shards


def registry_path(dag_file: str | Path) -> Path:
    """ADS_SYNC_REGISTRY (the soak test uses it; so can a deployment), else include/accounts.yaml beside
    the DAG file's folder."""
    configured = os.environ.get("ADS_SYNC_REGISTRY")
    return Path(configured) if configured else Path(dag_file).resolve().parent.parent / "include" / "accounts.yaml"


def expose_shard(namespace: dict[str, Any], shard: int) -> None:
    """What a shard DAG file does: put its shard's DAGs at module level, where the DagBag looks."""
    if not 0 <= shard < SHARDS:
        raise ValueError(f"shard {shard} is outside 0..{SHARDS - 1}; dags/ holds one file per shard")
    for dag in build_dags(registry_path(namespace["__file__"]), shard=shard, shards=SHARDS):
        namespace[dag.dag_id] = dag
