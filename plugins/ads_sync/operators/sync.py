"""The three tasks of every sync DAG: resolve the window, extract into staging, merge.

Work happens in `execute()`; `__init__` only stores arguments. Each returns a small dict for XCom
(a window, counts), never rows.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from ads_sync.errors import AccountDisabled, InvalidConf, Throttled

if TYPE_CHECKING:
    from ads_sync.registry import Account
    from ads_sync.runlog import RunRef
    from ads_sync.windows import Window

Kind = Literal["daily", "weekly", "force_sync", "intraday"]
RESOLVE_TASK = "resolve_window"


def load_id(context: Mapping[str, Any]) -> str:
    """Staging tag: run ids repeat across DAGs (scheduled__<date>), so qualify them with the DAG."""
    from ads_sync.runlog import RunRef

    return RunRef.load_id_of(context["dag"].dag_id, context["dag_run"].run_id)


class AccountSyncOperator(BaseOperator):
    """What the three tasks share: the account, the kind of run, the warehouse, failure bookkeeping."""

    ui_color = "#e8f4fd"

    def __init__(
        self,
        *,
        account: Account,
        kind: Kind,
        warehouse_conn_id: str = "ads_warehouse",
        **kwargs: Any,
    ) -> None:
        # failures outside execute() (a deferral that timed out, a trigger that failed, a killed worker failed
        # by the scheduler, execution_timeout) still end the run and the account in the sync log. Set per
        # task, not in the DAG's default_args: a callable there is serialized as its source code, read with
        # inspect.getsource for every DAG at every parse (~8% of the dag-processor's time per DAG).
        kwargs.setdefault("on_failure_callback", record_failure_callback)
        super().__init__(**kwargs)
        self.account = account
        self.kind = kind
        self.warehouse_conn_id = warehouse_conn_id

    def execute(self, context: Any) -> Any:
        return self.guarded(context, self.run, context)

    #: whether a Throttled error defers the task (the extract) instead of failing it
    defers_when_throttled = False

    def guarded(self, context: Any, fn: Any, *args: Any) -> Any:
        """Run fn and record any failure; also what a deferred task resumes through. (TaskDeferred is a
        BaseException, so deferring passes through untouched.)"""
        try:
            return fn(*args)
        except AccountDisabled as exc:
            self.record_disabled(context, exc)
            raise
        except AirflowSkipException:
            raise
        except Throttled as exc:
            if self.defers_when_throttled:
                self.defer_throttled(context, exc)
            self.record_failure(context, exc)
            raise
        except Exception as exc:
            self.record_failure(context, exc)
            raise

    def defer_throttled(self, context: Any, exc: Throttled) -> None:
        """Wait out a throttle in the triggerer (no worker slot held), then start this task again."""
        from airflow.providers.standard.triggers.temporal import TimeDeltaTrigger

        from ads_sync import warehouse

        self.log.warning("%s: deferring %.0f s, holding no worker slot, then starting %s again",
                         exc, exc.seconds, self.task_id)
        with self.connect() as conn, conn.transaction():
            warehouse.clear_staging(conn, load_id(context))
        self.defer(trigger=TimeDeltaTrigger(timedelta(seconds=exc.seconds)), method_name="resume_after_wait",
                   timeout=timedelta(seconds=exc.seconds + 600))

    def resume_after_wait(self, context: Any, event: Any = None) -> Any:
        """Where a task that waited out a throttle continues: from the start (staging was cleared)."""
        return self.execute(context)

    def run(self, context: Any) -> Any:
        raise NotImplementedError

    def window(self, context: Any) -> dict[str, Any]:
        resolved = context["ti"].xcom_pull(task_ids=RESOLVE_TASK)
        if not resolved or resolved.get("dry_run"):
            raise AirflowSkipException("dry run: the window and the requests were logged; nothing is fetched")
        return resolved

    def connect(self) -> Any:
        from ads_sync import warehouse

        return warehouse.connect(self.warehouse_conn_id)

    def run_ref(self, context: Any) -> RunRef:
        """This task's run and account in the run log."""
        from ads_sync.runlog import RunRef

        return RunRef(dag_id=context["dag"].dag_id, run_id=context["dag_run"].run_id,
                      platform=self.account.platform, account_id=self.account.account_id)

    def record_disabled(self, context: Any, exc: AccountDisabled) -> None:
        """The platform says the account is disabled: the run is skipped (not failed), the account `disabled`."""
        from ads_sync import runlog, warehouse

        self.log.warning("Skipping %s: %s", self.account.key, str(exc)[:runlog.ERROR_LIMIT])
        try:
            with self.connect() as conn, conn.transaction():
                warehouse.clear_staging(conn, load_id(context))
                runlog.disabled(conn, self.run_ref(context), exc)
        except Exception as bookkeeping_error:  # noqa: BLE001 - the skip itself matters more
            self.log.error("Could not record the skip in the sync log: %s", bookkeeping_error)

    def is_last_try(self, context: Any, exc: BaseException) -> bool:
        """Whether Airflow will not retry this failure: it asked not to, or the retries are spent."""
        return isinstance(exc, AirflowFailException) or context["ti"].try_number > (self.retries or 0)

    def record_failure(self, context: Any, exc: BaseException, *, final: bool | None = None) -> None:
        """Mark the run failed (or retrying) and the account failed, and drop this load's staging rows.

        Never masks the original error: a warehouse that cannot be reached is logged and left.
        """
        from ads_sync import runlog, warehouse

        if final is None:
            final = self.is_last_try(context, exc)
        try:
            with self.connect() as conn:
                with conn.transaction():
                    warehouse.clear_staging(conn, load_id(context))
                    runlog.failed(conn, self.run_ref(context), exc, final=final)
        except Exception as bookkeeping_error:  # noqa: BLE001 - the task's own error matters more
            self.log.error("Could not record the failure in the sync log: %s", bookkeeping_error)


