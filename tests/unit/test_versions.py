"""The version table: what our hooks call, where each platform's sunset stands, and the CI guard that
fails once a version in use is past its published sunset."""
from __future__ import annotations

from datetime import date

import pytest

from ads_sync import versions


def test_the_versions_in_use_are_the_ones_the_client_libraries_are_given() -> None:
    from facebook_business import apiconfig
    from google.ads.googleads import client

    used = versions.in_use()
    # our constants equal the libraries' own defaults: a library bump that moves them shows here
    assert used["google_ads"] == client._DEFAULT_VERSION
    assert used["meta"] == apiconfig.ads_api_config["API_VERSION"]
    for platform, version in used.items():
        row = versions.lookup(platform, version)
        assert row is not None and row.source.startswith("https://"), (platform, version)


def test_no_version_in_use_is_past_its_sunset_today() -> None:
    """CI catches a sunset: this fails on the day a version we call is turned off."""
    today = date.today()
    for platform in versions.in_use():
        state = versions.current(platform, today=today)
        assert state.level != "sunset", state.message


def test_every_row_names_its_source_and_dates_are_ordered() -> None:
    seen = set()
    rows = versions.table()
    assert {r.platform for r in rows} == set(versions.in_use())  # each versioned platform declares its rows
    for row in rows:
        assert (row.platform, row.version) not in seen
        seen.add((row.platform, row.version))
        assert row.source.startswith("https://")
        if row.released and row.sunset:
            assert row.released < row.sunset


@pytest.mark.parametrize(("today", "level", "days"), [
    (date(2026, 11, 1), "ok", 114),
    (date(2026, 11, 25), "warn", 90),
    (date(2027, 1, 24), "notify", 30),
    (date(2027, 2, 22), "notify", 1),
    (date(2027, 2, 23), "sunset", 0),
])
def test_levels_around_metas_v25_expiry(today, level, days) -> None:
    state = versions.status("meta", "v25.0", today=today)
    assert (state.level, state.days_left) == (level, days)
    assert "2027-02-23" in state.message and "upgrade ads-sync" in state.message


def test_a_version_without_a_published_sunset_never_warns() -> None:
    state = versions.status("google_ads", "v26", today=date(2030, 1, 1))
    assert state.level == "ok" and state.sunset is None


def test_warnings_lists_only_versions_that_need_doing(monkeypatch) -> None:
    monkeypatch.setattr(versions, "in_use", lambda: {"google_ads": "v23", "meta": "v26.0"})
    found = versions.warnings(today=date(2026, 12, 2))
    assert [(w.platform, w.version, w.level) for w in found] == [("google_ads", "v23", "warn")]
    assert found[0].as_dict()["sunset"] == "2027-02-01"
    assert versions.warnings(today=date(2026, 6, 1)) == []


def test_an_unknown_version_is_an_error_that_says_what_to_add() -> None:
    with pytest.raises(KeyError, match="add its row"):
        versions.status("google_ads", "v99", today=date(2026, 12, 2))
