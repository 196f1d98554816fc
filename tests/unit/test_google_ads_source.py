"""GAQL building and row mapping, from raw protobuf rows as the client yields them."""
from __future__ import annotations

from datetime import date

import pytest
from google.ads.googleads.v26.services.types.google_ads_service import GoogleAdsRow

from ads_sync.sources.google_ads import reports as g
from ads_sync.windows import Window

WINDOW = Window(date(2026, 3, 1), date(2026, 3, 7), "test")


def row(**fields) -> object:
    message = GoogleAdsRow.pb()()
    for path, value in fields.items():
        target = message
        *parents, leaf = path.split("__")
        for p in parents:
            target = getattr(target, p)
        setattr(target, leaf, value)
    return message


@pytest.mark.parametrize(
    "micros, text",
    [(0, "0.000000"), (1, "0.000001"), (1_230_000, "1.230000"), (987_654_321_012, "987654.321012"),
     (-1_500_000, "-1.500000")],
)
def test_micros_become_exact_decimals(micros: int, text: str) -> None:
    assert g.micros_to_decimal(micros) == text


def test_gaql_for_reports_has_the_window_and_entities_have_none() -> None:
    daily = g.REPORT_QUERIES["ad_group_daily"].gaql(WINDOW)
    assert daily == (
        "SELECT campaign.id, ad_group.id, segments.date, metrics.impressions, metrics.clicks, "
        "metrics.cost_micros, metrics.conversions, metrics.conversions_value FROM ad_group "
        "WHERE segments.date BETWEEN '2026-03-01' AND '2026-03-07'"
    )
    assert "WHERE" not in g.ENTITY_QUERIES[0].gaql(None)
    with pytest.raises(ValueError):
        g.REPORT_QUERIES["campaign_daily"].gaql(None)


def test_queries_put_entities_before_the_chosen_reports() -> None:
    names = [q.table.name for q in g.queries(["campaign_daily"])]
    assert names == ["campaigns", "ad_groups", "campaign_daily"]


def test_rows_map_in_table_column_order() -> None:
    q = g.REPORT_QUERIES["ad_group_daily"]
    r = row(campaign__id=11, ad_group__id=22, segments__date="2026-03-02", metrics__impressions=100,
            metrics__clicks=7, metrics__cost_micros=12_340_000, metrics__conversions=1.5,
            metrics__conversions_value=30.25)
    mapped = g.row_mapper(q, WINDOW)(r)
    assert mapped == ("2026-03-02", "22", "11", 100, 7, "12.340000", "1.500000", "30.250000")
    assert len(mapped) == len(q.table.columns)


def test_enums_map_to_their_names() -> None:
    r = row(campaign__id=1, campaign__name="Brand\tSearch", campaign__status=3,
            campaign__advertising_channel_type=2)
    assert g.row_mapper(g.ENTITY_QUERIES[0], None)(r) == ("1", "Brand\tSearch", "PAUSED", "SEARCH")


def test_a_row_outside_the_window_is_refused_naming_it() -> None:
    r = row(campaign__id=5, segments__date="2026-02-28")
    with pytest.raises(g.RowError, match="campaign 5 .*2026-02-28.* outside the window"):
        g.row_mapper(g.REPORT_QUERIES["campaign_daily"], WINDOW)(r)


def test_negative_cost_is_refused() -> None:
    r = row(campaign__id=5, segments__date="2026-03-03", metrics__cost_micros=-10)
    with pytest.raises(g.RowError, match="negative metric"):
        g.row_mapper(g.REPORT_QUERIES["campaign_daily"], WINDOW)(r)


def test_opt_in_reports_bring_their_entities_and_nothing_else_does() -> None:
    assert [q.table.name for q in g.queries(["campaign_daily", "ad_group_daily"])] == [
        "campaigns", "ad_groups", "campaign_daily", "ad_group_daily"]
    assert [q.table.name for q in g.queries(["campaign_daily", "ad_daily", "keyword_daily"])] == [
        "campaigns", "ad_groups", "ads", "keywords", "campaign_daily", "ad_daily", "keyword_daily"]
    assert g.REPORT_QUERIES["ad_daily"].gaql(WINDOW).split(" FROM ")[1].startswith("ad_group_ad WHERE segments.date")
    assert " FROM keyword_view WHERE segments.date BETWEEN" in g.REPORT_QUERIES["keyword_daily"].gaql(WINDOW)


def test_ad_and_keyword_rows_map_in_table_column_order() -> None:
    ad = g.REPORT_QUERIES["ad_daily"]
    r = row(campaign__id=11, ad_group__id=22, ad_group_ad__ad__id=33, segments__date="2026-03-02",
            metrics__impressions=10, metrics__clicks=1, metrics__cost_micros=500_000, metrics__conversions=0.5,
            metrics__conversions_value=2.0)
    assert g.row_mapper(ad, WINDOW)(r) == ("2026-03-02", "33", "22", "11", 10, 1, "0.500000", "0.500000", "2.000000")
    kw = g.REPORT_QUERIES["keyword_daily"]
    r = row(campaign__id=11, ad_group__id=22, ad_group_criterion__criterion_id=44, segments__date="2026-03-02",
            metrics__impressions=10, metrics__clicks=1, metrics__cost_micros=500_000)
    mapped = g.row_mapper(kw, WINDOW)(r)
    assert mapped[:4] == ("2026-03-02", "22", "44", "11") and len(mapped) == len(kw.table.columns)
    (keywords,) = g.REPORT_ENTITIES["keyword_daily"]
    r = row(ad_group__id=22, ad_group_criterion__criterion_id=44, campaign__id=11,
            ad_group_criterion__keyword__text="rain jacket", ad_group_criterion__keyword__match_type=2,
            ad_group_criterion__status=4)
    assert g.row_mapper(keywords, None)(r) == ("22", "44", "11", "rain jacket", "EXACT", "REMOVED")
