"""Per platform: the steps a window needs and how that platform's errors are classified."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from ads_sync.pipeline import Step

if TYPE_CHECKING:
    from ads_sync.registry import Account
    from ads_sync.windows import Window


class Connector(Protocol):
    @property
    def requests(self) -> int:
        """API requests made so far (for the sync log)."""

    def steps(self, window: Window) -> list[Step]: ...

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

    def classify(self, exc: BaseException) -> BaseException:
        from ads_sync.hooks.google_ads import classify_error

        return classify_error(exc, conn_id=self.account.conn_id)


def connector_for(account: Account) -> Connector:
    if account.platform == "google_ads":
        return GoogleAdsConnector(account)
    raise ValueError(f"no connector for platform {account.platform!r}")
