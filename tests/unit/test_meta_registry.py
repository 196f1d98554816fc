"""Meta entries in the registry: ids without act_, the optional per-account action_types."""
from __future__ import annotations

import pytest

from ads_sync.registry import parse_registry

BASE = {"platform": "meta", "account_id": "123456789", "name": "Shop", "timezone": "America/Chicago",
        "currency": "USD"}


def one(**changes):
    registry = parse_registry({"accounts": [{**BASE, **changes}]})
    return registry.accounts[0] if registry.accounts else registry.errors[0]


def test_defaults_for_a_meta_account() -> None:
    account = one()
    assert (account.conn_id, account.reports, account.option("action_types")) == (
        "facebook_default", ("ad_daily",), None)
    assert account.info.pool == "meta_api" and account.info.retention_months == 37


def test_act_prefix_is_refused_with_the_spelling_to_use() -> None:
    error = one(account_id="act_123456789")
    assert error.field == "account_id" and "'123456789'" in error.message


def test_action_types_are_kept_in_order() -> None:
    account = one(action_types=["purchase", "offsite_conversion.custom.123", "app_custom_event.fb_mobile_purchase"])
    assert account.option("action_types") == (
        "purchase", "offsite_conversion.custom.123", "app_custom_event.fb_mobile_purchase")


@pytest.mark.parametrize("value, words", [
    ([], "non-empty list"),
    ("purchase", "non-empty list"),
    (["purchase", "purchase"], "listed twice"),
    (["Purchase"], "not a Meta action type"),
    ([3], "not a Meta action type"),
    ([f"t{i}" for i in range(21)], "at most 20"),
])
def test_bad_action_types_name_the_field(value, words) -> None:
    error = one(action_types=value)
    assert error.field == "action_types" and words in error.message


def test_action_types_on_a_google_ads_entry_are_refused() -> None:
    registry = parse_registry({"accounts": [{**BASE, "platform": "google_ads", "account_id": "1234567890",
                                             "action_types": ["purchase"]}]})
    assert registry.errors[0].field == "action_types" and "meta" in registry.errors[0].message
