"""ad_group_ad and keyword_view over SearchStream, through the real client: the ads of an ad group sum to
its ad group's row exactly (Google: every impression serves one of the ad group's ads); keywords sum to at
most it (only keyword-triggered traffic is in keyword_view); removed ads and keywords keep their rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sandbox import data

CUSTOMER = "1234567890"
METRICS = "metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value"
TODAY = date(2026, 1, 10)
START, END = TODAY - timedelta(days=14), TODAY - timedelta(days=1)
BETWEEN = f"WHERE segments.date BETWEEN '{START}' AND '{END}'"
Rows = Callable[..., list[Any]]


def _enum(part: Any, field: str) -> str:
    return part.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[getattr(part, field)].name


def _sums(rows: list[Any], key: Callable[[Any], Any]) -> dict[Any, tuple[int, int, int, float]]:
    out: dict[Any, list[Any]] = defaultdict(lambda: [0, 0, 0, 0.0])
    for r in rows:
        m, s = r.metrics, out[key(r)]
        s[0] += m.impressions
        s[1] += m.clicks
        s[2] += m.cost_micros
        s[3] = round(s[3] + m.conversions, 2)
    return {k: tuple(v) for k, v in out.items()}  # type: ignore[misc]


def test_ad_entities(ads: Any, rows: Rows) -> None:
    got = rows(ads, "SELECT ad_group_ad.ad.id, ad_group_ad.ad.name, ad_group_ad.status, ad_group.id, campaign.id "
                    "FROM ad_group_ad")
    assert [(r.ad_group_ad.ad.id, r.ad_group_ad.ad.name, _enum(r.ad_group_ad, "status"), r.ad_group.id,
             r.campaign.id) for r in got] == [(a.id, a.name, a.status, a.ad_group_id, a.campaign_id)
                                              for a in data.ads(CUSTOMER)]
    first = got[0]
    name = f"customers/{CUSTOMER}/adGroupAds/{first.ad_group.id}~{first.ad_group_ad.ad.id}"
    assert first.ad_group_ad.resource_name == name
    assert "REMOVED" in {_enum(r.ad_group_ad, "status") for r in got}


def test_ad_rows_sum_to_their_ad_group_exactly(ads: Any, rows: Rows) -> None:
    ad_rows = rows(ads, f"SELECT ad_group_ad.ad.id, ad_group.id, segments.date, {METRICS} FROM ad_group_ad {BETWEEN}")
    group_rows = rows(ads, f"SELECT ad_group.id, segments.date, {METRICS} FROM ad_group {BETWEEN}")
    assert ad_rows and all(r.metrics.impressions > 0 for r in ad_rows)
    by_group = _sums(ad_rows, lambda r: (r.ad_group.id, r.segments.date))
    assert by_group == _sums(group_rows, lambda r: (r.ad_group.id, r.segments.date))
    removed = {a.id for a in data.ads(CUSTOMER) if a.status == "REMOVED"}
    assert removed & {r.ad_group_ad.ad.id for r in ad_rows}  # a removed ad keeps its history


def test_keyword_rows_sum_to_at_most_their_ad_group(ads: Any, rows: Rows) -> None:
    kw = rows(ads, "SELECT ad_group_criterion.criterion_id, ad_group_criterion.keyword.text, "
                   f"ad_group_criterion.keyword.match_type, ad_group.id, segments.date, {METRICS} "
                   f"FROM keyword_view {BETWEEN}")
    groups = rows(ads, f"SELECT ad_group.id, segments.date, {METRICS} FROM ad_group {BETWEEN}")
    assert kw
    by_group = _sums(kw, lambda r: (r.ad_group.id, r.segments.date))
    group_sums = _sums(groups, lambda r: (r.ad_group.id, r.segments.date))
    search = {k.ad_group_id for k in data.keywords(CUSTOMER)}
    assert {g for g, _ in by_group} <= search  # only keyword-targeted ad groups have keyword rows
    for key, total in by_group.items():
        expected = group_sums[key]
        if data.keywordless(key[0]):
            assert total[0] < expected[0] and total[2] <= expected[2]
        else:
            assert total == expected
    assert {_enum(r.ad_group_criterion.keyword, "match_type") for r in kw} <= {"EXACT", "PHRASE", "BROAD"}
    assert {r.ad_group_criterion.keyword.text for r in kw} <= {k.text for k in data.keywords(CUSTOMER)}


def test_keyword_entities_share_criterion_ids_across_ad_groups(ads: Any, rows: Rows) -> None:
    got = rows(ads, "SELECT ad_group_criterion.criterion_id, ad_group_criterion.keyword.text, "
                    "ad_group_criterion.keyword.match_type, ad_group_criterion.status, ad_group.id, campaign.id "
                    "FROM keyword_view")
    keys = [(r.ad_group.id, r.ad_group_criterion.criterion_id) for r in got]
    assert len(set(keys)) == len(keys) == len(data.keywords(CUSTOMER))
    ids = [criterion for _, criterion in keys]
    assert len(set(ids)) < len(ids)  # one id, several ad groups: the key needs the ad group
    assert "REMOVED" in {_enum(r.ad_group_criterion, "status") for r in got}
