"""The field-metadata query: every name checked before it is quoted, one query for all."""
from __future__ import annotations

import pytest

from ads_sync.sources.google_ads.fields import field_query


def test_one_query_names_every_field_once() -> None:
    assert field_query(["campaign.id", "metrics.clicks", "campaign.id"]) == (
        "SELECT name, category, data_type, selectable, is_repeated, enum_values "
        "WHERE name IN ('campaign.id', 'metrics.clicks')")


@pytest.mark.parametrize("name", ["a'b", "campaign.id OR 1", "CAMPAIGN.ID", "", "x\\y", "名前"])
def test_anything_but_a_field_name_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a Google Ads field name"):
        field_query(["campaign.id", name])


def test_no_names_is_an_error_not_an_empty_query() -> None:
    with pytest.raises(ValueError):
        field_query([])
