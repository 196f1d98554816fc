"""The extract task of Meta DAGs: the synchronous endpoint for short windows, async report runs for long ones.

Why a deferrable extract rather than a reschedule-mode sensor: the DAG keeps its three tasks
(resolve_window >> extract >> merge) for every platform, the jobs in flight travel with the deferral
instead of needing a table of their own, no worker slot is held while Meta computes (the triggerer
polls), and `dag.test()` runs the trigger inline, so the tests drive the real path. A reschedule sensor
would add a task to Meta DAGs only and re-create its state on every poke.

The async path: submit one report run for the whole window, defer until no run is pending, then split
every failed or timed-out run (halves of its window down to a week, then one run per campaign, then the
same run again a few times) and defer again; when every run completed, stream each run's rows into
staging exactly like the synchronous path does.
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta
from typing import Any, NoReturn

from ads_sync.operators.sync import ExtractOperator, _window

#: seconds: a run that has not started, or not finished, by then is treated as failed and split
START_TIMEOUT_S = 10 * 60
FINISH_TIMEOUT_S = 60 * 60


class MetaExtractOperator(ExtractOperator):
    def __init__(
        self,
        *,
        start_timeout_s: float = START_TIMEOUT_S,
        finish_timeout_s: float = FINISH_TIMEOUT_S,
        poll_s: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.start_timeout_s, self.finish_timeout_s, self.poll_s = start_timeout_s, finish_timeout_s, poll_s

    def run(self, context: Any) -> dict[str, int]:
        from ads_sync.sources.meta import reports as meta
        from ads_sync.sources.meta.connector import MetaConnector

        window = _window(self.window(context))
        if not meta.needs_async(window):
            return super().run(context)
        self.log.info(
            "Window %s of %s days is longer than %s days: requesting an async report run for %s",
            window, window.days, meta.ASYNC_THRESHOLD_DAYS, self.account.key,
        )
        connector = MetaConnector(self.account)
        jobs = self._submit(connector, [meta.Job(window.start, window.end)])
        self._defer(jobs, connector.requests)

    def _submit(self, connector: Any, jobs: list[Any]) -> list[Any]:
        from ads_sync.sources.meta import reports as meta

        submitted = []
        for job in jobs:
            params = meta.insights_params((job.start, job.end), campaign_ids=job.campaigns)
            run_id = connector.hook.start_report(self.account.account_id, params)
            self.log.info("Submitted report run %s for %s", run_id, job.label())
            submitted.append(replace(job, run_id=run_id, status="pending", submitted_at=time.time()))
        return submitted

    def _defer(self, jobs: list[Any], requests: int) -> NoReturn:
        from ads_sync.sources.meta.trigger import MetaReportRunsTrigger

        self.defer(
            trigger=MetaReportRunsTrigger(
                conn_id=self.account.conn_id, account_id=self.account.account_id,
                jobs=[j.to_dict() for j in jobs], requests=requests, start_timeout_s=self.start_timeout_s,
                finish_timeout_s=self.finish_timeout_s, poll_s=self.poll_s,
            ),
            method_name="resume",
            timeout=timedelta(seconds=self.finish_timeout_s + 600),
        )

    def resume(self, context: Any, event: dict[str, Any] | None = None) -> dict[str, int]:
        """Where the task continues after the trigger fired; failures are recorded as in execute()."""
        return self.guarded(context, self._resume, context, event or {})

    def _resume(self, context: Any, event: dict[str, Any]) -> dict[str, int]:
        from ads_sync.errors import from_event
        from ads_sync.sources.meta import reports as meta
        from ads_sync.sources.meta.connector import MetaConnector

        jobs = [meta.Job.from_dict(j) for j in event.get("jobs", [])]
        connector = MetaConnector(self.account, requests_before=int(event.get("requests", 0)))
        if event.get("error"):
            raise from_event(str(event.get("kind", "")),
                             f"while waiting for report runs of {self.account.key}: {event['error']}")
        if not jobs:
            raise RuntimeError(f"the report-run trigger of {self.account.key} returned no jobs: {event}")
        done = [j for j in jobs if j.status == "done"]
        failed = [j for j in jobs if j.status != "done"]
        if failed:
            campaigns = None
            retry: list[Any] = []
            for job in failed:
                if job.days <= meta.MIN_SPLIT_DAYS and job.campaigns is None and campaigns is None:
                    with self.connect() as conn:
                        campaigns = connector.split_campaigns(conn)
                parts = meta.split_failed(job, campaigns)
                self.log.warning(
                    "Report run %s for %s ended %r; retrying it as %s: %s", job.run_id, job.label(), job.status,
                    len(parts), "; ".join(p.label() for p in parts),
                )
                retry += parts
            self._defer(done + self._submit(connector, retry), connector.requests)
        window = _window(self.window(context))
        self.log.info("All %s report runs for %s completed; reading their rows", len(done), self.account.key)
        done.sort(key=lambda j: (j.start, j.campaigns or ()))
        return self.stage(context, connector, connector.report_steps(done, window), connector.rollups(window))