class ResolveWindowOperator(AccountSyncOperator):
    """Validate the run's conf and turn it into a date window, before any API request or write."""

    def run(self, context: Any) -> dict[str, Any]:
        from ads_sync import runlog, warehouse
        from ads_sync.connectors import connector_for
        from ads_sync.windows import ConfError, resolve_window, validate_conf

        run = context["dag_run"]
        self.skip_if_late(run)
        # The run's own conf, not context["params"]: every Param defaults to null/false, so the conf
        # alone says what was chosen, and unknown keys are caught here (Airflow accepts them).
        conf = dict(run.conf or {})
        try:
            validate_conf(conf, allowed=set(context["dag"].params.keys()))
            window = resolve_window(
                kind=self.kind,
                run_type=str(getattr(run.run_type, "value", run.run_type)),
                logical_date=run.logical_date,
                run_after=run.run_after,
                conf=conf,
                timezone=self.account.timezone,
                lookback_days=self.account.lookback_days,
                retention_months=self.account.info.retention_months,
                now=datetime.now(UTC),
            )
        except ConfError as exc:
            raise InvalidConf(f"Invalid conf for {context['dag'].dag_id}: {exc}") from None
        if window is None:
            raise AirflowSkipException("this backfill run stands for a period that has not ended yet")
        self.log.info("Window for %s (%s): %s to %s: %s", self.account.key, self.kind, window.start,
                      window.end, window.why)
        from ads_sync import versions

        versions.log_state(self.log, self.account.platform)  # issue 16: warns from 90 days before a sunset
        dry_run = conf.get("dry_run") is True
        if dry_run:
            connector = connector_for(self.account)
            # intraday: the facts; entities only if a fact named a new one, which a dry run cannot know
            steps = connector.fact_steps(window) if self.kind == "intraday" else connector.steps(window)
            for step in steps:
                self.log.info("Dry run: would request %s: %s", step.table.name, step.request)
            return {**window.as_dict(), "dry_run": True}
        with self.connect() as conn:
            warehouse.migrate(conn)
            from ads_sync.sweep import airflow_run_state, sweep

            sweep(conn, self.account, dag_id=context["dag"].dag_id, run_id=run.run_id,
                  run_state=airflow_run_state(context["ti"]))
            runlog.started(conn, self.run_ref(context), run_type=str(getattr(run.run_type, "value", run.run_type)),
                           kind=self.kind, start=window.start, end=window.end)
        return {**window.as_dict(), "dry_run": False}

    def skip_if_late(self, run: Any) -> None:
        """An intraday run the scheduler starts when its next slot is already due (a slow previous run, a
        busy scheduler) is skipped, not run behind time: it would overlap the next one, which reads the same
        day fresher. Only scheduled runs: a run someone triggered is run."""
        from ads_sync.windows import late_for_next_slot

        run_type = str(getattr(run.run_type, "value", run.run_type))
        if self.kind != "intraday" or run_type != "scheduled" or run.logical_date is None:
            return
        now = datetime.now(UTC)
        if late_for_next_slot(run.logical_date, self.account.frequency, now):
            message = (f"intraday run for the slot {run.logical_date.isoformat()} starts at {now.isoformat()}, "
                       f"when its next slot is already due: skipped so it cannot overlap the next run")
            self.log.warning("Skipping %s: %s", self.account.key, message)
            raise AirflowSkipException(message)

    def record_failure(self, context: Any, exc: BaseException, *, final: bool | None = None) -> None:
        """A bad conf writes nothing anywhere; other failures are recorded as usual."""
        if isinstance(exc, InvalidConf):
            return
        super().record_failure(context, exc)


