"""Issue 17, pure parts of an intraday run: when its Sheets push is due, which fact columns name entities."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ads_sync.intraday import ENTITY_REFS, push_decision
from ads_sync.tables import AD_DAILY, AD_GROUP_DAILY, CAMPAIGN_DAILY

NOW = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)


def test_push_only_after_a_change_and_at_most_once_an_hour() -> None:
    assert push_decision(None, True, NOW).push  # never pushed: push
    unchanged = push_decision(NOW - timedelta(hours=5), False, NOW)
    assert not unchanged.push and unchanged.reason == "nothing changed since the last push"
    recent = push_decision(NOW - timedelta(minutes=30), True, NOW)
    assert not recent.push and "at most once an hour" in recent.reason and "due in 31 min" in recent.reason
    assert push_decision(NOW - timedelta(hours=1), True, NOW).push
    assert not push_decision(NOW - timedelta(minutes=59), True, NOW).push


def test_every_fact_table_names_its_entities_through_known_columns() -> None:
    for table in (CAMPAIGN_DAILY, AD_GROUP_DAILY, AD_DAILY):
        named = {c for c in table.columns if c in ENTITY_REFS}
        assert "campaign_id" in named
    assert {c for c in AD_DAILY.columns if c in ENTITY_REFS} == {"ad_id", "ad_group_id", "campaign_id"}
