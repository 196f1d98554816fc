"""Meta's connector: entities, ad-level insights (synchronous, async report runs, deleted ads by id), the
campaign and ad set rollups, its totals and error classes."""
from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ads_sync.connectors import ids_in_warehouse
from ads_sync.pipeline import Rollup, Step

if TYPE_CHECKING:
    from ads_sync.connectors import DayTotal
    from ads_sync.registry import Account
    from ads_sync.windows import Window

log = logging.getLogger(__name__)


class MetaConnector:
    """Entities and ad-level daily insights; campaign and ad set facts are rolled up from the ad rows.

    `requests_before` carries the requests made before a deferral (submits, polls) into the sync log.
    """

    def __init__(self, account: Account, *, requests_before: int = 0) -> None:
        self.account = account
        self.requests_before = requests_before
        self._hook: Any = None
        #: deleted ads the ads edge returned in this load; with the warehouse's, read by id
        self._deleted_seen: set[str] = set()
        self._warehouse: Any = None
        #: the synchronous insights requests of the window, split when Meta asks for less; kept across
        #: re-reads of the step so a restart asks in the smaller pieces at once
        self._plan: list[Any] = []

    def bind_warehouse(self, conn: Any) -> None:
        """The warehouse connection the extract stages through: where the known deleted ads come from."""
        self._warehouse = conn

    def deleted_ads(self) -> list[str]:
        known = ([] if self._warehouse is None
                 else ids_in_warehouse(self._warehouse, "entities/deleted_ads.sql", self.account))
        return sorted(self._deleted_seen | set(known))

    def split_campaigns(self, conn: Any) -> list[str]:
        """What a failed async job is split by: the API's campaigns (every status) and the warehouse's, so
        a campaign deleted long ago that the API no longer lists is still asked for."""
        known = ids_in_warehouse(conn, "entities/campaign_ids.sql", self.account)
        return sorted(set(self.hook.campaign_ids(self.account.account_id)) | set(known))

    @property
    def hook(self) -> Any:
        if self._hook is None:
            from ads_sync.sources.meta.hook import MetaAdsHook

            self._hook = MetaAdsHook(self.account.conn_id)
        return self._hook

    @property
    def requests(self) -> int:
        return self.requests_before + (self._hook.requests if self._hook is not None else 0)

    @property
    def action_types(self) -> tuple[str, ...]:
        from ads_sync.sources.meta import reports as meta

        return self.account.option("action_types") or meta.DEFAULT_ACTION_TYPES

    def entity_steps(self) -> list[Step]:
        from ads_sync.sources.meta import reports as meta

        account_id, currency = self.account.account_id, self.account.currency
        steps = []
        for report in meta.ENTITIES.values():
            table = report.table
            edge, fields = meta.ENTITY_EDGES[table.name]
            to_row = meta.ENTITY_ROWS[table.name]

            def fetch(edge: str = edge, fields: tuple[str, ...] = fields, to_row: Any = to_row,
                      ads: bool = report.name == "ads") -> Any:
                for obj in self.hook.entities(account_id, edge, fields):
                    row = to_row(obj, currency)
                    if ads and row[-1] == "DELETED":
                        self._deleted_seen.add(str(row[0]))
                    yield row

            request = meta.describe(f"/act_{account_id}/{edge}", meta.entity_params(fields))
            steps.append(Step(table, request, fetch))
        return steps

    def steps(self, window: Window) -> list[Step]:
        """Entities, then the window's insights: one synchronous paged request, or (a window longer than
        the async threshold) one async report run, which the extract task submits and waits for."""
        from ads_sync.sources.meta import reports as meta

        AD_DAILY = meta.AD_DAILY.table
        account_id = self.account.account_id
        params = meta.insights_params(window)
        if meta.needs_async(window):
            request = "async report run: POST " + meta.describe(f"/act_{account_id}/insights", params)

            def not_here() -> Any:
                raise RuntimeError("an async report's rows are read with report_steps() once it completed")

            return [*self.entity_steps(), Step(AD_DAILY, request, not_here), self.deleted_ads_step(window),
                    *self.custom_steps(window)]
        return [*self.entity_steps(), *self.fact_steps(window), *self.custom_steps(window)]

    def custom_steps(self, window: Window) -> list[Step]:
        """One step per custom report (not in an intraday run): synchronous insights at the report's level,
        fields and breakdowns (sources/meta/custom.py), a request per ASYNC_THRESHOLD_DAYS of the window (the
        size the ad rows are asked for synchronously). Its `prepare` creates or migrates its table."""
        from ads_sync.reports import custom, custom_tables
        from ads_sync.sources.meta import reports as meta
        from ads_sync.windows import Window

        meta_custom = importlib.import_module("ads_sync.sources.meta.custom") if self.account.custom_reports else None
        steps = []
        for report in self.account.custom_reports:
            spec = (report.level, list(report.fields), list(report.breakdowns), list(report.action_types))
            columns = list(meta_custom.columns(*spec))  # type: ignore[union-attr]
            table = custom.table_of(report.name, tuple(c.name for c in columns if c.key),
                                    tuple(c.name for c in columns if not c.key), cost="spend")
            chunks = [Window(d, min(d + timedelta(days=meta.ASYNC_THRESHOLD_DAYS - 1), window.end))
                      for d in window.dates() if (d - window.start).days % meta.ASYNC_THRESHOLD_DAYS == 0]

            def prepare(conn: Any, table: Any = table, columns: list[Any] = columns) -> None:
                custom_tables.ensure(conn, table, columns, self.account.platform)

            def fetch(spec: Any = spec, columns: list[Any] = columns, chunks: list[Any] = chunks) -> Any:
                for chunk in chunks:
                    params = meta_custom.params(chunk, *spec)  # type: ignore[union-attr]
                    yield from meta_custom.rows(  # type: ignore[union-attr]
                        self.hook.insights(self.account.account_id, params), columns, chunk)

            first = meta_custom.params(chunks[0], *spec)  # type: ignore[union-attr]
            request = meta.describe(f"/act_{self.account.account_id}/insights", first)
            if len(chunks) > 1:
                request += f" (and {len(chunks) - 1} more requests of {meta.ASYNC_THRESHOLD_DAYS} days)"
            steps.append(Step(table, request, fetch, prepare))
        return steps

    def fact_steps(self, window: Window) -> list[Step]:
        """The synchronous insights of a short window (an intraday run's today), then deleted ads by id
        (no request when the warehouse knows none)."""
        from ads_sync.sources.meta import reports as meta

        AD_DAILY = meta.AD_DAILY.table
        params = meta.insights_params(window)

        def fetch() -> Any:
            return self.shrinking_insights(window)

        return [Step(AD_DAILY, meta.describe(f"/act_{self.account.account_id}/insights", params), fetch),
                self.deleted_ads_step(window)]

    def shrinking_insights(self, window: Window) -> Iterator[tuple[object, ...]]:
        """The window's synchronous insights rows. When Meta answers "reduce the amount of data" (or a
        request times out), that request is split the way failed async report runs are (halves of the window
        down to a week, then one request per campaign, then a few more tries): in place when it had sent no
        row yet, else by a re-read of the step in the smaller pieces (the pipeline rolls the partial rows
        back first), so no (day, ad) is staged twice."""
        from ads_sync.errors import TooMuchData, TransientApiError
        from ads_sync.sources.meta import decode as meta_decode
        from ads_sync.sources.meta import reports as meta

        account_id = self.account.account_id
        if not self._plan:
            self._plan = [meta.Job(window.start, window.end)]
        plan, campaigns, index = self._plan, None, 0
        while index < len(plan):
            job = plan[index]
            params = meta.insights_params((job.start, job.end), campaign_ids=job.campaigns)
            sent = False
            try:
                typed = self.hook.insights(account_id, params, typed=True)
                for row in meta_decode.insight_rows(typed, (job.start, job.end), self.action_types):
                    sent = True
                    yield row
            except TooMuchData as exc:
                if job.days <= meta.MIN_SPLIT_DAYS and job.campaigns is None and campaigns is None:
                    # the API's list only: the warehouse connection is busy with this step's COPY
                    campaigns = self.hook.campaign_ids(account_id)
                parts = meta.split_failed(replace(job, status=str(exc)), campaigns)
                log.warning("%s for %s; asking again as %s: %s", exc, job.label(), len(parts),
                            "; ".join(p.label() for p in parts))
                plan[index:index + 1] = parts
                if sent:
                    raise TransientApiError(f"{exc}; re-reading the window in {len(plan)} requests",
                                            retry_after=0) from exc
                continue
            index += 1

    def deleted_ads_step(self, window: Window) -> Step:
        """Deleted ads' rows, read by id (the account node never returns them), into the same staged load,
        so their spend lands on their campaign and ad set and the merge keeps them. No deleted ads: no
        request."""
        from ads_sync.sources.meta import reports as meta

        AD_DAILY = meta.AD_DAILY.table
        params = meta.by_id_params(window)

        def fetch() -> Any:
            ids = self.deleted_ads()
            if not ids:
                return iter(())
            return meta.insight_rows(self.hook.insights_by_ids(ids, params), (window.start, window.end),
                                     self.action_types)

        return Step(AD_DAILY, meta.describe("/insights?ids=<deleted ads>", params), fetch)

    def report_steps(self, jobs: Any, window: Window) -> list[Step]:
        """Entities, the rows of each completed async report run (a `sources.meta.Job`), deleted ads by id."""
        from ads_sync.sources.meta import decode as meta_decode
        from ads_sync.sources.meta import reports as meta

        AD_DAILY = meta.AD_DAILY.table
        steps = self.entity_steps()
        for job in jobs:

            def fetch(job: Any = job) -> Any:
                return meta_decode.insight_rows(self.hook.report_rows(job.run_id), (job.start, job.end),
                                                self.action_types)

            steps.append(Step(AD_DAILY, f"/{job.run_id}/insights (report run for {job.label()})", fetch))
        return [*steps, self.deleted_ads_step(window), *self.custom_steps(window)]

    def account_totals(self, window: Window) -> Iterator[DayTotal]:
        from ads_sync.sources.meta import reports as meta

        types = self.action_types
        rows = self.hook.insights(self.account.account_id, meta.account_totals_params(window))
        return (meta.account_total(obj, types) for obj in rows)

    def rollups(self, window: Window) -> list[Rollup]:
        """What the ad-level report declares: campaign and ad set days as sums of its staged rows."""
        from ads_sync.sources.meta import reports as meta

        return [Rollup(r.table, r.sql, meta.AD_DAILY.table) for r in meta.AD_DAILY.rollups]

    def classify(self, exc: BaseException) -> BaseException:
        from ads_sync.sources.meta.hook import classify_error

        return classify_error(exc, conn_id=self.account.conn_id)
