"""Waits for Meta async report runs in the triggerer, so no worker slot is held while Meta computes.

Polls each pending run's `async_status` / `async_percent_completion`, every `poll_s` seconds at first
and twice as long each round up to `max_poll_s` (small reports finish in seconds, large ones take
minutes). A run that has not started within `start_timeout_s`, or not finished within
`finish_timeout_s`, counts as failed. Fires one event when no run is pending any more; the task then
splits what failed and defers again, or reads the rows. Everything the task needs comes back in the
event (dag.test() passes only the event to the resumed method).
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

NOT_STARTED = frozenset({"Job Not Started"})


class MetaReportRunsTrigger(BaseTrigger):
    def __init__(
        self,
        *,
        conn_id: str,
        account_id: str,
        jobs: list[dict[str, Any]],
        requests: int = 0,
        start_timeout_s: float = 600.0,
        finish_timeout_s: float = 3600.0,
        poll_s: float = 1.0,
        max_poll_s: float = 30.0,
    ) -> None:
        super().__init__()
        self.conn_id, self.account_id, self.jobs, self.requests = conn_id, account_id, jobs, requests
        self.start_timeout_s, self.finish_timeout_s = start_timeout_s, finish_timeout_s
        self.poll_s, self.max_poll_s = poll_s, max_poll_s

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (f"{type(self).__module__}.{type(self).__qualname__}", {
            "conn_id": self.conn_id, "account_id": self.account_id, "jobs": self.jobs, "requests": self.requests,
            "start_timeout_s": self.start_timeout_s, "finish_timeout_s": self.finish_timeout_s,
            "poll_s": self.poll_s, "max_poll_s": self.max_poll_s,
        })

    def settle(self, job: Any, status: str, percent: int, now: float) -> Any:
        """The job after one poll: done, failed, timed out, or still pending."""
        from ads_sync.sources.meta import reports as meta

        waited = now - job.submitted_at
        if status == meta.JOB_DONE:
            return replace(job, status="done")
        if status in meta.JOB_FAILED_STATES:
            return replace(job, status=status)
        if status in NOT_STARTED and waited > self.start_timeout_s:
            return replace(job, status=f"not started after {waited:.0f} s")
        if waited > self.finish_timeout_s:
            return replace(job, status=f"not finished after {waited:.0f} s ({status}, {percent}%)")
        return job

    async def run(self) -> AsyncIterator[TriggerEvent]:
        from ads_sync.errors import Throttled, event_kind
        from ads_sync.sources.meta.hook import MetaAdsHook
        from ads_sync.sources.meta.reports import Job

        hook = MetaAdsHook(self.conn_id)
        jobs = [Job.from_dict(j) for j in self.jobs]
        interval = self.poll_s
        try:
            while True:
                for i, job in enumerate(jobs):
                    if job.status != "pending":
                        continue
                    try:
                        status, percent = await asyncio.to_thread(hook.report_status, str(job.run_id))
                    except Throttled as exc:  # the triggerer may wait: it holds no worker slot
                        self.log.info("%s; waiting %.0f s here", exc, exc.seconds)
                        await asyncio.sleep(exc.seconds)
                        continue
                    jobs[i] = self.settle(job, status, percent, time.time())
                    self.log.info("Report run %s (%s): %s, %s%%", job.run_id, job.label(), status, percent)
                if all(j.status != "pending" for j in jobs):
                    yield TriggerEvent(self._event(jobs, hook))
                    return
                await asyncio.sleep(interval)
                interval = min(self.max_poll_s, interval * 2)
        except Exception as exc:  # noqa: BLE001 - handed back to the task, which raises it (errors.EVENT_ERRORS)
            kind = event_kind(exc)
            text = str(exc) if kind != "retry" else f"{type(exc).__name__}: {exc}"
            yield TriggerEvent(self._event(jobs, hook, error=text, kind=kind))

    def _event(self, jobs: list[Any], hook: Any, **error: str) -> dict[str, Any]:
        return {"jobs": [j.to_dict() for j in jobs], "requests": self.requests + hook.requests, **error}
