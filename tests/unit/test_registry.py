"""Registry: every field's validation, hostile values, defaults, duplicates and file-level failures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ads_sync.platforms import PLATFORMS, PlatformInfo
from ads_sync.registry import (
    Account,
    Registry,
    RegistryError,
    allowed_keys,
    load_registry,
    parse_registry,
)

GOOD_SHEET = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


def entry(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "platform": "google_ads",
        "account_id": "1234567890",
        "name": "Acme Search",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not _DROP}


_DROP = object()


def one(raw: object, **top: Any) -> Registry:
    return parse_registry({"accounts": [raw], **top})


def only_error(reg: Registry) -> RegistryError:
    assert len(reg.errors) == 1, reg.errors
    return reg.errors[0]


@pytest.fixture
def meta(monkeypatch: pytest.MonkeyPatch) -> PlatformInfo:
    """A Meta row as platforms.py will get it: the registry must work from the table alone."""
    info = PlatformInfo(
        name="meta",
        label="Meta",
        default_conn_id="facebook_default",
        reports=("campaign_daily", "adset_daily", "ad_daily"),
        retention_months=37,
        account_id_pattern=re.compile(r"^[0-9]{1,20}$"),
        account_id_hint="digits without the act_ prefix, e.g. 123456789012345",
        pool="meta_api",
    )
    monkeypatch.setitem(PLATFORMS, "meta", info)
    return info


# ------------------------------------------------------------------------------------------- valid


def test_minimal_entry_gets_defaults() -> None:
    reg = one(entry())
    assert reg.errors == ()
    assert reg.overview_sheet is None
    (a,) = reg.accounts
    assert a == Account(
        platform="google_ads",
        account_id="1234567890",
        name="Acme Search",
        timezone="Europe/Berlin",
        currency="EUR",
        active=True,
        conn_id="google_ads_default",
        frequency="daily",
        lookback_days=7,
        reports=("campaign_daily", "ad_group_daily"),
        sheet=None,
    )
    assert a.key == "google_ads__1234567890"
    assert a.dag_id_prefix == "ads_sync__google_ads__1234567890"
    assert a.dag_id("daily") == "ads_sync__google_ads__1234567890__daily"
    assert a.info is PLATFORMS["google_ads"]
    assert reg.get("google_ads__1234567890") is a
    assert reg.get("google_ads__0000000000") is None


def test_full_entry() -> None:
    reg = one(
        entry(
            account_id=1234567890,  # YAML reads bare digits as an int
            active=False,
            login_customer_id=9876543210,
            conn_id="google_ads.agency-2",
            frequency="hourly",
            lookback_days=90,
            reports=["ad_group_daily", "campaign_daily"],
            sheet=GOOD_SHEET,
            name='  Joe\'s Pizza; "best" — Ünïcode  ',  # free text: quotes are fine, it never reaches a query
        ),
        overview_sheet=GOOD_SHEET,
    )
    assert reg.errors == ()
    (a,) = reg.accounts
    assert a.account_id == "1234567890"
    assert a.active is False  # inactive accounts are kept; the factory decides
    assert a.option("login_customer_id") == "9876543210" and a.options == (("login_customer_id", "9876543210"),)
    assert a.conn_id == "google_ads.agency-2"
    assert a.frequency == "hourly"
    assert a.lookback_days == 90
    assert a.reports == ("campaign_daily", "ad_group_daily")  # the platform's order
    assert a.sheet == GOOD_SHEET
    assert a.name == 'Joe\'s Pizza; "best" — Ünïcode'
    assert reg.overview_sheet == GOOD_SHEET


def test_nulls_mean_defaults() -> None:
    reg = one(
        entry(
            active=None,
            conn_id=None,
            frequency=None,
            lookback_days=None,
            reports=None,
            sheet=None,
            login_customer_id=None,
        )
    )
    (a,) = reg.accounts
    assert (a.active, a.conn_id, a.frequency, a.lookback_days, a.reports, a.sheet, a.option("login_customer_id")) == (
        True,
        "google_ads_default",
        "daily",
        7,
        ("campaign_daily", "ad_group_daily"),
        None,
        None,
    )


def test_account_constructed_directly_fills_platform_defaults() -> None:
    a = Account("google_ads", "1234567890", "A", "UTC", "EUR", reports=["campaign_daily"])  # type: ignore[arg-type]
    assert a.conn_id == "google_ads_default"
    assert a.reports == ("campaign_daily",)
    assert Account("google_ads", "1234567890", "A", "UTC", "EUR").reports == (
        "campaign_daily",
        "ad_group_daily",
    )


def test_accounts_sorted_and_bad_entry_leaves_the_others() -> None:
    reg = parse_registry(
        {
            "accounts": [
                entry(account_id="3000000000", name="C"),
                entry(account_id="1000000000", name="A", timezone="Mars/Olympus"),
                entry(account_id="2000000000", name="B", active=False),
                "not a mapping",
                entry(account_id="0000000001", name="Z"),
            ]
        }
    )
    assert [a.account_id for a in reg.accounts] == ["0000000001", "2000000000", "3000000000"]
    assert [(e.index, e.field) for e in reg.errors] == [(1, "timezone"), (3, "")]


def test_accounts_sorted_by_platform_then_id(meta: PlatformInfo) -> None:
    reg = parse_registry(
        {
            "accounts": [
                entry(platform="meta", account_id="5"),
                entry(account_id="2000000000"),
                entry(platform="meta", account_id="12"),
                entry(account_id="1000000000"),
            ]
        }
    )
    assert reg.errors == ()
    assert [a.key for a in reg.accounts] == [
        "google_ads__1000000000",
        "google_ads__2000000000",
        "meta__12",
        "meta__5",
    ]


def test_empty_accounts_is_fine() -> None:
    assert parse_registry({"accounts": []}) == Registry(accounts=(), errors=(), overview_sheet=None)
    assert parse_registry({"accounts": None}).errors == ()


# ---------------------------------------------------------------------------------------- defaults


def test_defaults_merged_under_entries() -> None:
    reg = parse_registry(
        {
            "defaults": {
                "lookback_days": 14,
                "timezone": "America/New_York",
                "currency": "USD",
                "frequency": "hourly",
            },
            "accounts": [
                entry(account_id="1000000000", timezone=_DROP, currency=_DROP),
                entry(account_id="2000000000", lookback_days=3, timezone="Europe/Berlin"),
            ],
        }
    )
    assert reg.errors == ()
    a, b = reg.accounts
    assert (a.lookback_days, a.timezone, a.currency, a.frequency) == (14, "America/New_York", "USD", "hourly")
    assert (b.lookback_days, b.timezone, b.currency, b.frequency) == (3, "Europe/Berlin", "EUR", "hourly")


def test_bad_default_is_reported_at_each_entry_naming_defaults() -> None:
    reg = parse_registry(
        {"defaults": {"currency": "eur"}, "accounts": [entry(currency=_DROP), entry(account_id="2000000000")]}
    )
    err = only_error(reg)
    assert (err.index, err.field) == (0, "currency")
    assert "comes from `defaults:`" in err.message
    assert [a.account_id for a in reg.accounts] == ["2000000000"]


@pytest.mark.parametrize(
    ("defaults", "field", "fragment"),
    [
        ({"lookback_dayz": 30}, "defaults.lookback_dayz", "did you mean 'lookback_days'"),
        ({"account_id": "1234567890"}, "defaults.account_id", "cannot have a default"),
        ({"name": "x"}, "defaults.name", "cannot have a default"),
        (["lookback_days"], "defaults", "must be a mapping"),
    ],
)
def test_bad_defaults_are_file_errors_and_accounts_still_load(
    defaults: object, field: str, fragment: str
) -> None:
    reg = parse_registry({"defaults": defaults, "accounts": [entry()]})
    err = only_error(reg)
    assert (err.index, err.field, err.slug) == (-1, field, "file")
    assert fragment in err.message
    assert len(reg.accounts) == 1


# ------------------------------------------------------------------------------------ field errors

FIELD_CASES: list[tuple[str, dict[str, Any], str]] = [
    # required
    *[(k, {k: _DROP}, "is required") for k in ("platform", "account_id", "name", "timezone", "currency")],
    ("timezone", {"timezone": None}, "is required"),
    # platform
    ("platform", {"platform": "bing"}, "'bing' is not a supported platform; use one of: google_ads"),
    ("platform", {"platform": "google-ads"}, "did you mean 'google_ads'"),
    ("platform", {"platform": 5}, "5 is not a supported platform"),
    # account_id
    (
        "account_id",
        {"account_id": "123456789"},
        "'123456789' is not a valid Google Ads account id; 10 digits without dashes",
    ),
    ("account_id", {"account_id": "12345678901"}, "not a valid Google Ads account id"),
    ("account_id", {"account_id": "123-456-7890"}, "write it without dashes or spaces: '1234567890'"),
    ("account_id", {"account_id": " 1234567890"}, "write it without dashes or spaces: '1234567890'"),
    (
        "account_id",
        {"account_id": "1234567890\n"},
        "'1234567890\\n' is not a valid",
    ),  # `$` alone would pass it
    ("account_id", {"account_id": "act_1234567890"}, "without the act_ prefix"),
    ("account_id", {"account_id": 123456789}, "quote it so YAML keeps it exactly as written"),
    ("account_id", {"account_id": True}, "must be a string"),
    ("account_id", {"account_id": 1234567890.0}, "must be a string"),
    ("account_id", {"account_id": ["1234567890"]}, "got a list"),
    # hostile ids never pass: SQL and GAQL fragments
    ("account_id", {"account_id": "123'; DROP TABLE x;--"}, "is not a valid Google Ads account id"),
    ("account_id", {"account_id": "1234567890' OR '1'='1"}, "is not a valid"),
    ("account_id", {"account_id": "1234567890 AND segments.date DURING LAST_30_DAYS"}, "is not a valid"),
    ("account_id", {"account_id": "customer.id = 1234567890"}, "is not a valid"),
    # name
    ("name", {"name": ""}, "must not be empty"),
    ("name", {"name": "   "}, "must not be empty"),
    ("name", {"name": "x" * 201}, "is 201 characters long; shorten it to at most 200"),
    ("name", {"name": 123}, "must be a string, got a number; quote it"),
    ("name", {"name": "Acme\nDROP TABLE x"}, "contains control characters or line breaks"),
    ("name", {"name": "Acme\x00"}, "contains control characters"),
    ("name", {"name": "Acme\u2028x"}, "contains control characters"),
    # timezone
    ("timezone", {"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA time zone"),
    ("timezone", {"timezone": "UTC+2"}, "use the region's name, e.g. Europe/Berlin"),
    ("timezone", {"timezone": "GMT-5"}, "Etc/GMT-2, sign inverted"),
    ("timezone", {"timezone": "+02:00"}, "use the region's name"),
    ("timezone", {"timezone": "europe/berlin"}, "did you mean 'Europe/Berlin'?"),
    ("timezone", {"timezone": "America/New York"}, "did you mean 'America/New_York'?"),
    ("timezone", {"timezone": "../../etc/passwd"}, "is not an IANA time zone"),
    ("timezone", {"timezone": "/etc/localtime"}, "is not an IANA time zone"),
    ("timezone", {"timezone": "localtime"}, "is not an IANA time zone"),
    ("timezone", {"timezone": "America"}, "is not an IANA time zone"),
    ("timezone", {"timezone": "Europe/Berlin'; DROP TABLE x;--"}, "is not an IANA time zone"),
    ("timezone", {"timezone": "UTC\n"}, "is not an IANA time zone"),
    ("timezone", {"timezone": ""}, "is not an IANA time zone"),
    ("timezone", {"timezone": 2}, "must be an IANA time zone name"),
    # currency
    ("currency", {"currency": "eur"}, "write it in capitals: 'EUR'"),
    ("currency", {"currency": "EURO"}, "is not an ISO 4217 currency code"),
    ("currency", {"currency": "E1R"}, "is not an ISO 4217"),
    ("currency", {"currency": "EUR;"}, "is not an ISO 4217"),
    ("currency", {"currency": "EUR\n"}, "is not an ISO 4217"),
    ("currency", {"currency": 978}, "978 is not an ISO 4217"),
    # active
    ("active", {"active": "yes"}, "must be true or false, got 'yes'"),
    ("active", {"active": 1}, "must be true or false, got 1"),
    # frequency
    ("frequency", {"frequency": "weekly"}, "'weekly' is not a frequency; use one of: daily, 30min, hourly, manual"),
    ("frequency", {"frequency": "Daily"}, "is not a frequency"),
    ("frequency", {"frequency": 1}, "is not a frequency"),
    # lookback_days (a bool is not an int)
    ("lookback_days", {"lookback_days": 0}, "from 1 to 90, got 0"),
    ("lookback_days", {"lookback_days": 91}, "got 91"),
    ("lookback_days", {"lookback_days": -1}, "got -1"),
    ("lookback_days", {"lookback_days": True}, "got true"),
    ("lookback_days", {"lookback_days": "7"}, "got '7'"),
    ("lookback_days", {"lookback_days": 7.5}, "got 7.5"),
    # reports
    ("reports", {"reports": []},
     "must not be empty; omit it to load the default reports (campaign_daily, ad_group_daily)"),
    (
        "reports",
        {"reports": ["nope"]},
        "'nope' is not a Google Ads report; choose from: campaign_daily, ad_group_daily",
    ),
    ("reports", {"reports": ["campaign_dialy"]}, "did you mean 'campaign_daily'"),
    ("reports", {"reports": "campaign_daily"}, "must be a list of report names, got a string"),
    ("reports", {"reports": ["campaign_daily", "campaign_daily"]}, "'campaign_daily' is listed twice"),
    ("reports", {"reports": [1]}, "1 is not a Google Ads report"),
    ("reports", {"reports": ["campaign_daily'; --"]}, "is not a Google Ads report"),
    # login_customer_id
    (
        "login_customer_id",
        {"login_customer_id": "987-654-3210"},
        "write it without dashes or spaces: '9876543210'",
    ),
    ("login_customer_id", {"login_customer_id": "x"}, "is not a valid Google Ads account id"),
    ("login_customer_id", {"login_customer_id": "9876543210\n"}, "is not a valid Google Ads account id"),
    ("login_customer_id", {"login_customer_id": True}, "must be a string"),
    # sheet
    ("sheet", {"sheet": "short"}, "is not a spreadsheet id"),
    ("sheet", {"sheet": "abc/def/ghijkl"}, "is not a spreadsheet id"),
    ("sheet", {"sheet": GOOD_SHEET + "'--"}, "is not a spreadsheet id"),
    ("sheet", {"sheet": "https://docs.google.com/spreadsheets/d/" + GOOD_SHEET}, "between /d/ and /edit"),
    ("sheet", {"sheet": 12345678901}, "12345678901 is not a spreadsheet id"),
    ("sheet", {"sheet": GOOD_SHEET + "\n"}, "is not a spreadsheet id"),
    # conn_id
    ("conn_id", {"conn_id": "google_ads_default\n"}, "is not a valid Airflow connection id"),
    ("conn_id", {"conn_id": "bad conn"}, "is not a valid Airflow connection id"),
    ("conn_id", {"conn_id": ""}, "is not a valid Airflow connection id"),
    ("conn_id", {"conn_id": "x" * 251}, "at most 250"),
    ("conn_id", {"conn_id": "a;b"}, "omit it to use google_ads_default"),
    ("conn_id", {"conn_id": 5}, "5 is not a valid Airflow connection id"),
]


@pytest.mark.parametrize(
    ("field", "overrides", "fragment"), FIELD_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FIELD_CASES)]
)
def test_field_errors(field: str, overrides: dict[str, Any], fragment: str) -> None:
    reg = parse_registry({"accounts": [entry(account_id="1111111111", name="Other"), entry(**overrides)]})
    err = only_error(reg)
    assert err.index == 1
    assert err.field == field
    assert fragment in err.message, err.message
    assert err.slug.startswith("entry_") and err.slug != "entry_1"
    assert str(err).startswith("accounts[1]")
    assert f": {field}: " in str(err)
    assert "\n" not in str(err)
    assert [a.account_id for a in reg.accounts] == ["1111111111"]  # the other entry survives


def test_valid_time_zones() -> None:
    for tz in (
        "UTC",
        "Europe/Berlin",
        "America/Argentina/Buenos_Aires",
        "Etc/GMT-2",
        "Pacific/Auckland",
        "CET",
    ):
        assert one(entry(timezone=tz)).errors == (), tz


def test_error_str_format() -> None:
    others = [entry(account_id=str(1000000000 + i)) for i in range(3)]
    reg = parse_registry(
        {"accounts": [*others, entry(account_id="1234567899", timezone="Mars/Olympus", name="Acme")]}
    )
    assert str(only_error(reg)) == (
        "accounts[3] (google_ads 1234567899 'Acme'): timezone: 'Mars/Olympus' is not an IANA time zone; "
        "use a name like Europe/Berlin or America/New_York"
    )


def test_first_field_at_fault_in_fixed_order() -> None:
    err = only_error(one(entry(timezone="Mars/Olympus", currency="eur", lookback_days=0)))
    assert err.field == "timezone"
    err = only_error(one(entry(platform="bing", timezne="x")))
    assert err.field == "timezne"  # unknown keys first


def test_unknown_key_named_with_suggestion() -> None:
    err = only_error(one(entry(timezne="Europe/Berlin")))
    assert err.field == "timezne"
    assert "unknown key 'timezne' (did you mean 'timezone'?)" in err.message
    assert "allowed keys: " + ", ".join(allowed_keys()) in err.message


def test_hostile_unknown_key_is_inert() -> None:
    err = only_error(one(entry(**{"x'; DROP TABLE y;--\n": 1})))
    assert err.field == '"x\'; DROP TABLE y;--\\n"'
    assert "\n" not in str(err)


@pytest.mark.parametrize("raw", ["just a string", ["a", "list"], None, 42])
def test_entry_not_a_mapping(raw: object) -> None:
    err = only_error(one(raw))
    assert (err.index, err.entry, err.field) == (0, "accounts[0]", "")
    assert "expected a mapping" in err.message


@pytest.mark.parametrize(
    "raw",
    [
        {"platform": ["x"], "account_id": {"a": 1}, "name": ["n"]},
        {"platform": None, "account_id": None, "name": None},
        {"platform": "google_ads", "account_id": "1'; DROP TABLE x;--\n" * 20, "name": "n" * 500},
        {("tuple", "key"): 1},
    ],
)
def test_label_never_crashes(raw: dict[Any, Any]) -> None:
    err = only_error(one(raw))
    assert err.entry.startswith("accounts[0]")
    assert len(err.entry) < 120
    assert "\n" not in err.entry
    str(err)


def test_label_quotes_unsafe_ids() -> None:
    err = only_error(one(entry(account_id="123'; DROP", name="Acme")))
    assert err.entry == "accounts[0] (google_ads \"123'; DROP\" 'Acme')"


# --------------------------------------------------------------------------------------- duplicates


def test_duplicate_is_reported_on_the_later_entry() -> None:
    reg = parse_registry(
        {
            "accounts": [
                entry(name="First"),
                entry(account_id="2222222222"),
                entry(account_id=1234567890, name="Second"),
            ]
        }
    )
    err = only_error(reg)
    assert (err.index, err.field) == (2, "account_id")
    assert "already registered by accounts[0]" in err.message
    assert [a.name for a in reg.accounts] == ["First", "Acme Search"]


def test_duplicate_of_an_invalid_entry_is_still_a_duplicate() -> None:
    # fixing the first entry's time zone must not surface a new error on the second
    reg = parse_registry({"accounts": [entry(timezone="Mars/Olympus"), entry()]})
    assert [(e.index, e.field) for e in reg.errors] == [(0, "timezone"), (1, "account_id")]


def test_same_id_on_two_platforms_is_not_a_duplicate(meta: PlatformInfo) -> None:
    reg = parse_registry({"accounts": [entry(), entry(platform="meta")]})
    assert reg.errors == ()
    assert [a.key for a in reg.accounts] == ["google_ads__1234567890", "meta__1234567890"]


# ---------------------------------------------------------------------------------- platform table


def test_meta_from_the_table(meta: PlatformInfo) -> None:
    reg = one(entry(platform="meta", account_id=123456789012345))
    (a,) = reg.accounts
    assert (a.account_id, a.conn_id, a.reports) == ("123456789012345", "facebook_default", meta.reports)
    err = only_error(one(entry(platform="meta", account_id="act_123456789012345")))
    assert "write it without the act_ prefix (ids are stored without it): '123456789012345'" in err.message
    err = only_error(one(entry(platform="meta", login_customer_id="1234567890")))
    assert (err.field, err.message) == (
        "login_customer_id",
        "applies only to google_ads accounts; remove it from this meta entry",
    )
    err = only_error(one(entry(platform="meta", reports=["ad_group_daily"])))
    assert err.message == (
        "'ad_group_daily' is not a Meta report (did you mean 'ad_daily'?); "
        "choose from: campaign_daily, adset_daily, ad_daily"
    )


# ------------------------------------------------------------------------------------------- files


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "accounts.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_load_registry_from_yaml(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""
overview_sheet: {GOOD_SHEET}
defaults:
  lookback_days: 10
extras: 1
accounts:
  - &acme
    platform: google_ads
    account_id: 1234567890
    name: Acme Search
    timezone: Europe/Berlin
    currency: EUR
    login_customer_id: "9876543210"
  - <<: *acme
    account_id: "2234567890"
    name: Acme Shopping
    active: no
""",
    )
    reg = load_registry(path)
    assert [(e.index, e.field) for e in reg.errors] == [
        (-1, "extras")
    ]  # unknown top-level key; accounts load
    assert reg.errors[0].entry == "accounts.yaml"
    assert [(a.account_id, a.name, a.active, a.lookback_days, a.option("login_customer_id"))
            for a in reg.accounts] == [
        ("1234567890", "Acme Search", True, 10, "9876543210"),
        ("2234567890", "Acme Shopping", False, 10, "9876543210"),
    ]
    assert reg.overview_sheet == GOOD_SHEET


