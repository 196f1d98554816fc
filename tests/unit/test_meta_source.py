"""Meta platform knowledge without a network: action parsing, row mapping, usage headers, job splitting."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ads_sync.sources.meta import reports as meta
from ads_sync.tables import AD_DAILY

ROW = {
    "date_start": "2026-03-02", "date_stop": "2026-03-02", "campaign_id": "11", "adset_id": "22", "ad_id": "33",
    "impressions": "1000", "clicks": "40", "spend": "12.34", "reach": "800", "frequency": "1.25",
    "actions": [
        {"action_type": "link_click", "value": "36", "7d_click": "36"},
        {"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3", "7d_click": "2", "1d_view": "1"},
        {"action_type": "lead", "value": "2", "7d_click": "2"},
    ],
    "action_values": [{"action_type": "purchase", "value": "150.5", "7d_click": "100.25", "1d_view": "50.25"},
                      {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "150.5"}],
}


def test_actions_sum_the_wanted_types_over_the_attribution_windows_once() -> None:
    assert meta.action_total(ROW["actions"], meta.DEFAULT_ACTION_TYPES) == Decimal(5)
    assert meta.action_total(ROW["actions"], ["purchase"]) == Decimal(3)
    # a type without window keys falls back to its value
    assert meta.action_total([{"action_type": "lead", "value": "4"}], ["lead"]) == Decimal(4)
    assert meta.action_total(None, ["purchase"]) == 0
    assert meta.action_total(ROW["action_values"], ["purchase"]) == Decimal("150.5")


def test_malformed_actions_are_refused() -> None:
    with pytest.raises(meta.RowError, match="actions"):
        meta.action_total({"purchase": 1}, ["purchase"], "ad 1")
    with pytest.raises(meta.RowError, match="not a number"):
        meta.action_total([{"action_type": "purchase", "7d_click": "x"}], ["purchase"])


def test_insight_row_follows_the_ad_daily_columns() -> None:
    row = meta.insight_row(ROW, "2026-03-01", "2026-03-07", ("purchase", "lead"))
    assert len(row) == len(AD_DAILY.columns)
    assert dict(zip(AD_DAILY.columns, row, strict=True)) == {
        "date": "2026-03-02", "ad_id": "33", "ad_group_id": "22", "campaign_id": "11", "impressions": 1000,
        "clicks": 40, "cost": "12.340000", "conversions": "5.000000", "conversion_value": "150.500000",
        "reach": 800, "frequency": "1.250000",
    }


@pytest.mark.parametrize("change, words", [
    ({"date_start": "2026-02-01", "date_stop": "2026-02-01"}, "outside the window"),
    ({"date_stop": "2026-03-03"}, "one day per row"),
    ({"spend": "-1"}, "non-negative"),
    ({"impressions": "1.5"}, "whole number"),
])
def test_bad_rows_name_the_ad_and_the_problem(change, words) -> None:
    with pytest.raises(meta.RowError, match=words):
        meta.insight_row({**ROW, **change}, "2026-03-01", "2026-03-07", ("purchase",))


def test_budgets_are_divided_by_the_currency_offset() -> None:
    assert meta.budget("5000", "USD", "c") == "50.000000"
    assert meta.budget("5000", "JPY", "c") == "5000.000000"
    assert meta.budget(None, "USD", "c") is None


def test_usage_headers_pause_before_the_limit() -> None:
    quiet = meta.parse_usage({"X-Business-Use-Case-Usage": '{"1": [{"call_count": 10, "total_time": "20"}]}'})
    assert quiet.pause_s == 0
    busy = meta.parse_usage({"x-fb-ads-insights-throttle": '{"app_id_util_pct": "80", "acc_id_util_pct": 3}'})
    assert busy.pct == 80 and 0 < busy.pause_s < 5
    full = meta.parse_usage({"x-fb-ads-insights-throttle": '{"app_id_util_pct": 100}'})
    assert full.pause_s == meta.MAX_PAUSE_S
    # the API's own estimate (minutes) wins, even when the percentages read low
    regain = meta.parse_usage({
        "X-Business-Use-Case-Usage": '{"1": [{"call_count": 1, "estimated_time_to_regain_access": "3"}]}',
        "x-fb-ads-insights-throttle": '{"app_id_util_pct": 0}',
    })
    assert regain.pause_s == 180
    assert meta.parse_usage({"X-Business-Use-Case-Usage": "not json"}).pause_s == 0


def test_insights_params_ask_only_for_live_attribution_windows_and_no_breakdowns() -> None:
    params = meta.insights_params((date(2026, 1, 1), date(2026, 1, 31)), campaign_ids=["2", "1"])
    assert params["level"] == "ad" and params["time_increment"] == 1
    assert not {"7d_view", "28d_view", "28d_click"} & set(params["action_attribution_windows"])
    assert "breakdowns" not in params and "action_breakdowns" not in params
    # every status an ad can have delivered in: without ARCHIVED the account node leaves archived ads out
    assert params["filtering"] == [
        {"field": "ad.effective_status", "operator": "IN", "value": list(meta.DELIVERED_STATUSES)},
        {"field": "campaign.id", "operator": "IN", "value": ["1", "2"]},
    ]
    assert "ARCHIVED" in meta.DELIVERED_STATUSES and "DELETED" not in meta.DELIVERED_STATUSES


def test_account_totals_ask_for_the_same_attribution_and_count_conversions_like_the_ad_rows() -> None:
    window = (date(2026, 1, 1), date(2026, 1, 7))
    params = meta.account_totals_params(window)
    ad = meta.insights_params(window)
    assert params["level"] == "account" and "filtering" not in params
    for key in ("time_increment", "time_range", "action_attribution_windows", "action_report_time"):
        assert params[key] == ad[key]
    row = {"date_start": "2026-01-02", "date_stop": "2026-01-02", "impressions": "10", "clicks": "2",
           "spend": "1234.56", "actions": [{"action_type": "purchase", "7d_click": "0.1", "1d_view": "0.2"}]}
    day, impressions, clicks, cost, conversions, value = meta.account_total(row, ["purchase"])
    assert (day, impressions, clicks, cost, value) == (date(2026, 1, 2), 10, 2, Decimal("1234.56"), 0)
    assert conversions == Decimal("0.3")  # 0.1 + 0.2, exactly


def test_requested_fields_are_known_to_the_sdk() -> None:
    from facebook_business.adobjects.adsinsights import AdsInsights
    from facebook_business.adobjects.campaign import Campaign

    known = set(vars(AdsInsights.Field).values())
    assert set(meta.INSIGHT_FIELDS) <= known
    assert set(meta.CAMPAIGN_FIELDS) <= set(vars(Campaign.Field).values())


def test_a_failed_long_job_is_halved() -> None:
    job = meta.Job(date(2025, 1, 1), date(2025, 12, 31), run_id="9", status="Job Failed")
    first, second = meta.split_failed(job)
    assert (first.start, second.end) == (job.start, job.end)
    assert first.end + timedelta(days=1) == second.start
    assert first.run_id is None and first.status == "pending"


def test_a_failed_week_is_split_by_campaign_then_retried_then_given_up_loudly() -> None:
    week = meta.Job(date(2026, 1, 1), date(2026, 1, 7), status="Job Failed")
    parts = meta.split_failed(week, ["3", "1", "2"])
    assert [p.campaigns for p in parts] == [("1",), ("2",), ("3",)]
    again = meta.split_failed(parts[0])
    assert again[0].campaigns == ("1",) and again[0].attempt == 2
    with pytest.raises(meta.JobsExhausted, match="campaigns 1"):
        meta.split_failed(meta.Job(week.start, week.end, ("1",), attempt=meta.LEAF_ATTEMPTS))


def test_jobs_round_trip_through_json() -> None:
    job = meta.Job(date(2026, 1, 1), date(2026, 1, 7), ("1",), 2, "77", "pending", 12.5)
    assert meta.Job.from_dict(job.to_dict()) == job


@pytest.mark.parametrize("code, subcode, status, kind", [
    (190, 463, 400, "auth"), (10, None, 400, "auth"), (200, None, 403, "auth"), (294, None, 400, "auth"),
    (1, 2853001, 400, "auth"), (1, 99, 500, "transient"), (2, None, 503, "transient"), (17, 2446079, 400, "transient"),
    (80004, None, 400, "transient"), (613, None, 400, "transient"), (100, None, 400, "invalid"),
    (None, None, 502, "transient"), (3018, None, 400, "invalid"),
])
def test_error_kinds_come_from_code_and_subcode(code, subcode, status, kind) -> None:
    assert meta.error_kind(code, subcode, status) == kind
