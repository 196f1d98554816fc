"""Custom reports at parse time: every GAQL rule and registry rule refuses that account only, with the field
named; the table a definition lands in; the column types from field metadata; the DDL built from it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from ads_sync.registry import Account, parse_registry
from ads_sync.reports import custom, custom_tables, gaql
from ads_sync.reports.columns import Column
from ads_sync.windows import Window

GOOD = ("SELECT campaign.id, segments.device, segments.date, metrics.clicks, metrics.impressions, "
        "metrics.cost_micros, metrics.conversions FROM campaign WHERE campaign.status = 'ENABLED'")


def google(name: str = "by_device", query: str = GOOD, **extra: Any) -> dict[str, Any]:
    return {"name": name, "platform": "google_ads", "query": query, **extra}


def entry(account_id: str = "1234567890", **overrides: Any) -> dict[str, Any]:
    return {"platform": "google_ads", "account_id": account_id, "name": "Acme", "timezone": "Europe/Berlin",
            "currency": "EUR", **overrides}


def errors_of(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """entry label's account id -> (field, message) of its error; '' for the file's."""
    out = {}
    for e in parse_registry(data).errors:
        out["" if e.index < 0 else str(data["accounts"][e.index]["account_id"])] = (e.field, e.message)
    return out


# -- GAQL ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ("SELECT campaign.id, metrics.clicks FROM campaign", "must select segments.date"),
    ("SELECT segments.date, metrics.clicks FROM campaign WHERE segments.date DURING LAST_7_DAYS", "limits the dates"),
    ("SELECT segments.date, metrics.clicks FROM campaign WHERE campaign.status = 'ENABLED' AND segments.date "
     "BETWEEN '2026-01-01' AND '2026-01-31'", "limits the dates"),
    ("SELECT segments.date, metrics.clicks FROM campaign WHERE segments.month = '2026-01-01'", "limits the dates"),
    ("SELECT segments.date, metrics.clicks FROM campaign ORDER BY metrics.clicks DESC", "ORDER BY is not allowed"),
    ("SELECT segments.date, metrics.clicks FROM campaign LIMIT 10", "LIMIT is not allowed"),
    ("SELECT segments.date, metrics.clicks FROM campaign PARAMETERS include_drafts = true", "PARAMETERS is not"),
    ("SELECT segments.date, metrics.clicks FROM campaign, ad_group", "exactly one resource"),
    ("SELECT segments.date, metrics.clicks", "the query ends where FROM"),
    ("SELECT segments.date, Metrics.Clicks FROM campaign", "is not a field name"),
    ("SELECT segments.date, clicks FROM campaign", "is not a field name"),
    ("SELECT segments.date, metrics.clicks, metrics.clicks FROM campaign", "selected twice"),
    ("SELECT segments.date, campaign.id FROM campaign", "selects no metrics"),
    ("SELECT segments.date, metrics.clicks FROM campaign WHERE campaign.name = 'x", "is not closed"),
    ("SELECT segments.date, metrics.clicks FROM campaign WHERE campaign.status = 'A' OR campaign.id = 1", "no OR"),
    ("UPDATE campaign SET x = 1", "expected SELECT"),
    ("", "must be a GAQL query"),
])
def test_each_gaql_rule_refuses_with_what_to_change(query: str, words: str) -> None:
    with pytest.raises(gaql.GaqlError, match=words):
        gaql.parse(query)


def test_other_conditions_are_kept_and_the_window_is_added_by_us() -> None:
    query = gaql.parse("SELECT campaign.id, segments.date, metrics.clicks FROM campaign WHERE campaign.status IN "
                       "('ENABLED', 'PAUSED') AND metrics.clicks > 0 AND campaign.name NOT LIKE '%test%'")
    assert [c.field for c in query.conditions] == ["campaign.status", "metrics.clicks", "campaign.name"]
    assert query.gaql(Window(date(2026, 1, 1), date(2026, 1, 7))) == (
        "SELECT campaign.id, segments.date, metrics.clicks FROM campaign WHERE campaign.status IN ( 'ENABLED' , "
        "'PAUSED' ) AND metrics.clicks > 0 AND campaign.name NOT LIKE '%test%' AND segments.date BETWEEN "
        "'2026-01-01' AND '2026-01-07'")


def test_the_table_follows_from_the_query_alone() -> None:
    table = custom.google_table(custom.CustomReport("by_device", "google_ads", GOOD))
    assert (table.schema, table.name, table.report_name, table.staging_name) == (
        "ads_custom", "by_device", "custom:by_device", "ads_custom__by_device")
    assert table.keys == ("date", "campaign_id", "device")  # the date, every attribute and segment
    assert table.values == ("clicks", "impressions", "cost", "conversions")  # cost from cost_micros
    assert table.windowed


def test_fields_that_would_share_a_column_are_refused() -> None:
    with pytest.raises(gaql.GaqlError, match="would both be the column 'cost'"):
        custom.google_columns(gaql.parse("SELECT segments.date, metrics.cost_micros, metrics.cost FROM campaign"))


# -- registry --------------------------------------------------------------------------------------------

def test_shared_and_inline_definitions_reach_the_account() -> None:
    inline = google("by_network", GOOD.replace("segments.device", "segments.ad_network_type"))
    registry = parse_registry({"custom_reports": [google()], "accounts": [
        entry(custom_reports=["by_device", inline]), entry("1234567891")]})
    assert not registry.errors
    loads, plain = registry.accounts
    assert [r.name for r in loads.custom_reports] == ["by_device", "by_network"]
    assert loads.custom_reports[0].query == GOOD and loads.custom_reports[0].report == "custom:by_device"
    assert plain.custom_reports == ()


def test_a_bad_definition_refuses_only_the_accounts_that_load_it() -> None:
    bad = google("broken", "SELECT campaign.id, metrics.clicks FROM campaign")
    data = {"custom_reports": [google(), bad], "accounts": [
        entry(custom_reports=["by_device"]), entry("1234567891", custom_reports=["broken"]), entry("1234567892")]}
    registry = parse_registry(data)
    assert sorted(a.account_id for a in registry.accounts) == ["1234567890", "1234567892"]
    errors = errors_of(data)
    assert errors["1234567891"][0] == "custom_reports[0]"
    assert "custom_reports[1].query: must select segments.date" in errors["1234567891"][1]
    assert errors[""][0] == "custom_reports[1].query"  # and the file says where the definition is


@pytest.mark.parametrize(("definition", "field", "words"), [
    (google(query="SELECT campaign.id FROM campaign"), "custom_reports[0].query", "must select segments.date"),
    (google(name="By Device"), "custom_reports[0].name", "is not a custom report name"),
    (google(name="x" * 42), "custom_reports[0].name", "is not a custom report name"),
    (google(name="campaign_daily"), "custom_reports[0].name", "built-in report"),
    (google(name="keywords"), "custom_reports[0].name", "built-in report or table"),
    (google(platform="bing"), "custom_reports[0].platform", "not a platform with custom reports"),
    (google(level="ad"), "custom_reports[0].level", "not a google_ads custom report key"),
    (google(qurey="x"), "custom_reports[0].qurey", "did you mean 'query'"),
    ({"name": "x", "platform": "google_ads"}, "custom_reports[0].query", "must be a GAQL query"),
    ("nowhere", "custom_reports[0]", "is not a shared custom report"),
    (42, "custom_reports[0]", "must be a mapping"),
])
def test_each_registry_rule_names_the_field(definition: Any, field: str, words: str) -> None:
    data = {"accounts": [entry(custom_reports=[definition]), entry("1234567891")]}
    errors = errors_of(data)
    assert list(errors) == ["1234567890"]  # that account only
    assert errors["1234567890"][0] == field
    assert words in errors["1234567890"][1]


def test_one_name_one_definition() -> None:
    other = google(query=GOOD.replace("segments.device", "segments.ad_network_type"))
    errors = errors_of({"accounts": [entry(custom_reports=[google()]), entry("1234567891", custom_reports=[other])]})
    assert list(errors) == ["1234567891"] and "defined differently by accounts[0]" in errors["1234567891"][1]
    same = errors_of({"accounts": [entry(custom_reports=[google()]), entry("1234567891", custom_reports=[google()])]})
    assert same == {}
    twice = errors_of({"accounts": [entry(custom_reports=[google(), google()])]})
    assert twice["1234567890"] == ("custom_reports[1]", "'by_device' is listed twice; list each custom report once")
    shadow = errors_of({"custom_reports": [google()], "accounts": [entry(custom_reports=[google()])]})
    assert shadow["1234567890"][0] == "custom_reports[0].name"
    dup = errors_of({"custom_reports": [google(), google()], "accounts": [entry(custom_reports=["by_device"])]})
    assert "defined twice" in dup["1234567890"][1] and dup[""][0] == "custom_reports[1].name"


def test_a_report_of_the_other_platform_is_refused() -> None:
    meta_entry = {**entry("104857600123456"), "platform": "meta"}
    errors = errors_of({"custom_reports": [google()], "accounts": [meta_entry | {"custom_reports": ["by_device"]}]})
    assert errors["104857600123456"] == ("custom_reports[0]",
                                         "'by_device' is a google_ads report; this is a meta entry")


def test_custom_reports_survive_the_registry_cache_round_trip() -> None:
    import dataclasses

    account = parse_registry({"accounts": [entry(custom_reports=[google()])]}).accounts[0]
    assert Account(**dataclasses.asdict(account)) == account


# -- column types (GoogleAdsFieldService metadata) ----------------------------------------------------


@dataclass(frozen=True)
class StandInFieldInfo:
    """TEMPORARY stand-in for sources/google_ads/fields.FieldInfo (h-sandbox), for this type-mapping test only:
    the integration tests ask the sandbox's GoogleAdsFieldService through the real hook."""

    name: str
    category: str
    data_type: str
    selectable: bool = True
    is_repeated: bool = False


