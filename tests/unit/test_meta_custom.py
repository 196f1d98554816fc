"""Meta custom reports: definitions checked with the field named, the table's columns, the request, the rows."""
from __future__ import annotations

from datetime import date

import pytest

from ads_sync.errors import RowError
from ads_sync.reports.columns import Column
from ads_sync.sources.meta import custom
from ads_sync.sources.meta import reports as meta
from ads_sync.windows import Window

WINDOW = Window(date(2026, 1, 5), date(2026, 1, 11))


def test_a_valid_definition_has_no_problems() -> None:
    assert custom.problems("adset", ["impressions", "spend", "campaign_id"], ["age", "gender"], ["purchase"]) == []
    assert custom.problems("account", ["reach"], [], []) == []


@pytest.mark.parametrize(("args", "message"), [
    (("ad", ["clikcs"], [], []), "fields: 'clikcs' is not an insights field; did you mean 'clicks'?"),
    (("adsett", ["clicks"], [], []), "level: 'adsett' is not an insights level; did you mean 'adset'?"),
    (("ad", ["clicks"], ["agee"], []),
     "breakdowns: 'agee' is not a breakdown custom reports take; did you mean 'age'?"),
    (("ad", ["clicks"], ["age", "device_platform"], []), "breakdowns: Meta does not combine age and device_platform"),
    (("ad", ["clicks", "clicks"], [], []), "fields: 'clicks' is listed twice"),
    (("adset", ["adset_id"], [], []), "fields: 'adset_id' is the key of level adset"),
    (("campaign", ["ad_name"], [], []), "fields: 'ad_name' is not in level campaign's rows"),
    (("ad", ["actions"], [], []), "fields: 'actions' is asked for by type"),
    (("ad", [], [], ["Purchase"]), "action_types: 'Purchase' is not an action type"),
    (("ad", [], [], ["a.b", "a_b"]), "action_types: 'a_b' and 'a.b' would share the column 'actions_a_b'"),
    (("ad", [], [], []), "fields: name at least one insights field or action type"),
])
def test_each_problem_names_the_value(args, message) -> None:
    found = custom.problems(*args)
    assert any(p.startswith(message) for p in found), found


def test_columns_key_then_fields_then_actions() -> None:
    cols = custom.columns("ad", ["impressions", "spend", "ctr", "ad_name"], ["publisher_platform"],
                          ["purchase", "offsite_conversion.fb_pixel_purchase"])
    assert cols == [
        Column("date", "date", True, "date_start"),
        Column("ad_id", "text", True, "ad_id"),
        Column("publisher_platform", "text", True, "publisher_platform"),
        Column("impressions", "bigint", False, "impressions"),
        Column("spend", "numeric", False, "spend"),
        Column("ctr", "numeric", False, "ctr"),
        Column("ad_name", "text", False, "ad_name"),
        Column("actions_purchase", "numeric", False, "actions:purchase"),
        Column("action_values_purchase", "numeric", False, "action_values:purchase"),
        Column("actions_offsite_conversion_fb_pixel_purchase", "numeric", False,
               "actions:offsite_conversion.fb_pixel_purchase"),
        Column("action_values_offsite_conversion_fb_pixel_purchase", "numeric", False,
               "action_values:offsite_conversion.fb_pixel_purchase"),
    ]
    assert [c.name for c in custom.columns("account", ["clicks"], [], [])] == ["date", "clicks"]
    with pytest.raises(ValueError, match="clikcs"):
        custom.columns("ad", ["clikcs"], [], [])


def test_params_are_the_built_in_settings_at_the_level() -> None:
    built_in = meta.insights_params(WINDOW)
    got = custom.params(WINDOW, "campaign", ["impressions", "spend"], ["age"], ["purchase"])
    assert got["level"] == "campaign" and got["breakdowns"] == ["age"]
    assert got["fields"] == "date_start,date_stop,campaign_id,impressions,spend,actions,action_values"
    for same in ("time_increment", "time_range", "action_attribution_windows", "action_report_time", "filtering",
                 "limit"):
        assert got[same] == built_in[same]
    account = custom.params(WINDOW, "account", ["clicks"], [], [])
    assert "filtering" not in account and "breakdowns" not in account  # every ad, like the account totals
    assert account["fields"] == "date_start,date_stop,clicks"


def _obj(**extra):
    return {"date_start": "2026-01-06", "date_stop": "2026-01-06", "adset_id": "7", "age": "25-34",
            "impressions": "120", "spend": "10.5", "actions": [
                {"action_type": "purchase", "value": "3", "7d_click": "2", "1d_view": "1.5"},
                {"action_type": "offsite_conversion.fb_pixel_purchase", "value": "3", "7d_click": "2"}],
            **extra}


def test_rows_are_exact_and_in_column_order() -> None:
    cols = custom.columns("adset", ["impressions", "spend", "cpc", "adset_name"], ["age"], ["purchase"])
    (row,) = custom.rows([_obj(adset_name="x")], cols, WINDOW)
    assert row == ("2026-01-06", "7", "25-34", 120, "10.500000", None, "x", "3.500000", "0.000000")
    assert all(not isinstance(v, float) for v in row)


def test_rows_take_decoded_pages_too() -> None:
    from ads_sync.sources.meta.decode import Page

    cols = custom.columns("adset", ["impressions"], ["age"], [])
    assert list(custom.rows([Page([_obj(), _obj(age="65+")], None, False)], cols, WINDOW)) == [
        ("2026-01-06", "7", "25-34", 120), ("2026-01-06", "7", "65+", 120)]


@pytest.mark.parametrize(("change", "message"), [
    ({"date_start": "2026-01-12", "date_stop": "2026-01-12"}, "outside the window 2026-01-05..2026-01-11"),
    ({"date_stop": "2026-01-07"}, "expected one day per row"),
    ({"age": None}, "the key 'age' is missing"),
    ({"spend": "-1"}, "not a non-negative number"),
])
def test_bad_rows_raise_row_errors(change, message) -> None:
    cols = custom.columns("adset", ["spend"], ["age"], [])
    with pytest.raises(RowError, match=message):
        list(custom.rows([_obj(**change)], cols, WINDOW))
