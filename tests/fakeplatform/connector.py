"""Fake Ads' connector: the entity and report steps over the fake hook, its own totals for the
reconciliation, and no error classes of its own."""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ads_sync.pipeline import Rollup, Step
from ads_sync.tables import CAMPAIGN_DAILY, CAMPAIGNS
from tests.fakeplatform.hook import FakeHook

if TYPE_CHECKING:
    from ads_sync.connectors import DayTotal
    from ads_sync.registry import Account
    from ads_sync.windows import Window


class FakeConnector:
    def __init__(self, account: Account) -> None:
        self.account = account
        self.hook = FakeHook(account.option("region") or "eu")

    @property
    def requests(self) -> int:
        return self.hook.requests

    def steps(self, window: Window) -> list[Step]:
        return [*self.entity_steps(), *self.fact_steps(window)]

    def entity_steps(self) -> list[Step]:
        return [Step(CAMPAIGNS, "GET /campaigns", lambda: ((i, n, s, "FAKE") for i, n, s in self.hook.campaigns()))]

    def fact_steps(self, window: Window) -> list[Step]:
        def fetch() -> Any:
            rows = self.hook.campaign_daily(window.start, window.end)
            return ((day.isoformat(), campaign, *metrics) for day, campaign, *metrics in rows)

        return [Step(CAMPAIGN_DAILY, f"GET /campaign_daily?from={window.start}&to={window.end}", fetch)]

    def rollups(self, window: Window) -> list[Rollup]:
        return []

    def account_totals(self, window: Window) -> Iterator[DayTotal]:
        """The fake API's own account totals: the sum of its campaign rows per day."""
        days: dict[Any, list[Any]] = {}
        for day, _, impressions, clicks, cost, conversions, value in self.hook.campaign_daily(window.start, window.end):
            total = days.setdefault(day, [0, 0, 0, 0, 0])
            for i, v in enumerate((impressions, clicks, cost, conversions, value)):
                total[i] += v
        for day, (impressions, clicks, cost, conversions, value) in sorted(days.items()):
            yield day, impressions, clicks, cost, conversions, value

    def classify(self, exc: BaseException) -> BaseException:
        return exc
