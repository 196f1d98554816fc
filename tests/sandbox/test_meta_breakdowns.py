"""The sandbox's Meta breakdowns and levels, from its own ad rows: every additive number of a breakdown sums to
the unbroken-down row exactly, at every level, and each action's value stays the sum of its windows."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from sandbox import meta_breakdowns, meta_data

ACCOUNT = "555000111"
AD_ROWS = [r for _, r in meta_data.insights(ACCOUNT, date(2026, 1, 1), date(2026, 1, 9), date(2026, 1, 20))]


def _sums(rows: list[dict], level: str) -> dict:
    out: dict = defaultdict(Decimal)
    for r in rows:
        key = (r["date_start"], *(r.get(k) for k in meta_breakdowns.LEVEL_IDS[level]))
        for name in ("impressions", "clicks", "spend"):
            out[(*key, name)] += Decimal(r[name])
        for kind in ("actions", "action_values"):
            for a in r.get(kind, []):
                for k, v in a.items():
                    if k != "action_type":
                        out[(*key, kind, a["action_type"], k)] += Decimal(v)
    return dict(out)


@pytest.mark.parametrize("level", meta_breakdowns.LEVELS)
@pytest.mark.parametrize("breakdowns", [("age",), ("gender",), ("device_platform",), ("publisher_platform",),
                                        ("age", "gender"), ("publisher_platform", "device_platform")])
def test_parts_sum_to_the_whole(level: str, breakdowns: tuple[str, ...]) -> None:
    whole = list(meta_breakdowns.shaped(AD_ROWS, level, ()))
    parts = list(meta_breakdowns.shaped(AD_ROWS, level, breakdowns))
    assert _sums(parts, level) == _sums(whole, level)
    assert all(int(p["impressions"]) > 0 for p in parts)
    for b in breakdowns:
        assert {p[b] for p in parts} == {label for label, _ in meta_breakdowns.BREAKDOWNS[b]}


def test_an_action_value_is_the_sum_of_its_windows_in_every_part() -> None:
    for part in meta_breakdowns.shaped(AD_ROWS, "ad", ("age", "gender")):
        for a in part["actions"]:
            windows = [Decimal(a[k]) for k in ("7d_click", "1d_view") if k in a]
            assert Decimal(a["value"]) == sum(windows)


def test_levels_sum_their_ads_and_reach_is_not_additive() -> None:
    campaigns = list(meta_breakdowns.shaped(AD_ROWS, "campaign", ()))
    assert _sums(campaigns, "account") == _sums(AD_ROWS, "account")
    by_campaign: dict = defaultdict(int)
    for r in AD_ROWS:
        by_campaign[(r["date_start"], r["campaign_id"])] += int(r["reach"])
    assert all(int(c["reach"]) < by_campaign[(c["date_start"], c["campaign_id"])] for c in campaigns
               if by_campaign[(c["date_start"], c["campaign_id"])] > int(c["impressions"]) // 10)


def test_derived_fields_come_from_the_row() -> None:
    from sandbox.data import Volume

    row = meta_breakdowns.with_derived(AD_ROWS[0], ("ctr", "cpc", "cpm", "inline_link_clicks", "ad_name"), Volume())
    assert Decimal(row["ctr"]) == (Decimal(row["clicks"]) * 100 / int(row["impressions"])).quantize(Decimal("1e-6"))
    assert row["inline_link_clicks"] == next(a["value"] for a in row["actions"] if a["action_type"] == "link_click")
    assert row["ad_name"] == next(a.name for a in meta_data.ads(ACCOUNT) if str(a.id) == row["ad_id"])