def test_yaml_duplicate_key_in_entry(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
accounts:
  - platform: google_ads
    account_id: "1234567890"
    name: A
    timezone: Europe/Berlin
    timezone: UTC
    currency: EUR
  - platform: google_ads
    account_id: "2234567890"
    name: B
    timezone: UTC
    currency: EUR
""",
    )
    reg = load_registry(path)
    err = only_error(reg)
    assert (err.index, err.field) == (0, "timezone")
    assert "appears more than once" in err.message
    assert [a.name for a in reg.accounts] == ["B"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("accounts:\n  - platform: google_ads\n   name: [oops\n", "not valid YAML"),
        ("accounts: [\n", "at line"),
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        ("- platform: google_ads\n", "the top level is a list, expected a mapping"),
        ("just text\n", "the top level is a string"),
        ("accounts: {platform: google_ads}\n", "must be a list of account entries, got a mapping"),
        ("overview_sheet: null\n", "the `accounts:` list is missing"),
        ("accounts: []\naccounts: []\n", "appears more than once"),
        ("accounts: []\nacounts: []\n", "unknown top-level key 'acounts' (did you mean 'accounts'?)"),
        ("accounts: []\n!!python/object:os.system {}: 1\n", "not valid YAML"),
        (b"accounts: []\nname: \xff\xfe\n", "not UTF-8"),
    ],
)
def test_file_level_errors(tmp_path: Path, text: str | bytes, fragment: str) -> None:
    reg = load_registry(write(tmp_path, text))
    err = only_error(reg)
    assert (err.index, err.entry, err.slug) == (-1, "accounts.yaml", "file")
    assert fragment in err.message, err.message
    assert reg.accounts == ()


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    err = only_error(
        load_registry(write(tmp_path, "accounts:\n  - platform: google_ads\n    name: 'unterminated\n"))
    )
    assert re.search(r"at line \d+, column \d+", err.message)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    err = only_error(load_registry(tmp_path / "nope.yaml"))
    assert (err.index, err.entry, err.field) == (-1, "nope.yaml", "")
    assert "does not exist" in err.message
    assert str(err).startswith("nope.yaml: the registry file")
    err = only_error(load_registry(tmp_path))
    assert "cannot be read" in err.message


@pytest.mark.parametrize("value", ["short", "a b c d e f g h", 12, ["x"]])
def test_bad_overview_sheet_keeps_accounts(value: object) -> None:
    reg = parse_registry({"overview_sheet": value, "accounts": [entry()]})
    err = only_error(reg)
    assert (err.index, err.field) == (-1, "overview_sheet")
    assert reg.overview_sheet is None
    assert len(reg.accounts) == 1


def test_parse_registry_source_name_and_errors_order() -> None:
    reg = parse_registry(
        {"acounts": 1, "accounts": [entry(currency="x"), entry(account_id="2000000000")]}, source="demo.yaml"
    )
    assert [(e.index, e.entry.split(" ")[0]) for e in reg.errors] == [(-1, "demo.yaml"), (0, "accounts[0]")]


@pytest.mark.parametrize("data", [None, [], "x", 3, {"accounts": "x"}, {"accounts": [None, [], {}]}])
def test_parse_registry_never_raises(data: object) -> None:
    reg = parse_registry(data)
    assert reg.errors


def test_error_slugs_are_unique_and_safe() -> None:
    reg = parse_registry({"acounts": 1, "overview_sheet": "bad", "accounts": [{} for _ in range(5)]})
    slugs = [e.slug for e in reg.errors]
    assert slugs[0] == "file" and len(set(slugs)) == 6
    assert all(re.fullmatch(r"[a-z0-9_]+", s) for s in slugs)


def test_error_slugs_stay_put_when_entries_are_added() -> None:
    """The error DAG's id names the entry by what it is, so its history survives registry edits."""
    bad = entry(account_id="2222222222", timezone="Mars/Olympus")
    alone = only_error(parse_registry({"accounts": [bad]}))
    later = only_error(parse_registry({"accounts": [entry(account_id="1111111111", name="New"), bad,
                                                    entry(account_id="3333333333", name="Newer")]}))
    assert alone.index == 0 and later.index == 1
    assert alone.slug == later.slug == "entry_google_ads_2222222222"
    shapeless = only_error(parse_registry({"accounts": [{"name": 3}]}))
    again = only_error(parse_registry({"accounts": [entry(account_id="1111111111"), {"name": 3}]}))
    assert shapeless.slug == again.slug and re.fullmatch(r"entry_[0-9a-f]{10}", shapeless.slug)


def test_parses_thousands_of_accounts(tmp_path: Path) -> None:
    """How fast is for bench/ (parsing rows), measured side by side; here only that all of them parse."""
    lines = ["defaults:\n  currency: EUR\naccounts:\n"]
    zones = ["Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland", "UTC"]
    for i in range(3000):
        lines.append(
            f'  - {{platform: google_ads, account_id: "{1000000000 + i}", name: Account {i}, '
            f"timezone: {zones[i % 4]}, reports: [campaign_daily]}}\n"
        )
    path = write(tmp_path, "".join(lines))
    reg = load_registry(path)
    assert reg.errors == () and len(reg.accounts) == 3000
