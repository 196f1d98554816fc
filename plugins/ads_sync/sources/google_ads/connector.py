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
        #: the API's metadata of every custom report field, asked once per load (before any report request)
        self._fields: dict[str, Any] | None = None

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
        """Entities, the built-in reports, then the account's custom reports (not in an intraday run)."""
        return [*self.entity_steps(), *self.fact_steps(window), *self.custom_steps(window)]

    def custom_steps(self, window: Window) -> list[Step]:
        """One step per custom report: our GAQL with the window's condition. Its `prepare` checks every
        custom field with GoogleAdsFieldService (once, before any SearchStream request of the load) and
        creates or migrates its table."""
        from ads_sync.reports import custom, custom_tables, gaql
        from ads_sync.sources.google_ads import custom as google_custom

        steps = []
        for report in self.account.custom_reports:
            query = gaql.parse(report.query)
            table = custom.google_table(report)

            def prepare(conn: Any, report: Any = report, query: gaql.Query = query, table: Any = table) -> None:
                columns = google_custom.columns(report.name, query, self.field_metadata())
                custom_tables.ensure(conn, table, columns, self.account.platform)

            def fetch(report: Any = report, query: gaql.Query = query, text: str = query.gaql(window)) -> Any:
                info = self.field_metadata()
                columns = google_custom.columns(report.name, query, info)
                rows = self.hook.search_stream(self.account.account_id, text)
                return google_custom.map_rows(rows, columns, info, window, report.name)

            steps.append(Step(table, query.gaql(window), fetch, prepare))
        return steps

    def field_metadata(self) -> dict[str, Any]:
        """GoogleAdsFieldService's answer for every field of the account's custom reports (one request)."""
        if self._fields is None:
            from ads_sync.reports import gaql

            names = sorted({f for r in self.account.custom_reports for f in gaql.parse(r.query).fields})
            self._fields = dict(self.hook.field_metadata(names)) if names else {}
        return self._fields

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
