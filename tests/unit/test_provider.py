"""Airflow's providers manager finds ads-sync through its entry point (installed by `make install`): the three
connection types, their form fields with labels, hidden unused fields, and hooks the Test button can call."""
from __future__ import annotations

import pytest

from ads_sync import provider


@pytest.fixture(scope="module")
def manager():
    from airflow.providers_manager import ProvidersManager

    return ProvidersManager()


def test_the_entry_point_registers_the_package(manager) -> None:
    assert "ads-sync" in manager.providers, (
        "no apache_airflow_provider entry point for ads-sync: run `make install` (it installs the checkout)")
    assert manager.providers["ads-sync"].data["package-name"] == "ads-sync"


@pytest.mark.parametrize("conn_type, hook_class", [
    (provider.GOOGLE_ADS, "GoogleAdsApiHook"), (provider.META, "MetaAdsHook"), (provider.GOOGLE_SHEETS, "SheetsHook"),
])
def test_each_connection_type_has_a_testable_hook(manager, conn_type: str, hook_class: str) -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ProvidersManager.hooks is deprecated for the task SDK's copy
        info = manager.hooks[conn_type]
    assert info is not None, f"{conn_type} did not import"
    assert info.hook_class_name.endswith(hook_class) and info.connection_testable
    assert info.connection_type == conn_type  # the class's conn_type agrees with the provider info


def test_the_connections_form_shows_labelled_fields_and_hides_unused_ones() -> None:
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    meta = {m.connection_type: m for m in HookMetaService.hook_meta_data()}
    google = meta[provider.GOOGLE_ADS]
    assert google.hook_name == "Google Ads (ads-sync)"
    fields = google.extra_fields
    assert fields["developer_token"]["schema"] == {"type": ["string", "null"], "format": "password",
                                                   "title": "Developer token"}
    assert fields["login_customer_id"]["schema"]["examples"] == ["1234567890"]
    assert set(fields) == set(provider.CONN_FIELDS[provider.GOOGLE_ADS])
    assert google.standard_fields.host.hidden and google.standard_fields.password.hidden
    assert google.standard_fields.description is None  # the description stays as Airflow shows it
    assert meta[provider.META].extra_fields["access_token"]["schema"]["format"] == "password"
    assert meta[provider.GOOGLE_SHEETS].extra_fields["keyfile_dict"]["schema"]["title"] == "Service account key (JSON)"
    # the Google provider keeps its own types: ours are beside them, not over them
    assert meta["google_ads"].hook_name == "Google Ads" and meta["google_cloud_platform"].hook_name == "Google Cloud"


def test_provider_info_is_valid_against_airflows_schema() -> None:
    from airflow.providers_manager import _create_provider_info_schema_validator

    _create_provider_info_schema_validator().validate(provider.get_provider_info())