def _window(resolved: Mapping[str, Any]) -> Window:
    from ads_sync.windows import Window

    return Window.from_dict(resolved)


class ExtractOperator(AccountSyncOperator):
    """Stream every entity and report of the window from the API into staging."""

    defers_when_throttled = True

    def run(self, context: Any) -> dict[str, int]:
        from ads_sync.connectors import connector_for

        window = _window(self.window(context))
        connector = connector_for(self.account)
        if self.kind == "intraday":
            return self.stage_intraday(context, connector, window)
        return self.stage(context, connector, connector.steps(window), connector.rollups(window))

    def stage_intraday(self, context: Any, connector: Any, window: Window) -> dict[str, int]:
        """Today's facts, and entities only when a fact names a new one (ads_sync.intraday)."""
        from ads_sync import intraday, runlog

        with self.connect() as conn:
            bind = getattr(connector, "bind_warehouse", None)
            if bind is not None:
                bind(conn)
            rows, _ = intraday.extract(conn, connector, window, load_id=load_id(context), account=self.account)
            runlog.extract_recorded(conn, self.run_ref(context), api_requests=connector.requests, rows_extracted=rows)
        self.log.info("Extracted %s rows of today so far for %s in %s API requests", rows, self.account.key,
                      connector.requests)
        return {"rows_extracted": rows, "api_requests": connector.requests}

    def stage(self, context: Any, connector: Any, steps: Any, rollups: Any) -> dict[str, int]:
        """Stream the steps into staging, roll up, and record the extract in the sync log."""
        from ads_sync import pipeline, runlog
        from ads_sync.retry import RetryPolicy

        with self.connect() as conn:
            bind = getattr(connector, "bind_warehouse", None)
            if bind is not None:  # Meta: deleted ads the warehouse knows are read by id
                bind(conn)
            rows = pipeline.extract(
                conn, steps, load_id=load_id(context), account=self.account,
                classify=connector.classify, policy=RetryPolicy(), rollups=rollups,
            )
            runlog.extract_recorded(conn, self.run_ref(context), api_requests=connector.requests, rows_extracted=rows)
        self.log.info("Extracted %s rows for %s in %s API requests", rows, self.account.key, connector.requests)
        return {"rows_extracted": rows, "api_requests": connector.requests}


class MergeOperator(AccountSyncOperator):
    """Replace the window in the final tables in one transaction; record the run and the account."""

    def run(self, context: Any) -> dict[str, int]:
        from ads_sync import pipeline
        from ads_sync.connectors import connector_for

        window = _window(self.window(context))
        connector = connector_for(self.account)
        if self.kind == "intraday":
            from ads_sync import intraday

            tables = intraday.merged_tables(connector, window)
        else:
            tables = pipeline.tables(connector.steps(window), connector.rollups(window))
        with self.connect() as conn:
            counts = pipeline.merge(conn, tables, load_id=load_id(context), account=self.account, window=window,
                                    run=self.run_ref(context))
        self.log.info("Merged %s for %s: %s", window.why, self.account.key, counts.as_dict())
        if not counts.changed:
            self.log.info("No change for %s: the API returned %s as loaded before; nothing was written",
                          self.account.key, window)
        return counts.as_dict()


def record_failure_callback(context: Any) -> None:
    """`on_failure_callback` of every task: records failures that happen outside execute() (a deferral
    that timed out, a trigger that failed, a worker killed and failed by the scheduler, execution_timeout),
    so no run stays `running` and no account `syncing`. Recording twice is harmless: same row, same values."""
    task = context.get("task")
    if not isinstance(task, AccountSyncOperator):
        return
    exc = context.get("exception")
    if isinstance(exc, InvalidConf) or isinstance(exc, AirflowSkipException):
        return
    if not isinstance(exc, BaseException):
        exc = RuntimeError(str(exc) if exc else "the task failed outside its own code (killed or timed out)")
    task.record_failure(context, exc, final=True)
