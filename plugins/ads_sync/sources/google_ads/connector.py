"""Google Ads' connector: the steps of a window (entity and report queries), its totals, its error classes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ads_sync.pipeline import Rollup, Step

if TYPE_CHECKING:
    from ads_sync.connectors import DayTotal
    from ads_sync.registry import Account
    from ads_sync.windows import Window


class GoogleAdsConnector:
    """Builds its hook only when a step first fetches, so a dry run never touches the connection."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self._hook: Any = None

    @property
    def hook(self) -> Any:
        if self._hook is None:
            from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

            login = self.account.option("login_customer_id")
            self._hook = GoogleAdsApiHook(self.account.conn_id, login_customer_id=login)
        return self._hook

    @property
    def requests(self) -> int:
        return self._hook.requests if self._hook is not None else 0

    def steps(self, window: Window) -> list[Step]:
        return [*self.entity_steps(), *self.fact_steps(window)]

    def entity_steps(self) -> list[Step]:
        from ads_sync.sources.google_ads import reports as google_ads

        return self._steps(google_ads.entity_queries(self.account.reports), None)

    def fact_steps(self, window: Window) -> list[Step]:
        from ads_sync.sources.google_ads import reports as google_ads

        return self._steps([google_ads.REPORT_QUERIES[r] for r in self.account.reports], window)

    def _steps(self, queries: Any, window: Window | None) -> list[Step]:
        from ads_sync.sources.google_ads import reports as google_ads

        steps = []
        for query in queries:
            scope = window if query.dated else None
            gaql = query.gaql(scope)

            def fetch(query: google_ads.Query = query, gaql: str = gaql, scope: Window | None = scope) -> Any:
                rows = self.hook.search_stream(self.account.account_id, gaql)
                return google_ads.map_rows(query, scope, rows)

            steps.append(Step(query.table, gaql, fetch))
        return steps

    def rollups(self, window: Window) -> list[Rollup]:
        return []

    def account_totals(self, window: Window) -> Iterator[DayTotal]:
        from ads_sync.sources.google_ads import reports as google_ads

        return google_ads.account_totals(self.hook.search_stream(self.account.account_id,
                                                                 google_ads.account_totals_gaql(window)))

    def classify(self, exc: BaseException) -> BaseException:
        from ads_sync.sources.google_ads.hook import classify_error

        return classify_error(exc, conn_id=self.account.conn_id)
