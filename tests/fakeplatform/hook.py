"""The fake API: a few campaigns and their daily numbers, computed from the day and the campaign (so the
test can say what a load must hold), and a count of the requests made."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

CAMPAIGNS = (("11", "Brand"), ("12", "Search"), ("13", "Retargeting"))


def campaign_day(campaign_id: str, day: date) -> tuple[int, int, Decimal, Decimal, Decimal]:
    """(impressions, clicks, cost, conversions, conversion value) of one campaign on one day."""
    n = int(campaign_id)
    return (100 * n + day.day, n + day.day % 7, Decimal(f"{n}.{day.day:02d}"), Decimal("1.5"),
            Decimal(f"{day.day}.25"))


class FakeHook:
    def __init__(self, region: str) -> None:
        self.region = region
        self.requests = 0

    def campaigns(self) -> Iterator[tuple[str, str, str]]:
        """(id, name, status)"""
        self.requests += 1
        for campaign_id, name in CAMPAIGNS:
            yield campaign_id, f"{name} ({self.region})", "ACTIVE"

    def campaign_daily(self, start: date, end: date) -> Iterator[tuple[date, str, int, int, Decimal, Decimal, Decimal]]:
        self.requests += 1
        day = start
        while day <= end:
            for campaign_id, _ in CAMPAIGNS:
                yield (day, campaign_id, *campaign_day(campaign_id, day))
            day += timedelta(days=1)
