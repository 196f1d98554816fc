"""push_summaries: the last task of every sync DAG, writing the account's summaries to Google Sheets.

It runs after the merge committed, so whatever happens here the load stands: a Sheets failure fails
only this task, and the run's row in ads_sync.sync_runs keeps status 'success' with push_status
'failed' and the error. No spreadsheet configured: skipped, with a log line that says so.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from airflow.sdk.exceptions import AirflowSkipException

from ads_sync.operators.sync import AccountSyncOperator

if TYPE_CHECKING:
    import psycopg

    from ads_sync.hooks.sheets import SheetsHook
    from ads_sync.registry import Account
    from ads_sync.runlog import PushStatus
    from ads_sync.summaries import Grid


CONFLICT_ATTEMPTS = 3


def write_spreadsheet(hook: SheetsHook, spreadsheet_id: str, grids: list[Grid]) -> dict[str, Any]:
    """One read, then at most one batch write; returns what it did (for XCom and the log).

    A concurrent push of the same spreadsheet (daily and force_sync of one account, or two accounts
    writing the overview) may add a worksheet between the read and the write: then read and plan again.
    """
    from ads_sync import sheet_writes
    from ads_sync.hooks.sheets import SheetsConflict

    for attempt in range(1, CONFLICT_ATTEMPTS + 1):
        metadata = hook.metadata(spreadsheet_id, grid_data=True)
        body, changed = sheet_writes.plan(metadata, grids)
        if body is None:
            break
        try:
            hook.batch_update(spreadsheet_id, body)
            break
        except SheetsConflict:
            if attempt == CONFLICT_ATTEMPTS:
                raise
    return {"spreadsheet_id": spreadsheet_id, "writes": int(body is not None), "changed": changed}


def push(
    conn: psycopg.Connection[Any],
    hook: SheetsHook,
    *,
    account: Account,
    overview_sheet: str | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """Write the account's spreadsheet (Summary, Campaigns, Daily) and the overview, each when configured."""
    from ads_sync import summaries

    done = []
    if account.sheet:
        as_of = now.astimezone(ZoneInfo(account.timezone)).date() - timedelta(days=1)
        with conn.transaction():
            grids = summaries.account_grids(
                conn, platform=account.platform, account_id=account.account_id, currency=account.currency,
                as_of=as_of, today=as_of + timedelta(days=1) if account.intraday else None,
                timezone=account.timezone,
            )
        done.append(write_spreadsheet(hook, account.sheet, grids))
    if overview_sheet:
        with conn.transaction():
            grids = summaries.overview_grids(conn, now=now)
        done.append(write_spreadsheet(hook, overview_sheet, grids))
    return done


class PushSummariesOperator(AccountSyncOperator):
    """Summaries to Google Sheets; failures are recorded against the push, never the load or the account."""

    ui_color = "#e6f4ea"

    def __init__(
        self, *, overview_sheet: str | None = None, sheets_conn_id: str = "google_sheets_default", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.overview_sheet = overview_sheet
        self.sheets_conn_id = sheets_conn_id

    def execute(self, context: Any) -> Any:
        self.window(context)  # a dry run loaded nothing, so there is nothing new to show
        if not self.account.sheet and not self.overview_sheet:
            self.log.info(
                "No spreadsheet configured for %s (no `sheet` for it and no `overview_sheet` in "
                "include/accounts.yaml): nothing to push", self.account.key,
            )
            self._record(context, "skipped", requests=0)
            raise AirflowSkipException(f"no spreadsheet configured for {self.account.key}")
        if self.kind == "intraday":
            self.skip_unless_due(context)
        from ads_sync.hooks.sheets import SheetsHook

        hook = SheetsHook(self.sheets_conn_id)
        self._record(context, "running", requests=0)
        try:
            with self.connect() as conn:
                done = push(conn, hook, account=self.account, overview_sheet=self.overview_sheet,
                            now=datetime.now(UTC))
        except Exception as exc:
            final = self.is_last_try(context, exc)
            self._record(context, "failed" if final else "retrying", error=exc, requests=hook.requests)
            raise
        for item in done:
            self.log.info("Spreadsheet %s for %s: %s (%s write request%s)", item["spreadsheet_id"],
                          self.account.key, ", ".join(item["changed"]) or "unchanged", item["writes"],
                          "" if item["writes"] == 1 else "s")
        self._record(context, "success", requests=hook.requests)
        return {"spreadsheets": done, "requests": hook.requests}

    def skip_unless_due(self, context: Any) -> None:
        """Intraday: push at most once an hour, and only when a run changed data since the last push."""
        from ads_sync import intraday

        with self.connect() as conn, conn.transaction():
            decision = intraday.should_push(conn, self.account, datetime.now(UTC))
        if decision.push:
            self.log.info("Pushing the summaries of %s: %s", self.account.key, decision.reason)
            return
        self.log.info("Not pushing the summaries of %s this run: %s", self.account.key, decision.reason)
        self._record(context, "skipped", requests=0)
        raise AirflowSkipException(f"intraday push of {self.account.key} skipped: {decision.reason}")

    def record_failure(self, context: Any, exc: BaseException, *, final: bool | None = None) -> None:
        """The merge has committed: a failed push (also one the failure callback reports) is the push's,
        never the run's or the account's."""
        if final is None:
            final = self.is_last_try(context, exc)
        self._record(context, "failed" if final else "retrying", error=exc, requests=None)

    def _record(self, context: Any, status: PushStatus, *, error: BaseException | None = None,
                requests: int | None) -> None:
        from ads_sync import runlog

        try:
            with self.connect() as conn:
                runlog.push_recorded(conn, self.run_ref(context), status, error=error, requests=requests)
        except Exception as bookkeeping_error:  # noqa: BLE001 - the push's own outcome matters more
            self.log.error("Could not record the push in the sync log: %s", bookkeeping_error)
