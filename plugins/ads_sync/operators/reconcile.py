"""reconcile: between merge and push_summaries, the run's window checked against the platform's totals.

Why a task of its own rather than a step inside merge's transaction: the check is an API request, and
merge holds the account's advisory lock; a slow or failing platform would then hold up (or roll back)
a load that is correct. Apart, the load commits first, the check retries on its own like any request,
and what it compares is what a user reads afterwards: the committed tables. A late restatement between
the load and the check is then seen as a difference, which is what it is.

A difference does not fail the task (a re-read would not change what the platform served): it is
recorded per date and metric, and the account's status becomes `mismatch` until a later check of those
dates matches. A failure of the check itself fails this task only: the load stands, and neither the
run's row nor the account's status is touched.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ads_sync.operators.sync import AccountSyncOperator, _window


class ReconcileOperator(AccountSyncOperator):
    ui_color = "#fff4e5"

    def run(self, context: Any) -> dict[str, Any]:
        from ads_sync import reconcile, runlog
        from ads_sync.connectors import connector_for
        from ads_sync.retry import RetryPolicy, call_with_retries

        window = _window(self.window(context))
        connector = connector_for(self.account)
        totals = call_with_retries(
            lambda: list(connector.account_totals(window)), classify=connector.classify, policy=RetryPolicy(),
            what=f"{self.account.key} account totals",
        )
        ids = {"dag_id": context["dag"].dag_id, "run_id": context["dag_run"].run_id}
        with self.connect() as conn, conn.transaction():
            outcome = reconcile.check(conn, self.account, start=window.start, end=window.end,
                                      platform_totals=totals, now=datetime.now(UTC), as_of=window.as_of,
                                      **ids)
            runlog.api_requests_added(conn, self.run_ref(context), connector.requests)
        if outcome.mismatches:
            for c in outcome.mismatches:
                self.log.warning("%s differs from the platform: %s", self.account.key, reconcile.describe(c))
        self.log.info(
            "Reconciled %s: %s days checked, %s partial (today or later), %s differ; %s API request(s)",
            self.account.key, outcome.days_checked, outcome.days_partial,
            len({c.date for c in outcome.mismatches}), connector.requests,
        )
        return {**outcome.as_dict(), "api_requests": connector.requests}

    def record_failure(self, context: Any, exc: BaseException, *, final: bool | None = None) -> None:
        """The merge has committed: a failed check leaves the run and the account as they are."""
        self.log.error("Reconciliation of %s failed; the load stands: %s", self.account.key, exc)
