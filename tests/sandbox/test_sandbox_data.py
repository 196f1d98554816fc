"""The neutral synthetic data: deterministic, internally consistent, maturing conversions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from sandbox import Volume, data

ACCOUNT = "1234567890"
DAY = date(2026, 1, 5)
REPO = Path(__file__).resolve().parents[2]


def test_entities_are_deterministic_and_unique() -> None:
    volume = Volume(campaigns=20, ad_groups_per_campaign=15)
    campaigns = data.campaigns(ACCOUNT, volume)
    groups = data.ad_groups(ACCOUNT, volume)
    assert len(campaigns) == 20 and len(groups) == 300
    ids = [c.id for c in campaigns] + [g.id for g in groups]
    assert len(set(ids)) == len(ids)
    assert {c.status for c in campaigns} <= {"ENABLED", "PAUSED", "REMOVED"}
    assert [c.status for c in campaigns].count("REMOVED") == 1 == (campaigns[2].status == "REMOVED")
    assert {g.campaign_id for g in groups} == {c.id for c in campaigns}
    assert data.campaigns("9999999999", volume) != campaigns  # other account, other entities
    # growing the volume keeps the existing entities
    assert data.campaigns(ACCOUNT, Volume(campaigns=25, ad_groups_per_campaign=15))[:20] == campaigns


def test_same_values_in_another_process() -> None:
    """Nothing depends on Python's per-process hash seed."""
    code = (
        "import json; from datetime import date; from sandbox import data;"
        f"g = data.ad_groups({ACCOUNT!r})[0];"
        "m = data.ad_group_metrics(" + repr(ACCOUNT) + ", g.id, date(2026, 1, 5), date(2026, 1, 10));"
        "print(json.dumps([g.id, g.name, m.impressions, m.cost_micros, m.conversions]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    group = data.ad_groups(ACCOUNT)[0]
    m = data.ad_group_metrics(ACCOUNT, group.id, DAY, date(2026, 1, 10))
    assert m is not None
    assert json.loads(out.stdout) == [group.id, group.name, m.impressions, m.cost_micros, m.conversions]


def test_metric_invariants() -> None:
    as_of = date(2026, 3, 1)
    seen = omitted = 0
    for group in data.ad_groups(ACCOUNT, Volume(campaigns=5, ad_groups_per_campaign=4)):
        for offset in range(40):
            m = data.ad_group_metrics(ACCOUNT, group.id, DAY + timedelta(days=offset), as_of)
            if m is None:
                omitted += 1
                continue
            seen += 1
            assert 0 < m.impressions and 0 <= m.clicks <= m.impressions
            assert m.cost_micros >= 0 and m.cost_micros % 10_000 == 0
            assert m.conversions >= 0 and m.conversion_value >= 0
            assert (
                round(m.conversions, 2) == m.conversions
                and round(m.conversion_value, 2) == m.conversion_value
            )
    assert seen > 0 and 0 < omitted < seen / 4  # some zero rows are omitted, like the real APIs do


def test_no_data_for_incomplete_days() -> None:
    group = data.ad_groups(ACCOUNT)[0]
    assert data.ad_group_metrics(ACCOUNT, group.id, DAY, as_of=DAY) is None
    assert data.ad_group_metrics(ACCOUNT, group.id, DAY + timedelta(days=3), as_of=DAY) is None


def test_conversions_mature_over_fourteen_days() -> None:
    group = next(
        g
        for g in data.ad_groups(ACCOUNT, Volume(campaigns=3, ad_groups_per_campaign=5))
        if (m := data.ad_group_metrics(ACCOUNT, g.id, DAY, DAY + timedelta(days=30))) and m.conversions >= 1
    )
    series = [
        data.ad_group_metrics(ACCOUNT, group.id, DAY, DAY + timedelta(days=age)) for age in range(1, 31)
    ]
    conversions = [m.conversions for m in series if m is not None]
    assert len(conversions) == 30
    assert conversions == sorted(conversions) and conversions[0] < conversions[13]
    assert len(set(conversions[13:])) == 1  # final from day 14 on
    assert len({(m.impressions, m.clicks, m.cost_micros) for m in series if m}) == 1  # delivery never drifts
    again = data.ad_group_metrics(ACCOUNT, group.id, DAY, DAY + timedelta(days=3))
    assert again == series[2]


def test_campaign_and_account_metrics_are_sums_of_ad_groups() -> None:
    volume = Volume(campaigns=4, ad_groups_per_campaign=3)
    as_of = date(2026, 1, 10)
    for campaign in data.campaigns(ACCOUNT, volume):
        parts = [
            m
            for g in data.ad_groups(ACCOUNT, volume)
            if g.campaign_id == campaign.id and (m := data.ad_group_metrics(ACCOUNT, g.id, DAY, as_of))
        ]
        total = data.campaign_metrics(ACCOUNT, campaign.id, DAY, as_of, volume)
        assert total is not None
        assert total.impressions == sum(p.impressions for p in parts)
        assert total.cost_micros == sum(p.cost_micros for p in parts)
        assert total.conversions == round(sum(p.conversions for p in parts), 2)
    account_total = data.account_metrics(ACCOUNT, DAY, as_of, volume)
    assert account_total is not None
    assert account_total.clicks == sum(
        m.clicks
        for c in data.campaigns(ACCOUNT, volume)
        if (m := data.campaign_metrics(ACCOUNT, c.id, DAY, as_of, volume))
    )