def metadata(**overrides: StandInFieldInfo) -> dict[str, StandInFieldInfo]:
    found = {
        "campaign.id": StandInFieldInfo("campaign.id", "ATTRIBUTE", "INT64"),
        "segments.device": StandInFieldInfo("segments.device", "SEGMENT", "ENUM"),
        "segments.date": StandInFieldInfo("segments.date", "SEGMENT", "DATE"),
        "metrics.clicks": StandInFieldInfo("metrics.clicks", "METRIC", "INT64"),
        "metrics.impressions": StandInFieldInfo("metrics.impressions", "METRIC", "INT64"),
        "metrics.cost_micros": StandInFieldInfo("metrics.cost_micros", "METRIC", "INT64"),
        "metrics.conversions": StandInFieldInfo("metrics.conversions", "METRIC", "DOUBLE"),
    }
    return {**found, **overrides}


def test_types_follow_the_field_metadata() -> None:
    from ads_sync.sources.google_ads import custom as google_custom

    columns = google_custom.columns("by_device", gaql.parse(GOOD), metadata())
    assert columns == [
        Column("date", "date", True, "segments.date"), Column("campaign_id", "bigint", True, "campaign.id"),
        Column("device", "text", True, "segments.device"), Column("clicks", "bigint", False, "metrics.clicks"),
        Column("impressions", "bigint", False, "metrics.impressions"),
        Column("cost", "numeric", False, "metrics.cost_micros"),  # exact, from micros
        Column("conversions", "numeric", False, "metrics.conversions"),
    ]


