"""Per platform: the steps a window needs and how that platform's errors are classified."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ads_sync.pipeline import Rollup, Step

if TYPE_CHECKING:
    from ads_sync.registry import Account
    from ads_sync.windows import Window


class Connector(Protocol):
    @property
    def requests(self) -> int:
        """API requests made so far (for the sync log)."""

    def steps(self, window: Window) -> list[Step]: ...

    def rollups(self, window: Window) -> list[Rollup]: ...

    def classify(self, exc: BaseException) -> BaseException: ...


class GoogleAdsConnector:
    """Builds its hook only when a step first fetches, so a dry run never touches the connection."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._hook: Any = None

    @property
    def hook(self) -> Any:
        if self._hook is None:
            from ads_sync.hooks.google_ads import GoogleAdsApiHook

            self._hook = GoogleAdsApiHook(self.account.conn_id, login_customer_id=self.account.login_customer_id)
        return self._hook

    @property
    def requests(self) -> int:
        return self._hook.requests if self._hook is not None else 0

    def steps(self, window: Window) -> list[Step]:
        from ads_sync.sources import google_ads

        steps = []
        for query in google_ads.queries(self.account.reports):
            scope = window if query.dated else None
            gaql = query.gaql(scope)

            def fetch(query: google_ads.Query = query, gaql: str = gaql, scope: Window | None = scope) -> Any:
                rows = self.hook.search_stream(self.account.account_id, gaql)
                return google_ads.map_rows(query, scope, rows)

            steps.append(Step(query.table, gaql, fetch))
        return steps

    def rollups(self, window: Window) -> list[Rollup]:
        return []

    def classify(self, exc: BaseException) -> BaseException:
        from ads_sync.hooks.google_ads import classify_error

        return classify_error(exc, conn_id=self.account.conn_id)


class MetaConnector:
    """Entities and ad-level daily insights; campaign and ad set facts are rolled up from the ad rows.

    `requests_before` carries the requests made before a deferral (submits, polls) into the sync log.
    """

    def __init__(self, account: Account, *, requests_before: int = 0) -> None:
        self.account = account
        self.requests_before = requests_before
        self._hook: Any = None

    @property
    def hook(self) -> Any:
        if self._hook is None:
            from ads_sync.hooks.meta import MetaAdsHook

            self._hook = MetaAdsHook(self.account.conn_id)
        return self._hook

    @property
    def requests(self) -> int:
        return self.requests_before + (self._hook.requests if self._hook is not None else 0)

    @property
    def action_types(self) -> tuple[str, ...]:
        from ads_sync.sources import meta

        return self.account.action_types or meta.DEFAULT_ACTION_TYPES

    def entity_steps(self) -> list[Step]:
        from ads_sync.sources import meta
        from ads_sync.tables import AD_GROUPS_WITH_BUDGETS, ADS, CAMPAIGNS_WITH_BUDGETS

        account_id, currency = self.account.account_id, self.account.currency
        steps = []
        for table in (CAMPAIGNS_WITH_BUDGETS, AD_GROUPS_WITH_BUDGETS, ADS):
            edge, fields = meta.ENTITY_EDGES[table.name]
            to_row = meta.ENTITY_ROWS[table.name]

            def fetch(edge: str = edge, fields: tuple[str, ...] = fields, to_row: Any = to_row) -> Any:
                return (to_row(obj, currency) for obj in self.hook.entities(account_id, edge, fields))

            request = meta.describe(f"/act_{account_id}/{edge}", meta.entity_params(fields))
            steps.append(Step(table, request, fetch))
        return steps

    def steps(self, window: Window) -> list[Step]:
        """Entities, then the window's insights: one synchronous paged request, or (a window longer than
        the async threshold) one async report run, which the extract task submits and waits for."""
        from ads_sync.sources import meta
        from ads_sync.tables import AD_DAILY

        account_id = self.account.account_id
        params = meta.insights_params(window)
        if meta.needs_async(window):
            request = "async report run: POST " + meta.describe(f"/act_{account_id}/insights", params)

            def not_here() -> Any:
                raise RuntimeError("an async report's rows are read with report_steps() once it completed")

            return [*self.entity_steps(), Step(AD_DAILY, request, not_here)]

        def fetch() -> Any:
            rows = self.hook.insights(account_id, params)
            return meta.insight_rows(rows, (window.start, window.end), self.action_types)

        return [*self.entity_steps(), Step(AD_DAILY, meta.describe(f"/act_{account_id}/insights", params), fetch)]

    def report_steps(self, jobs: Any) -> list[Step]:
        """Entities, then the rows of each completed async report run (a `sources.meta.Job`)."""
        from ads_sync.sources import meta
        from ads_sync.tables import AD_DAILY

        steps = self.entity_steps()
        for job in jobs:

            def fetch(job: Any = job) -> Any:
                return meta.insight_rows(self.hook.report_rows(job.run_id), (job.start, job.end), self.action_types)

            steps.append(Step(AD_DAILY, f"/{job.run_id}/insights (report run for {job.label()})", fetch))
        return steps

    def rollups(self, window: Window) -> list[Rollup]:
        from ads_sync.tables import AD_GROUP_DAILY, CAMPAIGN_DAILY

        return [Rollup(CAMPAIGN_DAILY, "rollup/campaign_daily_from_ad_daily.sql"),
                Rollup(AD_GROUP_DAILY, "rollup/ad_group_daily_from_ad_daily.sql")]

    def classify(self, exc: BaseException) -> BaseException:
        from ads_sync.hooks.meta import classify_error

        return classify_error(exc, conn_id=self.account.conn_id)


def connector_for(account: Account) -> Connector:
    if account.platform == "google_ads":
        return GoogleAdsConnector(account)
    if account.platform == "meta":
        return MetaConnector(account)
    raise ValueError(f"no connector for platform {account.platform!r}")
