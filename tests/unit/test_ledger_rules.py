"""The ledger's pure rules: freshness tolerance and days until a platform's data settles."""
from __future__ import annotations

from datetime import date

from ads_sync.ledger import Settling, days_until_settled, freshness


def test_freshness_allows_one_day_before_the_daily_run() -> None:
    y = date(2026, 1, 9)
    assert freshness(y, y) == ("fresh", 0)
    assert freshness(date(2026, 1, 8), y) == ("fresh", 1)
    assert freshness(date(2026, 1, 6), y) == ("stale", 3)
    assert freshness(None, y) == ("never_synced", None)


def test_days_until_settled() -> None:
    known = Settling("google_ads", 10, 4, settles_after_days=14, settles_after_at_least=15)
    assert days_until_settled(date(2026, 1, 9), known, date(2026, 1, 10)) == 13
    assert days_until_settled(date(2025, 12, 1), known, date(2026, 1, 10)) == 0
    unknown = Settling("google_ads", 3, 3, settles_after_days=None, settles_after_at_least=8)
    assert days_until_settled(date(2026, 1, 9), unknown, date(2026, 1, 10)) is None
    assert days_until_settled(None, known, date(2026, 1, 10)) is None