@pytest.mark.parametrize(("override", "words"), [
    ({"segments.device": None}, "segments.device is not a Google Ads field"),
    ({"metrics.clicks": StandInFieldInfo("metrics.clicks", "METRIC", "INT64", selectable=False)}, "not selectable"),
    ({"campaign.id": StandInFieldInfo("campaign.id", "ATTRIBUTE", "INT64", is_repeated=True)}, "repeated"),
    ({"campaign.id": StandInFieldInfo("campaign.id", "ATTRIBUTE", "MESSAGE")}, "data type MESSAGE"),
    ({"campaign.id": StandInFieldInfo("campaign.id", "METRIC", "INT64")}, "is a metric by the API's metadata"),
])
def test_fields_the_api_does_not_serve_are_refused_before_any_request(override: dict[str, Any], words: str) -> None:
    from ads_sync.errors import InvalidRequest
    from ads_sync.sources.google_ads import custom as google_custom

    info = {k: v for k, v in metadata(**override).items() if v is not None}
    with pytest.raises(InvalidRequest, match=words) as caught:
        google_custom.columns("by_device", gaql.parse(GOOD), info)
    assert "nothing was requested" in str(caught.value)


def test_micros_are_exact() -> None:
    from ads_sync.sources.google_ads.custom import _micros

    assert [_micros(v) for v in (0, 1, 1_234_567_891, -1_500_000)] == [
        "0.000000", "0.000001", "1234.567891", "-1.500000"]


# -- DDL --------------------------------------------------------------------------------------------------

def test_ddl_quotes_every_name_and_keys_the_date_and_attributes() -> None:
    table = custom.table_of("by_device", ("date", "campaign_id", "device"), ("clicks", "cost"))
    columns = [Column("date", "date", True), Column("campaign_id", "bigint", True), Column("device", "text", True),
               Column("clicks", "bigint", False), Column("cost", "numeric", False)]
    text = custom_tables.create_sql(table, columns).as_string()
    assert text == (
        'CREATE TABLE "ads_custom"."by_device" (platform text NOT NULL, account_id text NOT NULL, '
        '"date" date NOT NULL, "campaign_id" bigint NOT NULL, "device" text NOT NULL, "clicks" bigint, '
        '"cost" numeric, updated_at timestamptz NOT NULL DEFAULT now(), '
        'PRIMARY KEY ("platform", "account_id", "date", "campaign_id", "device"))')
    staging = [s.as_string() for s in custom_tables.staging_sql(table, columns)]
    assert staging[0] == 'CREATE UNLOGGED TABLE IF NOT EXISTS "ads_staging"."ads_custom__by_device" ()'
    assert 'ADD COLUMN IF NOT EXISTS "cost" numeric' in staging[-1]
