"""GoogleAdsApiHook.field_metadata against the sandbox's GoogleAdsFieldService, through the real client: one
request for all names, the API's own metadata, unknown names absent, errors classified."""
from __future__ import annotations

import pytest

from sandbox import Fault
from sandbox.google_ads_query import FIELDS

pytestmark = pytest.mark.integration


@pytest.fixture
def hook(fresh_sandbox):
    from ads_sync.sources.google_ads.hook import GoogleAdsApiHook

    return GoogleAdsApiHook()


def test_one_request_answers_every_name(hook, fresh_sandbox) -> None:
    from ads_sync.sources.google_ads.fields import FieldInfo

    names = ["campaign.id", "campaign.status", "segments.date", "segments.device", "metrics.cost_micros",
             "metrics.conversions", "ad_group.campaign", "campaign", "metrics.clikcs", "campaign.id"]
    got = hook.field_metadata(names)
    assert set(got) == set(names) - {"metrics.clikcs"}
    assert got["campaign.id"] == FieldInfo("campaign.id", "ATTRIBUTE", "INT64", True, False, ())
    assert got["segments.date"].data_type == "DATE" and got["segments.date"].category == "SEGMENT"
    assert got["metrics.conversions"].data_type == "DOUBLE" and got["metrics.conversions"].category == "METRIC"
    assert got["ad_group.campaign"].data_type == "RESOURCE_NAME"
    assert got["campaign"].category == "RESOURCE" and not got["campaign"].selectable
    assert got["segments.device"].enum_values == (
        "UNSPECIFIED", "UNKNOWN", "MOBILE", "TABLET", "DESKTOP", "OTHER", "CONNECTED_TV")
    assert {"ENABLED", "PAUSED", "REMOVED"} <= set(got["campaign.status"].enum_values)
    assert hook.requests == 1
    assert fresh_sandbox.requests.count(service="google_ads", resource="google_ads_field") == 1


def test_the_catalogue_is_what_search_stream_serves(hook) -> None:
    got = hook.field_metadata(sorted(FIELDS))
    assert set(got) == set(FIELDS)
    assert all(f.selectable for f in got.values())


@pytest.mark.parametrize("name", ["campaign.id'", "campaign.id) OR name LIKE ('%", "Campaign.Id", ""])
def test_a_name_that_could_change_the_query_is_refused_before_sending(hook, fresh_sandbox, name) -> None:
    with pytest.raises(ValueError):
        hook.field_metadata(["campaign.id", name])
    assert hook.requests == 0
    assert fresh_sandbox.requests.count(service="google_ads", resource="google_ads_field") == 0


def test_errors_are_classified(hook, fresh_sandbox) -> None:
    from ads_sync.errors import AuthFailure, TransientApiError

    fresh_sandbox.faults.add(Fault(service="google_ads", error="PERMISSION_DENIED", resource="google_ads_field"))
    with pytest.raises(AuthFailure):
        hook.field_metadata(["campaign.id"])
    fresh_sandbox.faults.add(Fault(service="google_ads", error="UNAVAILABLE", resource="google_ads_field"))
    with pytest.raises(TransientApiError):
        hook.field_metadata(["campaign.id"])
    assert hook.field_metadata(["campaign.id"])["campaign.id"].data_type == "INT64"
    assert hook.requests == 3
