"""SearchStream through the real google-ads client: fields, values, dates, drift, request log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from google.ads.googleads.errors import GoogleAdsException

from sandbox import Sandbox, Volume, data

CUSTOMER = "1234567890"
METRICS = (
    "metrics.impressions, metrics.clicks, metrics.cost_micros, metrics.conversions, metrics.conversions_value"
)
BETWEEN = "WHERE segments.date BETWEEN '{}' AND '{}'"
CAMPAIGN_METRICS = f"SELECT campaign.id, segments.date, {METRICS} FROM campaign " + BETWEEN
AD_GROUP_METRICS = f"SELECT campaign.id, ad_group.id, segments.date, {METRICS} FROM ad_group " + BETWEEN
Rows = Callable[..., list[Any]]


def _metrics(row: Any) -> tuple[int, int, int, float, float]:
    m = row.metrics
    return m.impressions, m.clicks, m.cost_micros, m.conversions, m.conversions_value


def _enum(row_part: Any, field: str) -> str:
    return row_part.DESCRIPTOR.fields_by_name[field].enum_type.values_by_number[getattr(row_part, field)].name


def test_campaigns(ads: Any, batches: Rows) -> None:
    query = (
        "SELECT campaign.id, campaign.name, campaign.status, campaign.advertising_channel_type FROM campaign"
    )
    (batch,) = batches(ads, query)
    assert list(batch.field_mask.paths) == [
        "campaign.id",
        "campaign.name",
        "campaign.status",
        "campaign.advertising_channel_type",
    ]
    assert len(batch.request_id) == 22
    got = [
        (
            r.campaign.id,
            r.campaign.name,
            _enum(r.campaign, "status"),
            _enum(r.campaign, "advertising_channel_type"),
        )
        for r in batch.results
    ]
    assert got == [(c.id, c.name, c.status, c.channel) for c in data.campaigns(CUSTOMER)]
    row = batch.results[0]
    assert (
        row.campaign.resource_name == f"customers/{CUSTOMER}/campaigns/{row.campaign.id}"
    )  # as the real API
    assert not row.HasField("metrics") and not row.HasField("ad_group")
    assert batches(ads, query)[0].results == batch.results  # deterministic


def test_ad_groups(ads: Any, rows: Rows) -> None:
    got = rows(
        ads, "SELECT ad_group.id, ad_group.name, ad_group.status, ad_group.type, campaign.id FROM ad_group"
    )
    expected = data.ad_groups(CUSTOMER)
    assert [(r.ad_group.id, r.ad_group.name, _enum(r.ad_group, "status"), r.campaign.id) for r in got] == [
        (g.id, g.name, g.status, g.campaign_id) for g in expected
    ]
    assert {_enum(r.ad_group, "type_") for r in got} <= {
        "SEARCH_STANDARD",
        "DISPLAY_STANDARD",
        "SHOPPING_PRODUCT_ADS",
        "VIDEO_RESPONSIVE",
    }
    assert not got[0].campaign.name  # only what was selected (plus resource names)


def test_customer(ads: Any, rows: Rows) -> None:
    (row,) = rows(
        ads,
        "SELECT customer.id, customer.descriptive_name, customer.currency_code, customer.time_zone "
        "FROM customer",
    )
    account = data.account(CUSTOMER)
    assert (
        row.customer.id,
        row.customer.descriptive_name,
        row.customer.currency_code,
        row.customer.time_zone,
    ) == (int(CUSTOMER), account.name, account.currency, account.time_zone)


def test_campaign_metrics_match_the_data(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    got = rows(ads, CAMPAIGN_METRICS.format("2026-01-01", "2026-01-07"))
    expected = {}
    for campaign in data.campaigns(CUSTOMER):
        for offset in range(7):
            day = date(2026, 1, 1) + timedelta(days=offset)
            m = data.campaign_metrics(CUSTOMER, campaign.id, day, sandbox.today)
            if m is not None:
                expected[(campaign.id, day.isoformat())] = (
                    m.impressions,
                    m.clicks,
                    m.cost_micros,
                    m.conversions,
                    m.conversion_value,
                )
    assert {(r.campaign.id, r.segments.date): _metrics(r) for r in got} == expected
    assert len(got) == len(expected)


def test_campaign_rows_are_sums_of_ad_group_rows(ads: Any, rows: Rows) -> None:
    campaigns = rows(ads, CAMPAIGN_METRICS.format("2025-12-01", "2026-01-09"))
    summed: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0, 0, 0.0, 0.0])
    for r in rows(ads, AD_GROUP_METRICS.format("2025-12-01", "2026-01-09")):
        acc = summed[(r.campaign.id, r.segments.date)]
        for i, value in enumerate(_metrics(r)):
            acc[i] += value
    assert len(campaigns) == len(summed) > 100
    for r in campaigns:
        imp, clicks, cost, conv, value = summed[(r.campaign.id, r.segments.date)]
        assert (imp, clicks, cost, round(conv, 2), round(value, 2)) == _metrics(r)


def test_rows_only_for_requested_complete_days(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    got = rows(ads, AD_GROUP_METRICS.format("2026-01-03", "2026-01-20"))  # today is 2026-01-10
    days = {r.segments.date for r in got}
    assert days == {f"2026-01-{d:02d}" for d in range(3, 10)}
    assert rows(ads, AD_GROUP_METRICS.format(sandbox.today, "2026-02-01")) == []


def test_conversions_drift_with_today_but_not_within_a_day(sandbox: Sandbox, ads: Any, rows: Rows) -> None:
    query = CAMPAIGN_METRICS.format("2026-01-05", "2026-01-09")
    first, again = rows(ads, query), rows(ads, query)
    assert [_metrics(r) for r in first] == [_metrics(r) for r in again]
    sandbox.set_today(sandbox.today + timedelta(days=5))
    later = rows(ads, query)
    assert [r.metrics.impressions for r in later] == [r.metrics.impressions for r in first]
    assert sum(r.metrics.conversions for r in later) > sum(r.metrics.conversions for r in first)
    assert all(b.metrics.conversions >= a.metrics.conversions for a, b in zip(first, later, strict=True))


def test_where_and_limit_are_applied(ads: Any, rows: Rows) -> None:
    enabled = {c.id for c in data.campaigns(CUSTOMER) if c.status == "ENABLED"}
    got = rows(ads, "SELECT campaign.id FROM campaign WHERE campaign.status = 'ENABLED'")
    assert {r.campaign.id for r in got} == enabled
    assert len(rows(ads, "SELECT ad_group.id FROM ad_group LIMIT 2")) == 2
    busy = rows(
        ads,
        "SELECT ad_group.id, segments.date, metrics.clicks FROM ad_group "
        "WHERE segments.date DURING LAST_7_DAYS AND metrics.clicks > 100",
    )
    assert busy and all(r.metrics.clicks > 100 for r in busy)


def test_metrics_without_segments_aggregate_the_range(ads: Any, rows: Rows) -> None:
    daily = rows(ads, CAMPAIGN_METRICS.format("2026-01-01", "2026-01-07"))
    totals = rows(
        ads, f"SELECT campaign.id, {METRICS} FROM campaign " + BETWEEN.format("2026-01-01", "2026-01-07")
    )
    for row in totals:
        assert row.metrics.clicks == sum(r.metrics.clicks for r in daily if r.campaign.id == row.campaign.id)
        assert not row.segments.date


def test_large_results_arrive_in_batches_of_10000(sandbox: Sandbox, make_service: Any, batches: Rows) -> None:
    sandbox.state.volume = Volume(campaigns=40, ad_groups_per_campaign=25)
    got = batches(make_service(), AD_GROUP_METRICS.format("2025-12-28", "2026-01-09"))
    sizes = [len(b.results) for b in got]
    assert sizes[0] == 10_000 and len(sizes) == 2 and 0 < sizes[-1] < 10_000
    assert len({b.request_id for b in got}) == 1
    assert sandbox.requests.entries[-1]["rows"] == sum(sizes)


def test_request_log(sandbox: Sandbox, make_service: Any, rows: Rows) -> None:
    ads = make_service(login_customer_id="9876543210")
    rows(ads, "SELECT campaign.id FROM campaign")
    rows(ads, "SELECT ad_group.id FROM ad_group", customer_id="1111111111")
    rows(ads, "SELECT ad_group.id FROM ad_group")
    assert sandbox.requests.count(service="google_ads") == 3
    assert sandbox.requests.count(customer_id=CUSTOMER) == 2
    assert sandbox.requests.count(resource="ad_group") == 2
    assert sandbox.requests.count(service="google_ads", customer_id=CUSTOMER, resource="ad_group") == 1
    assert sandbox.requests.count(service="oauth") == 1  # one token refresh for all three calls
    entry = sandbox.requests.filter(service="google_ads")[1]
    assert entry["login_customer_id"] == "9876543210"
    assert entry["method"] == "SearchStream" and entry["status"] == "OK"
    assert entry["query"] == "SELECT ad_group.id FROM ad_group"
    sandbox.reset()
    assert sandbox.requests.entries == []


def _failure(exc: pytest.ExceptionInfo[GoogleAdsException]) -> tuple[str, str]:
    """(error family, code name) of the first error; the library gives a proto-plus GoogleAdsFailure."""
    failure = exc.value.failure
    error = type(failure).pb(failure).errors[0]
    family = error.error_code.WhichOneof("error_code")
    return family, _enum(error.error_code, family)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT campaign.nope FROM campaign", ("query_error", "UNRECOGNIZED_FIELD")),
        ("SELECT campaign.id FROM search_term_view", ("query_error", "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE")),
        ("SELECT ad_group.id FROM campaign", ("query_error", "PROHIBITED_RESOURCE_TYPE_IN_SELECT_CLAUSE")),
        (
            "SELECT campaign.id, metrics.clicks FROM campaign",
            ("query_error", "EXPECTED_FILTERS_ON_DATE_RANGE"),
        ),
        (
            "SELECT campaign.id, segments.date FROM campaign WHERE segments.date >= '2026-01-01'",
            ("query_error", "EXPECTED_FILTERS_ON_DATE_RANGE"),
        ),
        (
            CAMPAIGN_METRICS.format("2026-01-07", "2026-01-01"),
            ("query_error", "INVALID_VALUE_WITH_BETWEEN_OPERATOR"),
        ),
        (
            "SELECT campaign.id FROM campaign WHERE campaign.status = 'LIVE'",
            ("query_error", "BAD_ENUM_CONSTANT"),
        ),
        ("SELEKT campaign.id FROM campaign", ("query_error", "EXPECTED_SELECT")),
    ],
)
def test_invalid_queries(
    sandbox: Sandbox, ads: Any, rows: Rows, query: str, expected: tuple[str, str]
) -> None:
    with pytest.raises(GoogleAdsException) as exc:
        rows(ads, query)
    assert _failure(exc) == expected
    assert exc.value.error.code().name == "INVALID_ARGUMENT"
    assert exc.value.request_id == exc.value.failure.request_id == sandbox.requests.entries[-1]["request_id"]


def test_invalid_customer_id(ads: Any, rows: Rows) -> None:
    with pytest.raises(GoogleAdsException) as exc:
        rows(ads, "SELECT campaign.id FROM campaign", customer_id="123-456-7890")
    assert _failure(exc) == ("request_error", "INVALID_CUSTOMER_ID")


def test_developer_token_is_required(make_service: Any, rows: Rows) -> None:
    with pytest.raises(GoogleAdsException) as exc:
        rows(make_service(developer_token=None), "SELECT campaign.id FROM campaign")
    assert exc.value.error.code().name == "INVALID_ARGUMENT"  # what the real API answers
    assert _failure(exc) == ("request_error", "DEVELOPER_TOKEN_PARAMETER_MISSING")


def test_only_tokens_from_the_sandbox_are_accepted(make_service: Any, rows: Rows) -> None:
    from google.oauth2.credentials import Credentials

    with pytest.raises(GoogleAdsException) as exc:
        rows(
            make_service(credentials=Credentials(token="ya29.not-issued-here")),
            "SELECT campaign.id FROM campaign",
        )
    assert exc.value.error.code().name == "UNAUTHENTICATED"
    assert _failure(exc) == ("authentication_error", "OAUTH_TOKEN_INVALID")
