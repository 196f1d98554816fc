"""The fields custom GAQL reports may select beyond the built-in reports': segments.device, extra metrics and
campaign.bidding_strategy_type, through the real google-ads client. A device split must add up to the
unsegmented rows exactly, like the real API's segments do."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from google.ads.googleads.errors import GoogleAdsException

WINDOW = "segments.date BETWEEN '2026-01-01' AND '2026-01-07'"
SUMMED = ("impressions", "clicks", "cost_micros", "conversions", "conversions_value", "all_conversions",
          "interactions", "video_trueview_views")
RESOURCE_IDS = {
    "customer": lambda r: r.customer.id,
    "campaign": lambda r: r.campaign.id,
    "ad_group": lambda r: r.ad_group.id,
    "ad_group_ad": lambda r: r.ad_group_ad.ad.id,
    "keyword_view": lambda r: (r.ad_group.id, r.ad_group_criterion.criterion_id),
}
ID_FIELDS = {
    "customer": "customer.id",
    "campaign": "campaign.id",
    "ad_group": "ad_group.id",
    "ad_group_ad": "ad_group_ad.ad.id",
    "keyword_view": "ad_group.id, ad_group_criterion.criterion_id",
}


def _numbers(row: Any) -> tuple[Decimal, ...]:
    """The metrics as the project loads them: doubles as 6-decimal text, so sums are exact decimals."""
    return tuple(Decimal(f"{getattr(row.metrics, name):.6f}") for name in SUMMED)


def _add(a: tuple[Decimal, ...], b: tuple[Decimal, ...]) -> tuple[Decimal, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("resource", sorted(RESOURCE_IDS))
def test_a_device_split_sums_to_the_unsegmented_rows_every_day(ads, rows, resource) -> None:
    metrics = ", ".join(f"metrics.{m}" for m in SUMMED)
    key = RESOURCE_IDS[resource]
    whole = {(key(r), r.segments.date): _numbers(r)
             for r in rows(ads, f"SELECT {ID_FIELDS[resource]}, segments.date, {metrics} FROM {resource} "
                                f"WHERE {WINDOW}")}
    split: dict[Any, tuple[Decimal, ...]] = {}
    devices: dict[Any, set[str]] = defaultdict(set)
    from google.ads.googleads.v26.enums.types.device import DeviceEnum

    for r in rows(ads, f"SELECT {ID_FIELDS[resource]}, segments.date, segments.device, {metrics} FROM {resource} "
                       f"WHERE {WINDOW}"):
        k = (key(r), r.segments.date)
        assert r.metrics.impressions > 0
        devices[k].add(DeviceEnum.Device(r.segments.device).name)
        split[k] = _add(split[k], _numbers(r)) if k in split else _numbers(r)
    assert len({d for _, d in whole}) == 7  # several days
    assert split == whole
    assert any(len(d) >= 3 for d in devices.values())
    assert set().union(*devices.values()) <= {"MOBILE", "DESKTOP", "TABLET", "CONNECTED_TV", "OTHER"}


def test_devices_without_the_date_are_the_window_totals(ads, rows) -> None:
    by_day = defaultdict(int)
    for r in rows(ads, f"SELECT campaign.id, segments.date, segments.device, metrics.clicks FROM campaign "
                       f"WHERE {WINDOW}"):
        by_day[(r.campaign.id, r.segments.device)] += r.metrics.clicks
    totals = {(r.campaign.id, r.segments.device): r.metrics.clicks
              for r in rows(ads, f"SELECT campaign.id, segments.device, metrics.clicks FROM campaign WHERE {WINDOW}")
              if r.metrics.clicks}
    assert totals == {k: v for k, v in by_day.items() if v}


def test_a_device_filter_keeps_that_device(ads, rows) -> None:
    got = rows(ads, f"SELECT campaign.id, segments.date, segments.device, metrics.clicks FROM campaign "
                    f"WHERE {WINDOW} AND segments.device = 'MOBILE'")
    assert got and {r.segments.device for r in got} == {2}  # DeviceEnum.MOBILE


def test_filtering_on_a_segment_not_selected_is_refused(ads, rows) -> None:
    with pytest.raises(GoogleAdsException) as exc:
        rows(ads, f"SELECT campaign.id, metrics.clicks FROM campaign WHERE {WINDOW} AND segments.device = 'MOBILE'")
    assert exc.value.failure.errors[0].error_code.query_error  # EXPECTED_DIMENSION_FIELD_IN_SELECT_CLAUSE


def test_extra_metrics_are_coherent(ads, rows) -> None:
    got = rows(ads, f"SELECT campaign.id, campaign.bidding_strategy_type, segments.date, metrics.clicks, "
                    f"metrics.conversions, metrics.all_conversions, metrics.interactions FROM campaign "
                    f"WHERE {WINDOW}")
    assert got
    assert all(r.metrics.all_conversions >= r.metrics.conversions for r in got)
    assert all(r.metrics.interactions >= r.metrics.clicks for r in got)
    assert any(r.metrics.all_conversions > r.metrics.conversions for r in got)
    assert all(r.campaign.bidding_strategy_type > 1 for r in got)  # a real strategy, not UNSPECIFIED/UNKNOWN


def test_an_unknown_field_is_still_refused(ads, rows) -> None:
    with pytest.raises(GoogleAdsException) as exc:
        rows(ads, f"SELECT campaign.id, metrics.clikcs FROM campaign WHERE {WINDOW}")
    assert "Unrecognized field" in exc.value.failure.errors[0].message


def test_the_field_service_pages_filters_and_limits(sandbox) -> None:
    from google.ads.googleads.client import GoogleAdsClient
    from google.oauth2.credentials import Credentials

    client = GoogleAdsClient(
        credentials=Credentials(token=None, refresh_token="r", client_id="c", client_secret="s",
                                token_uri=sandbox.token_uri),
        developer_token="dev", use_proto_plus=False, endpoint=sandbox.google_ads_endpoint, version="v26")
    service = client.get_service("GoogleAdsFieldService")
    request = client.get_type("SearchGoogleAdsFieldsRequest")
    request.query = "SELECT name, category WHERE category = METRIC ORDER BY name"
    request.page_size = 3
    pager = service.search_google_ads_fields(request=request)
    pages = list(pager.pages)
    names = [f.name for p in pages for f in p.results]
    assert len(pages) == 3 and names == sorted(names) and "metrics.video_trueview_views" in names
    assert pages[0].total_results_count == len(names) == 8
    assert not pages[0].results[0].data_type  # not selected, not sent
    request = client.get_type("SearchGoogleAdsFieldsRequest")
    request.query = "SELECT name WHERE name LIKE 'campaign.%' LIMIT 2"
    assert len(list(service.search_google_ads_fields(request=request))) == 2
    request.query = "SELECT name, nonsense WHERE name = 'campaign.id'"
    with pytest.raises(GoogleAdsException):
        list(service.search_google_ads_fields(request=request))
