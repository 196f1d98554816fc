"""The account registry: `include/accounts.yaml` parsed into validated, immutable accounts.

Runs at DAG parse time for thousands of accounts, so it is pure (no Airflow, no DB, no network) and never
raises for content problems: every problem becomes a `RegistryError` that names the entry and the field,
and one bad entry never drops another (an exception in the DAG file would hide every account's DAGs).

An entry is described by a pydantic model (`Entry`, with `NotifyEntry` for its `notify:`): the model
holds the fields, their types, order and defaults, and exports the JSON Schema editors validate
`accounts.yaml` with (`ads_sync.registry_schema`). Each field's check is a small function that raises our
own message (the value, what is wrong, the fix); `_problem` turns pydantic's first error into the entry's
one `RegistryError`, with did-you-mean for misspelled keys. A platform's own keys (`login_customer_id`,
`action_types`) are not model fields: its spec declares them with their checks (`sources.spec.Option`),
run after the model, so a new platform brings its keys without a change here. The result is an `Account`
(a frozen dataclass), which is what the rest of the code and the registry cache use.

Ids are never rewritten: an account id written with dashes or with Meta's `act_` prefix is rejected with
the exact spelling to use, so the YAML, the DAG ids and the warehouse rows all carry one spelling.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import importlib
import json
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from ads_sync.platforms import PLATFORMS, PlatformInfo
from ads_sync.reports.custom import NAME as _CUSTOM_NAME_RE
from ads_sync.reports.custom import CustomReport
from ads_sync.sources.spec import Invalid, check_account_id
from ads_sync.sources.spec import show as _show
from ads_sync.sources.spec import type_name as _type_name

#: daily: the daily DAG at 02:00 only; 30min / hourly: that, plus an intraday DAG loading today so far every
#: 30 minutes / every hour (issue 17; `hourly` used to run the daily DAG every hour); manual: no schedules
Frequency = Literal["daily", "30min", "hourly", "manual"]
FREQUENCIES: tuple[str, ...] = ("daily", "30min", "hourly", "manual")
#: the frequencies that get an intraday DAG
INTRADAY_FREQUENCIES: tuple[str, ...] = ("30min", "hourly")

REQUIRED_KEYS: tuple[str, ...] = ("platform", "account_id", "name", "timezone", "currency")
#: the keys every platform's entries have; a platform's own keys (its spec's `options`) come on top
OPTIONAL_KEYS: tuple[str, ...] = (
    "active",
    "conn_id",
    "frequency",
    "lookback_days",
    "reports",
    "sheet",
    "notify",
    "custom_reports",
)
TOP_LEVEL_KEYS: tuple[str, ...] = ("overview_sheet", "defaults", "notify", "custom_reports", "accounts")
CUSTOM_KEYS: tuple[str, ...] = ("name", "platform", "query", "level", "fields", "breakdowns", "action_types")
#: which definition keys each platform's custom report has (name and platform: every one)
CUSTOM_PLATFORM_KEYS: dict[str, tuple[str, ...]] = {
    "google_ads": ("query",), "meta": ("level", "fields", "breakdowns", "action_types"),
}
CUSTOM_REPORTS_MAX = 20
NOTIFY_KEYS: tuple[str, ...] = ("email", "email_from", "smtp_conn_id", "slack_conn_id", "stale_after_days")
LOOKBACK_MIN, LOOKBACK_MAX, LOOKBACK_DEFAULT = 1, 90, 7
STALE_AFTER_DEFAULT, STALE_AFTER_MAX = 3, 90
NAME_MAX = 200


def option_keys() -> tuple[str, ...]:
    """The declared platforms' own keys (each platform's spec `options`), in platform order, each once."""
    return tuple(dict.fromkeys(o.name for p in PLATFORMS.values() for o in p.options))


def allowed_keys() -> tuple[str, ...]:
    """Every key an entry may hold: the common ones and each declared platform's own."""
    return REQUIRED_KEYS + OPTIONAL_KEYS + option_keys()


def defaultable_keys() -> tuple[str, ...]:
    """The keys `defaults:` may hold: everything but the entry's identity (and `custom_reports:`, which is
    per entry: a default would give one platform's reports to the other's entries)."""
    return ("timezone", "currency") + tuple(k for k in OPTIONAL_KEYS if k != "custom_reports") + option_keys()


_SHEET_RE = re.compile(r"^[A-Za-z0-9_-]{10,128}$")
_CONN_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,250}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")
# IANA names: letters, digits, `_+-`, `/`-separated; guards ZoneInfo against paths and hostile strings
_ZONE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,3}$")
# files in the zoneinfo directories that are not time zone names
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})
_NOT_ZONE_PREFIXES = ("posix/", "right/")
_OFFSET_RE = re.compile(r"^(?:UTC|GMT|Z)?\s*[+-]\s*\d{1,2}(?::?\d{2})?$", re.IGNORECASE)
_SAFE_LABEL_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_SAFE_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
# every pattern is applied with fullmatch: with `match`, `$` also matches before a trailing newline


@dataclass(frozen=True)
class Notify:
    """Channels and people: e-mail through an SMTP connection, Slack through a webhook connection."""

    email: tuple[str, ...] = ()
    #: the sender; None: the SMTP connection's `from_email` extra
    email_from: str | None = None
    smtp_conn_id: str = "smtp_default"
    #: an Airflow connection of type slackwebhook; None: no Slack message
    slack_conn_id: str | None = None
    #: notify when the account's newest loaded day is more than this many days behind
    stale_after_days: int = STALE_AFTER_DEFAULT

    @property
    def channels(self) -> tuple[str, ...]:
        return (("email",) if self.email else ()) + (("slack",) if self.slack_conn_id else ())


@dataclass(frozen=True)
class Account:
    """One ad account, validated; the unit of the per-account DAGs."""

    platform: str
    account_id: str
    name: str
    timezone: str
    currency: str
    active: bool = True
    #: "" means the platform's default connection (filled in on construction)
    conn_id: str = ""
    frequency: Frequency = "daily"
    lookback_days: int = LOOKBACK_DEFAULT
    #: () means the platform's default reports (filled in on construction); opt-in reports are named
    reports: tuple[str, ...] = ()
    sheet: str | None = None
    #: the platform's own keys the entry sets (its spec's `options`), as (key, value) in the spec's order;
    #: a mapping is accepted on construction. Unset keys are absent: the connector applies its default.
    options: tuple[tuple[str, Any], ...] = ()
    #: who hears about this account (the top-level `notify:` with the entry's own keys over it); None: nobody
    notify: Notify | None = None
    #: the custom reports this account loads (shared ones it names, and its inline ones), in registry order
    custom_reports: tuple[CustomReport, ...] = ()

    def __post_init__(self) -> None:
        info = PLATFORMS.get(self.platform)
        if not isinstance(self.reports, tuple):
            object.__setattr__(self, "reports", tuple(self.reports))
        object.__setattr__(self, "options", _options_tuple(self.options))
        if isinstance(self.notify, Mapping):  # read back from JSON (the registry cache)
            object.__setattr__(self, "notify", _notify_from_dict(self.notify))
        if any(isinstance(c, Mapping) for c in self.custom_reports) or not isinstance(self.custom_reports, tuple):
            object.__setattr__(self, "custom_reports", tuple(
                CustomReport.from_dict(c) if isinstance(c, Mapping) else c for c in self.custom_reports))
        if info is not None:
            if not self.conn_id:
                object.__setattr__(self, "conn_id", info.default_conn_id)
            if not self.reports:
                object.__setattr__(self, "reports", info.default_reports)

    @property
    def key(self) -> str:
        """`google_ads__1234567890`: unique over the registry, safe in ids and lock names."""
        return f"{self.platform}__{self.account_id}"

    @property
    def dag_id_prefix(self) -> str:
        return f"ads_sync__{self.key}"

    @property
    def intraday(self) -> bool:
        """Whether the account gets an intraday DAG (today so far): frequency 30min or hourly (an inactive
        account keeps it, unscheduled, like its other DAGs)."""
        return self.frequency in INTRADAY_FREQUENCIES

    def dag_id(self, kind: str) -> str:
        """`ads_sync__<platform>__<account_id>__<kind>` (kind: daily, weekly, force_sync, intraday)."""
        return f"{self.dag_id_prefix}__{kind}"

    @property
    def info(self) -> PlatformInfo:
        return PLATFORMS[self.platform]

    def option(self, name: str) -> Any:
        """The value of one of the platform's own keys (`login_customer_id`), or None when not set."""
        return next((v for k, v in self.options if k == name), None)


def _options_tuple(options: Any) -> tuple[tuple[str, Any], ...]:
    """Options as stored: (key, value) pairs, list values as tuples (they come back from the registry
    cache's JSON as lists of lists)."""
    pairs = options.items() if isinstance(options, Mapping) else options
    return tuple((str(k), tuple(v) if isinstance(v, list) else v) for k, v in pairs)


def _notify_from_dict(data: Mapping[str, Any]) -> Notify:
    return Notify(**{**data, "email": tuple(data.get("email", ()))})


@dataclass(frozen=True)
class RegistryError:
    """One problem in the registry, precise enough to fix without reading code."""

    #: position in `accounts`; -1 for problems of the file itself
    index: int
    #: names the entry, e.g. "accounts[3] (google_ads 1234567890 'Acme')", or the file
    entry: str
    #: the field at fault ("" when the whole entry or file is at fault)
    field: str
    #: one sentence: what is wrong and how to fix it
    message: str
    #: what the entry is, not where it is: its platform and account id, or a hash of its content
    key: str = ""

    def __str__(self) -> str:
        return (
            f"{self.entry}: {self.field}: {self.message}" if self.field else f"{self.entry}: {self.message}"
        )

    @property
    def slug(self) -> str:
        """A short fragment safe in a DAG id, unique in a Registry and stable: it names the entry by what it
        is (platform and account id, else a hash of its content), so adding or moving other entries never
        changes it, and the error DAG keeps its history in the UI."""
        if self.index < 0:
            return "file"
        return f"entry_{self.key}" if self.key else f"entry_{self.index}"


@dataclass(frozen=True)
class Registry:
    #: valid entries (active or not), sorted by (platform, account_id)
    accounts: tuple[Account, ...]
    #: at most one per entry and one for the file, sorted by index (the file's first)
    errors: tuple[RegistryError, ...]
    overview_sheet: str | None = None
    #: the top-level `notify:` (each account's own, merged, is on the account)
    notify: Notify | None = None
    _by_key: dict[str, Account] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update((a.key, a) for a in self.accounts)

    def get(self, key: str) -> Account | None:
        """The account with this `key` (`google_ads__1234567890`), or None."""
        return self._by_key.get(key)


# ------------------------------------------------------------------------------------ the field checks
# Each takes the value as written (never None: null means the field's default) and returns it as the
# model stores it, or raises our message. Checks that depend on the platform read it from `info.data`
# (fields are validated in order, platform first); without it the platform's own error is the entry's.


def _bad(message: str) -> PydanticCustomError:
    return PydanticCustomError("registry", "{message}", {"message": message})


_REQUIRED = "is required; add it to the entry"


def _check(check: Callable[[Any, PlatformInfo | None], Any], *, required: bool = False) -> BeforeValidator:
    """The field's validator: null is "not set" (the default, or "is required"), anything else is checked."""

    def run(value: Any, info: ValidationInfo) -> Any:
        if value is None:
            if required:
                raise PydanticCustomError("required", _REQUIRED)
            return None
        return check(value, PLATFORMS.get(info.data.get("platform", "")))

    return BeforeValidator(run)


def _plain(check: Callable[[Any, PlatformInfo | None], Any]) -> BeforeValidator:
    """A validator for a field where null is a value to refuse, not "not set"."""
    return BeforeValidator(lambda value: check(value, None))


def _platform(value: Any, _: PlatformInfo | None) -> str:
    if not isinstance(value, str) or value not in PLATFORMS:
        raise _bad(
            f"{_show(value)} is not a supported platform{_did_you_mean(value, tuple(PLATFORMS))}; "
            f"use one of: {', '.join(PLATFORMS)}"
        )
    return value


def _account_id(value: Any, info: PlatformInfo | None) -> Any:
    """An id must match the platform's pattern exactly (`sources.spec.check_account_id`)."""
    if info is None:
        return value
    try:
        return check_account_id(value, info)
    except Invalid as bad:
        raise _bad(str(bad)) from None


def _name(value: Any, _: PlatformInfo | None) -> str:
    if not isinstance(value, str):
        raise _bad(f"must be a string, got {_type_name(value)}; quote it")
    name = value.strip()
    if not name:
        raise _bad("must not be empty; give the account a readable name")
    if len(name) > NAME_MAX:
        raise _bad(f"is {len(name)} characters long; shorten it to at most {NAME_MAX}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise _bad(f"{_show(name)} contains control characters or line breaks; write it on one line")
    return name


def _timezone(value: Any, _: PlatformInfo | None) -> str:
    if not isinstance(value, str):
        raise _bad(f"must be an IANA time zone name such as Europe/Berlin, got {_type_name(value)}")
    if _zone_ok(value):
        return value
    if _OFFSET_RE.fullmatch(value.strip()):
        hint = (
            "use the region's name, e.g. Europe/Berlin, so daylight saving is followed "
            "(a fixed offset is Etc/GMT-2, sign inverted)"
        )
    else:
        guess = _zone_suggestion(value) if len(value) <= 64 else None
        hint = f"did you mean {guess!r}?" if guess else "use a name like Europe/Berlin or America/New_York"
    raise _bad(f"{_show(value)} is not an IANA time zone; {hint}")


@functools.lru_cache(maxsize=1024)
def _zone_ok(name: str) -> bool:
    """Loading a zone reads a file, so remember the answer per distinct name (accounts share few zones)."""
    if (
        not _ZONE_RE.fullmatch(name)
        or len(name) > 64
        or name in _NOT_ZONES
        or name.startswith(_NOT_ZONE_PREFIXES)
    ):
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


@functools.lru_cache(maxsize=1)
def _all_zones() -> dict[str, str]:
    """Lower-cased name -> zone name; built only when an entry has a bad zone (it scans the tz database)."""
    return {z.lower(): z for z in zoneinfo.available_timezones() if z not in _NOT_ZONES}


def _zone_suggestion(value: str) -> str | None:
    zones = _all_zones()
    key = value.strip().lower().replace(" ", "_")
    if key in zones:
        return zones[key]
    close = difflib.get_close_matches(key, zones.keys(), n=1, cutoff=0.8)
    return zones[close[0]] if close else None


def _currency(value: Any, _: PlatformInfo | None) -> str:
    if not isinstance(value, str) or not _CURRENCY_RE.fullmatch(value):
        upper = value.upper() if isinstance(value, str) else ""
        hint = f"; write it in capitals: {upper!r}" if _CURRENCY_RE.fullmatch(upper) else ""
        raise _bad(f"{_show(value)} is not an ISO 4217 currency code (three capital letters, e.g. EUR){hint}")
    return value


def _active(value: Any, _: PlatformInfo | None) -> bool:
    if not isinstance(value, bool):
        raise _bad(f"must be true or false, got {_show(value)}")
    return value


def _conn_id(value: Any, info: PlatformInfo | None) -> str:
    if not isinstance(value, str) or not _CONN_ID_RE.fullmatch(value):
        fallback = f"; omit it to use {info.default_conn_id}" if info is not None else ""
        raise _bad(
            f"{_show(value)} is not a valid Airflow connection id (letters, digits, `_.-`, at most 250){fallback}"
        )
    return value


def _frequency(value: Any, _: PlatformInfo | None) -> str:
    if not isinstance(value, str) or value not in FREQUENCIES:
        raise _bad(f"{_show(value)} is not a frequency; use one of: {', '.join(FREQUENCIES)}")
    return value


def _days(low: int, high: int) -> Callable[[Any, PlatformInfo | None], int]:
    def check(value: Any, _: PlatformInfo | None) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise _bad(f"must be a whole number of days from {low} to {high}, got {_show(value)}")
        return value

    return check


def _reports(value: Any, info: PlatformInfo | None) -> Any:
    """Kept in the platform's table order, so the DAG's task order never depends on the YAML's order."""
    if info is None:
        return value
    choices = f"choose from: {', '.join(info.reports)}"
    if not isinstance(value, list):
        raise _bad(f"must be a list of report names, got {_type_name(value)}; {choices}")
    if not value:
        raise _bad(f"must not be empty; omit it to load the default reports ({', '.join(info.default_reports)})")
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, str) or item not in info.reports:
            raise _bad(f"{_show(item)} is not a {info.label} report{_did_you_mean(item, info.reports)}; {choices}")
        if item in seen:
            raise _bad(f"{item!r} is listed twice; list each report once")
        seen.add(item)
    return tuple(r for r in info.reports if r in seen)


def _sheet(value: Any, _: PlatformInfo | None = None) -> str:
    if not (isinstance(value, str) and _SHEET_RE.fullmatch(value)):
        raise _bad(
            f"{_show(value)} is not a spreadsheet id (at least 10 letters, digits, `_` or `-`: "
            "the part of the sheet's URL between /d/ and /edit); fix it or set it to null"
        )
    return value


def _emails(value: Any, _: PlatformInfo | None) -> tuple[str, ...]:
    emails = [value] if isinstance(value, str) else value
    if not isinstance(emails, list):
        raise _bad(
            f"must be a list of e-mail addresses (e.g. [ops@example.com]), got {_type_name(emails)}; "
            "an empty list turns e-mail off"
        )
    for address in emails:
        if not (isinstance(address, str) and _EMAIL_RE.fullmatch(address)):
            raise _bad(f"{_show(address)} is not an e-mail address (e.g. ops@example.com)")
    return tuple(emails)


def _email(value: Any, _: PlatformInfo | None) -> str:
    if not (isinstance(value, str) and _EMAIL_RE.fullmatch(value)):
        raise _bad(f"{_show(value)} is not an e-mail address")
    return value


def _notify_conn(value: Any, _: PlatformInfo | None) -> str:
    if not (isinstance(value, str) and _CONN_ID_RE.fullmatch(value)):
        raise _bad(f"{_show(value)} is not a valid Airflow connection id")
    return value


def _smtp_conn(value: Any, info: ValidationInfo) -> str:
    if value is None:
        raise _bad("must name a connection; omit it for smtp_default")
    return _notify_conn(value, None)


# ------------------------------------------------------------------------------------ custom reports
# A definition is checked whole by `custom_definition` (top-level ones once, inline ones per entry); an
# entry's `custom_reports:` names shared definitions or holds inline ones. A bad definition fails only the
# entries that load it, with the definition's field named (`custom_reports[1].query`).


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid("", f"must be a list of {what}, got {_show(value)}")
    if len(set(value)) != len(value):
        twice = next(v for v in value if value.count(v) > 1)
        raise _Invalid("", f"{twice!r} is listed twice; list each once")
    return tuple(value)


def custom_definition(raw: object) -> CustomReport:
    """One custom report definition, or _Invalid naming its key (relative: `query`, `fields`, ...)."""
    from ads_sync.reports import custom, gaql

    if not isinstance(raw, Mapping):
        raise _Invalid("", f"must be a mapping (name, platform, ...) or a shared report's name, got {_type_name(raw)}")
    unknown = [k for k in raw if k not in CUSTOM_KEYS]
    if unknown:
        raise _Invalid(_key_text(unknown[0]), f"unknown key {_quoted_key(unknown[0])}"
                       f"{_did_you_mean(unknown[0], CUSTOM_KEYS)}; allowed keys: {', '.join(CUSTOM_KEYS)}")
    name = raw.get("name")
    if not isinstance(name, str) or not _CUSTOM_NAME_RE.fullmatch(name):
        raise _Invalid("name", f"{_show(name)} is not a custom report name (lower case letter, then up to 40 lower "
                               "case letters, digits or `_`): it is the table's name in ads_custom")
    builtin = sorted({r for info in PLATFORMS.values() for r in info.reports})
    if name in builtin or name in ("campaigns", "ad_groups", "ads", "keywords", "accounts"):
        raise _Invalid("name", f"{name!r} is a built-in report or table; give the custom report its own name")
    platform = raw.get("platform")
    if platform not in CUSTOM_PLATFORM_KEYS:
        raise _Invalid("platform", f"{_show(platform)} is not a platform with custom reports"
                                   f"{_did_you_mean(platform, tuple(CUSTOM_PLATFORM_KEYS))}; "
                                   f"use one of: {', '.join(CUSTOM_PLATFORM_KEYS)}")
    other = [k for k in raw if k not in ("name", "platform", *CUSTOM_PLATFORM_KEYS[platform])]
    if other:
        raise _Invalid(other[0], f"is not a {platform} custom report key; a {platform} report has: "
                                 f"{', '.join(CUSTOM_PLATFORM_KEYS[platform])}")
    if platform == "google_ads":
        query = raw.get("query")
        if not isinstance(query, str):
            raise _Invalid("query", f"must be a GAQL query (SELECT field, ... FROM resource), got {_show(query)}")
        try:
            custom.google_columns(gaql.parse(query))
        except gaql.GaqlError as exc:
            raise _Invalid("query", str(exc)) from None
        return CustomReport(name, platform, query=query)
    level = raw.get("level")
    values: dict[str, tuple[str, ...]] = {}
    for key, what in (("fields", "Meta insights fields"), ("breakdowns", "Meta breakdowns"),
                      ("action_types", "Meta action types")):
        if raw.get(key) is None:
            values[key] = ()
            continue
        try:
            values[key] = _strings(raw[key], what)
        except _Invalid as bad:
            raise _Invalid(key, bad.message) from None
    if not isinstance(level, str):
        raise _Invalid("level", f"must be one of ad, adset, campaign, account, got {_show(level)}")
    for problem in _meta_problems(level, values["fields"], values["breakdowns"], values["action_types"]):
        raise _Invalid(*_meta_problem(problem))
    return CustomReport(name, platform, level=level, fields=values["fields"], breakdowns=values["breakdowns"],
                        action_types=values["action_types"])


def _meta_problems(level: str, fields: tuple[str, ...], breakdowns: tuple[str, ...],
                   action_types: tuple[str, ...]) -> list[str]:
    """sources/meta/custom.py's verdict (what Graph accepts per level, field and breakdown)."""
    try:
        meta_custom = importlib.import_module("ads_sync.sources.meta.custom")
    except ImportError:
        return ["Meta custom reports are not available in this version of ads-sync (sources/meta/custom.py)"]
    return list(meta_custom.problems(level, list(fields), list(breakdowns), list(action_types)))


def _meta_problem(problem: str) -> tuple[str, str]:
    """(the definition key, the message) of a Meta problem: it starts with the key it is about
    (`breakdowns: 'agee' is not a breakdown ...`); fields when it names none."""
    key, sep, rest = problem.partition(": ")
    if sep and key in CUSTOM_PLATFORM_KEYS["meta"]:
        return key, rest
    return "fields", problem


#: the JSON Schema of one definition (registry_schema puts it under $defs): what an editor can check
CUSTOM_REPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "a custom report: Google Ads a GAQL query without date condition, Meta level, fields, "
                   "breakdowns and action types; loaded into ads_custom.<name>",
    "required": ["name", "platform"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": _CUSTOM_NAME_RE.pattern},
        "platform": {"enum": list(CUSTOM_PLATFORM_KEYS)},
        "query": {"type": "string", "description": "Google Ads: SELECT ..., segments.date, ... FROM resource "
                                                   "[WHERE ...], without a date condition"},
        "level": {"enum": ["ad", "adset", "campaign", "account"]},
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1, "uniqueItems": True},
        "breakdowns": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "action_types": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
}


def _custom_reports(value: Any, info: ValidationInfo) -> tuple[CustomReport, ...] | None:
    """An entry's custom reports: names of shared definitions (validation context `shared`: name ->
    CustomReport or the definition's problem) and inline definitions, each name once."""
    if value is None:
        return None
    platform = info.data.get("platform")
    if not isinstance(value, list) or not value:
        raise _bad("must be a non-empty list of custom report names (defined under the top-level "
                   "custom_reports:) or inline definitions; omit it for none")
    if len(value) > CUSTOM_REPORTS_MAX:
        raise _bad(f"lists {len(value)} custom reports; at most {CUSTOM_REPORTS_MAX}")
    shared: Mapping[str, CustomReport | str] = (info.context or {}).get("shared", {})
    out: list[CustomReport] = []
    for i, item in enumerate(value):
        at = f"[{i}]"
        if isinstance(item, str):
            found = shared.get(item)
            if found is None:
                raise _bad_at(at, f"{_show(item)} is not a shared custom report"
                                  f"{_did_you_mean(item, tuple(shared))}; define it under the top-level "
                                  "custom_reports: or write its definition here")
            if isinstance(found, str):
                raise _bad_at(at, f"the shared custom report {item!r} is invalid: {found}")
            report = found
        else:
            try:
                report = custom_definition(item)
            except _Invalid as bad:
                raise _bad_at(f"{at}.{bad.field}" if bad.field else at, bad.message) from None
            if report.name in shared:
                raise _bad_at(f"{at}.name", f"{report.name!r} is also a shared custom report; name it in the "
                                            "list instead of defining it again, or rename this one")
        if platform is not None and report.platform != platform:
            raise _bad_at(at, f"{report.name!r} is a {report.platform} report; this is a {platform} entry")
        if any(r.name == report.name for r in out):
            raise _bad_at(at, f"{report.name!r} is listed twice; list each custom report once")
        out.append(report)
    return tuple(out)


def _bad_at(at: str, message: str) -> PydanticCustomError:
    """Our message about one item of the field (`[1].query`), which `_problem` appends to the field's name."""
    return PydanticCustomError("registry", "{message}", {"message": message, "at": at})


def shared_custom_reports(raw: object) -> tuple[dict[str, CustomReport | str], list[tuple[str, str]]]:
    """The top-level `custom_reports:`: name -> definition, or -> its problem (so entries that load it fail
    with it, and no other); and the problems as (field, message) for the file's own error."""
    found: dict[str, CustomReport | str] = {}
    problems: list[tuple[str, str]] = []
    if raw is None:
        return found, problems
    if not isinstance(raw, list):
        return found, [("custom_reports", f"must be a list of custom report definitions, got {_type_name(raw)}")]
    for i, item in enumerate(raw):
        name = item.get("name") if isinstance(item, Mapping) else None
        try:
            report = custom_definition(item)
        except _Invalid as bad:
            problems.append((f"custom_reports[{i}]" + (f".{bad.field}" if bad.field else ""), bad.message))
            if isinstance(name, str) and name not in found:
                found[name] = f"custom_reports[{i}].{bad.field}: {bad.message}" if bad.field else bad.message
            continue
        if report.name in found:
            problems.append((f"custom_reports[{i}].name", f"{report.name!r} is defined twice; keep one"))
            found[report.name] = f"{report.name!r} is defined twice at the top of the registry"
            continue
        found[report.name] = report
    return found, problems


# ------------------------------------------------------------------------------------------- the models

_SHEET_SCHEMA = {"type": "string", "pattern": _SHEET_RE.pattern}
_CONN_SCHEMA = {"type": "string", "pattern": _CONN_ID_RE.pattern}
_EMAIL_SCHEMA = {"type": "string", "format": "email"}
_MODEL = ConfigDict(extra="forbid")


class NotifyEntry(BaseModel):
    """A `notify:` mapping (top-level, in `defaults:` or in an entry): only the keys it sets count, over
    the top-level one's."""

    model_config = _MODEL

    email: Annotated[
        tuple[str, ...],
        _plain(_emails), WithJsonSchema({"anyOf": [_EMAIL_SCHEMA, {"type": "array", "items": _EMAIL_SCHEMA}]}),
        Field(description="who is e-mailed; an empty list turns e-mail off"),
    ] = ()
    email_from: Annotated[
        str | None, _check(_email), WithJsonSchema({"anyOf": [_EMAIL_SCHEMA, {"type": "null"}]}),
        Field(description="the sender; default: the SMTP connection's from_email extra"),
    ] = None
    smtp_conn_id: Annotated[
        str, BeforeValidator(_smtp_conn), WithJsonSchema(_CONN_SCHEMA),
        Field(description="the Airflow SMTP connection"),
    ] = "smtp_default"
    slack_conn_id: Annotated[
        str | None, _check(_notify_conn), WithJsonSchema({"anyOf": [_CONN_SCHEMA, {"type": "null"}]}),
        Field(description="an Airflow slackwebhook connection; null: no Slack message"),
    ] = None
    stale_after_days: Annotated[
        int, _plain(_days(1, STALE_AFTER_MAX)),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": STALE_AFTER_MAX}),
        Field(description="notify when the account's newest loaded day is more than this many days behind"),
    ] = STALE_AFTER_DEFAULT

    def over(self, base: Notify | None) -> Notify:
        """The keys this mapping sets, over `base` (the top-level `notify:`; None: the defaults)."""
        changes = {k: getattr(self, k) for k in self.model_fields_set}
        if changes.get("email_from", "") is None:
            del changes["email_from"]
        return replace(base or Notify(), **changes)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _platform_rules(schema: dict[str, Any]) -> None:
    """The platforms' own keys as properties (their specs' schemas), and per platform what the checks
    enforce: the id pattern, its reports, no other platform's keys."""
    for info in PLATFORMS.values():
        for option in info.options:
            schema["properties"].setdefault(option.name, {**_nullable(dict(option.schema)),
                                                          "description": option.description})
    rules = []
    for info in PLATFORMS.values():
        properties: dict[str, Any] = {
            "account_id": {"pattern": info.account_id_pattern.pattern},
            "reports": {"items": {"enum": list(info.reports)}},
        }
        rule: dict[str, Any] = {"if": {"properties": {"platform": {"const": info.name}}},
                                "then": {"properties": properties}}
        banned = sorted(k for k in option_keys() if info.option(k) is None)
        if banned:
            rule["then"]["not"] = {"anyOf": [{"required": [k]} for k in banned]}
        rules.append(rule)
    schema["allOf"] = rules


class Entry(BaseModel):
    """One `accounts:` entry as written (with `defaults:` under it). Fields are validated, and their
    errors reported, in this order."""

    model_config = ConfigDict(**_MODEL, json_schema_extra=_platform_rules)

    platform: Annotated[str, _check(_platform, required=True), WithJsonSchema({"enum": list(PLATFORMS)}),
                        Field(description="the ad platform")]
    account_id: Annotated[
        str, _check(_account_id, required=True), WithJsonSchema({"type": ["string", "integer"]}),
        Field(description="Google Ads: 10 digits without dashes; Meta: digits without the act_ prefix. Quote it."),
    ]
    name: Annotated[str, _check(_name, required=True), WithJsonSchema({"type": "string", "minLength": 1,
                                                                "maxLength": NAME_MAX}),
                    Field(description="a readable name, shown in the UI and the sheets")]
    timezone: Annotated[str, _check(_timezone, required=True), WithJsonSchema({"type": "string"}),
                        Field(description="the account's IANA time zone, e.g. Europe/Berlin: its days are these")]
    currency: Annotated[str, _check(_currency, required=True), WithJsonSchema({"type": "string",
                                                                        "pattern": _CURRENCY_RE.pattern}),
                        Field(description="ISO 4217 code of the account's currency, e.g. EUR")]
    active: Annotated[bool | None, _check(_active), Field(description="false: no DAGs run (default true)")] = None
    conn_id: Annotated[str | None, _check(_conn_id), WithJsonSchema(_nullable(_CONN_SCHEMA)),
                       Field(description="the Airflow connection (default: the platform's)")] = None
    frequency: Annotated[
        Frequency | None, _check(_frequency),
        Field(description="how often the daily sync runs; manual: only when triggered (default daily)"),
    ] = None
    lookback_days: Annotated[
        int | None, _check(_days(LOOKBACK_MIN, LOOKBACK_MAX)),
        WithJsonSchema(_nullable({"type": "integer", "minimum": LOOKBACK_MIN, "maximum": LOOKBACK_MAX})),
        Field(description="days a daily run reloads (default 7)"),
    ] = None
    reports: Annotated[
        tuple[str, ...] | None,
        _check(_reports), WithJsonSchema(_nullable({"type": "array", "items": {"type": "string"}, "minItems": 1,
                                            "uniqueItems": True})),
        Field(description="the reports to load (default: the platform's default set; opt-in reports are named)"),
    ] = None
    sheet: Annotated[str | None, _check(_sheet), WithJsonSchema(_nullable(_SHEET_SCHEMA)),
                     Field(description="the account's spreadsheet id (between /d/ and /edit in its URL)")] = None
    notify: Annotated[NotifyEntry | None, Field(description="who hears about this account, over the top-level "
                                                            "notify:")] = None
    custom_reports: Annotated[
        tuple[CustomReport, ...] | None, BeforeValidator(_custom_reports),
        WithJsonSchema(_nullable({"type": "array", "minItems": 1, "maxItems": CUSTOM_REPORTS_MAX,
                                  "items": {"anyOf": [{"type": "string", "pattern": _CUSTOM_NAME_RE.pattern},
                                                      CUSTOM_REPORT_SCHEMA]}})),
        Field(description="custom reports to load: names of top-level custom_reports, or inline definitions"),
    ] = None


_ENTRY_FIELDS = tuple(Entry.model_fields)
_IDENTITY_END = _ENTRY_FIELDS.index("account_id")
_ACCOUNT_FIELDS = tuple(f for f in _ENTRY_FIELDS if f != "notify")


def _problem(exc: ValidationError, allowed: tuple[str, ...], prefix: str = "") -> tuple[int, str, str]:
    """Pydantic's errors as the one we report: (its place in the fixed order, the field, our message).

    Unknown keys first, then missing required fields, then the other fields in the model's order; inside
    `notify:` (or with a `prefix`, the top-level one) everything ranks as that field."""
    found: list[tuple[tuple[int, int], str, str]] = []
    for e in exc.errors(include_url=False):
        at = None
        loc, kind = tuple(e["loc"]), e["type"]
        position = _ENTRY_FIELDS.index(loc[0]) if loc and loc[0] in _ENTRY_FIELDS else len(_ENTRY_FIELDS)
        nested = bool(prefix) or len(loc) > 1
        if kind == "invalid_key":
            loc = (*loc[:-1], e["input"])
        rank = (2, position)
        if kind in ("extra_forbidden", "invalid_key"):
            keys = NOTIFY_KEYS if nested else allowed
            rank = (2, position) if nested else (0, 0)
            message = (f"unknown key {_quoted_key(loc[-1])}{_did_you_mean(loc[-1], keys)}; "
                       f"allowed keys: {', '.join(keys)}")
        elif kind in ("missing", "required"):
            rank, message = (1, position), _REQUIRED
        elif kind == "registry":
            message = e["ctx"]["message"]
            at = e["ctx"].get("at")
        elif kind == "model_type":
            got = _type_name(e["input"])
            message = (f"must be a mapping ({', '.join(NOTIFY_KEYS)}), got {got}" if nested or loc else
                       f"is {got}, expected a mapping of field: value (start the entry with `- platform: …`)")
        else:  # a type the field check let through: pydantic's words, our shape
            message = f"{e['msg'][:1].lower()}{e['msg'][1:]}, got {_show(e.get('input'))}"
        name = ".".join([prefix] * bool(prefix) + [_key_text(p) for p in loc])
        if kind == "registry" and at:
            name += at
        found.append((rank, name, message))
    rank, name, message = min(found, key=lambda f: f[0])
    return rank[0] * 100 + rank[1], name, message


def check_notify(value: object, base: Notify | None) -> Notify:
    """A `notify:` mapping, its keys over `base` (the top-level one); raises _Invalid naming the key."""
    try:
        return NotifyEntry.model_validate(value).over(base)
    except ValidationError as exc:
        _, name, message = _problem(exc, NOTIFY_KEYS, prefix="notify")
        raise _Invalid(name, message) from None


class _Invalid(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

# --------------------------------------------------------------------------------------------- loading


class _Mapping(dict):  # type: ignore[type-arg]
    """A YAML mapping that remembers keys written twice (PyYAML silently keeps the last one)."""

    duplicate_keys: tuple[str, ...] = ()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader (C-accelerated when available) whose mappings report duplicate keys."""


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> Any:
    data = _Mapping()
    yield data
    seen: set[tuple[str, str]] = set()
    dups: list[str] = []
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            k = (key_node.tag, key_node.value)
            if k in seen and key_node.value not in dups:
                dups.append(key_node.value)
            seen.add(k)
    data.update(loader.construct_mapping(node))
    if dups:
        data.duplicate_keys = tuple(dups)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def load_registry(path: Path) -> Registry:
    """Read and validate the registry file; every problem (even a missing file) is an error, never raised."""
    path = Path(path)
    source = path.name or str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return _file_error(
            source, f"the registry file {str(path)!r} does not exist; create it with an `accounts:` list"
        )
    except UnicodeDecodeError as exc:
        return _file_error(source, f"the file is not UTF-8 (byte {exc.start}); save it as UTF-8")
    except OSError as exc:
        return _file_error(
            source, f"the file cannot be read ({exc.strerror or exc}); check its path and permissions"
        )
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "syntax error"
        return _file_error(source, f"the file is not valid YAML: {problem}{where}; fix the syntax there")
    except Exception as exc:  # noqa: BLE001 - any parser failure is a content problem
        return _file_error(
            source, f"the file is not valid YAML ({type(exc).__name__}: {_trunc(str(exc))}); fix the syntax"
        )
    return parse_registry(data, source=source)


def parse_registry(data: object, *, source: str = "accounts.yaml") -> Registry:
    """Validate an already-loaded registry; never raises, one bad entry never drops another.

    `source` names the file in file-level errors.
    """
    try:
        return _parse_registry(data, source)
    except Exception as exc:  # noqa: BLE001 - the DAG file must never die on the registry
        return _file_error(source, f"could not be validated ({type(exc).__name__}: {_trunc(str(exc))})")


def _parse_registry(data: object, source: str) -> Registry:
    if data is None:
        return _file_error(source, "the file is empty; it needs a mapping with an `accounts:` list")
    if not isinstance(data, Mapping):
        return _file_error(
            source, f"the top level is {_type_name(data)}, expected a mapping with an `accounts:` list"
        )
    file_error: RegistryError | None = None

    def file_problem(fld: str, message: str) -> None:
        nonlocal file_error
        if file_error is None:  # the first problem, in a fixed order, like entries
            file_error = RegistryError(-1, source, fld, message)

    dups = getattr(data, "duplicate_keys", ())
    if dups:
        file_problem(
            _key_text(dups[0]), f"the top-level key {_quoted_key(dups[0])} appears more than once; keep one"
        )
    unknown = [k for k in data if k not in TOP_LEVEL_KEYS]
    if unknown:
        file_problem(
            _key_text(unknown[0]),
            f"unknown top-level key {_quoted_key(unknown[0])}{_did_you_mean(unknown[0], TOP_LEVEL_KEYS)}; "
            f"allowed keys: {', '.join(TOP_LEVEL_KEYS)}",
        )

    accounts_raw = data.get("accounts")
    if "accounts" not in data:
        file_problem("accounts", "the `accounts:` list is missing; add it (an empty list is fine)")
        accounts_raw = []
    elif accounts_raw is None:
        accounts_raw = []
    elif not isinstance(accounts_raw, list):
        file_problem("accounts", f"must be a list of account entries, got {_type_name(accounts_raw)}")
        accounts_raw = []

    overview_sheet = data.get("overview_sheet")
    if overview_sheet is not None:
        try:
            _sheet(overview_sheet)
        except PydanticCustomError as bad_sheet:
            file_problem("overview_sheet", str(bad_sheet))
            overview_sheet = None

    top_notify: Notify | None = None
    if data.get("notify") is not None:
        try:
            top_notify = check_notify(data["notify"], None)
        except _Invalid as bad_notify:
            file_problem(bad_notify.field, bad_notify.message + "; nobody is notified until it is fixed")

    shared, custom_problems = shared_custom_reports(data.get("custom_reports"))
    for fld, message in custom_problems:
        file_problem(fld, message + "; the entries that load it are refused until it is fixed")

    defaults: dict[str, Any] = {}
    raw_defaults = data.get("defaults")
    if raw_defaults is None:
        pass
    elif not isinstance(raw_defaults, Mapping):
        file_problem(
            "defaults", f"must be a mapping of field: value, got {_type_name(raw_defaults)}; it is ignored"
        )
    else:
        defaultable, allowed = defaultable_keys(), allowed_keys()
        for k, v in raw_defaults.items():
            if k in defaultable:
                defaults[k] = v
            elif k in allowed:
                file_problem(
                    f"defaults.{k}", f"{k} identifies an account and cannot have a default; set it per entry"
                )
            else:
                file_problem(
                    f"defaults.{_key_text(k)}",
                    f"unknown key {_quoted_key(k)}{_did_you_mean(k, defaultable)}; it is ignored; "
                    f"allowed keys: {', '.join(defaultable)}",
                )
        ddups = getattr(raw_defaults, "duplicate_keys", ())
        if ddups:
            file_problem(
                f"defaults.{_key_text(ddups[0])}",
                f"the key {_quoted_key(ddups[0])} appears more than once; keep one",
            )

    accounts: list[Account] = []
    errors: list[RegistryError] = []
    claimed: dict[tuple[str, str], int] = {}
    inline: dict[str, tuple[CustomReport, int]] = {}
    for index, raw in enumerate(accounts_raw):
        try:
            result = _validate_entry(index, raw, defaults, claimed, top_notify, shared, inline)
        except Exception as exc:  # noqa: BLE001 - a validator bug must not take the other entries down
            result = RegistryError(
                index,
                _label(index, raw),
                "",
                f"could not be validated ({type(exc).__name__}: {_trunc(str(exc))})",
            )
        if isinstance(result, Account):
            accounts.append(result)
        else:
            key = _entry_key(raw)
            taken = sum(1 for e in errors if e.key == key or e.key.startswith(f"{key}_"))
            errors.append(replace(result, key=f"{key}_{taken + 1}" if taken else key))

    accounts.sort(key=lambda a: (a.platform, a.account_id))
    if file_error is not None:
        errors.insert(0, file_error)
    return Registry(
        accounts=tuple(accounts), errors=tuple(errors), overview_sheet=overview_sheet, notify=top_notify
    )


def _validate_entry(
    index: int, raw: object, defaults: Mapping[str, Any], claimed: dict[tuple[str, str], int],
    top_notify: Notify | None = None, shared: Mapping[str, CustomReport | str] | None = None,
    inline: dict[str, tuple[CustomReport, int]] | None = None,
) -> Account | RegistryError:
    """One entry (with `defaults:` under it) through the model; its first problem, or its account.

    An entry whose platform and account id are valid claims them even when a later field is at fault, so
    fixing that field never surfaces a new duplicate error elsewhere."""
    label = _label(index, raw)
    dups = getattr(raw, "duplicate_keys", ())
    if dups:
        return RegistryError(index, label, _key_text(dups[0]), "appears more than once in this entry; keep one")
    data = {**defaults, **raw} if isinstance(raw, Mapping) else raw
    own: dict[str, Any] = {}
    if isinstance(data, Mapping):  # the platforms' own keys are checked by their specs, after the model
        own = {k: v for k, v in data.items() if k in option_keys()}
        data = {k: v for k, v in data.items() if k not in own}
    entry: Entry | None = None
    try:
        entry = Entry.model_validate(data, context={"shared": shared or {}})
        problem: tuple[int, str, str] | None = None
    except ValidationError as exc:
        problem = _problem(exc, allowed_keys())
    options: tuple[tuple[str, Any], ...] = ()
    if problem is None and entry is not None:
        options, problem = _options(entry.platform, own)
    if isinstance(data, Mapping) and (problem is None or problem[0] > 200 + _IDENTITY_END):
        identity = (str(data["platform"]), str(data["account_id"]))
        first = claimed.setdefault(identity, index)
        if first != index:
            problem = (200 + _IDENTITY_END, "account_id", f"{identity[0]} account {identity[1]} is already "
                       f"registered by accounts[{first}]; remove or merge one of the two entries")
    if problem is not None:
        _, name, message = problem
        top = name.split(".", 1)[0]
        if isinstance(raw, Mapping) and top not in raw and top in defaults:
            message += " (the value comes from `defaults:`)"
        return RegistryError(index, label, name, message)
    if entry is None:  # unreachable: no problem means a validated entry
        return RegistryError(index, label, "", "could not be validated")
    if entry.custom_reports and inline is not None:
        # one name, one table: an inline definition is the same wherever it is written
        for i, report in enumerate(entry.custom_reports):
            defined = inline.setdefault(report.name, (report, index))
            if defined[0] != report and (shared or {}).get(report.name) is None:
                return RegistryError(index, label, f"custom_reports[{i}]", f"{report.name!r} is defined differently "
                                     f"by accounts[{defined[1]}]; both would load ads_custom.{report.name}: give one "
                                     "of them another name, or share one definition at the top")
    values = {k: v for k in _ACCOUNT_FIELDS if (v := getattr(entry, k)) is not None}
    notify = entry.notify.over(top_notify) if entry.notify is not None else top_notify
    return Account(**values, options=options, notify=notify)


def _options(
    platform: str, written: Mapping[str, Any]
) -> tuple[tuple[tuple[str, Any], ...], tuple[int, str, str] | None]:
    """The platform's own keys through its spec's checks, in the spec's order: the values stored, or the
    first problem (ranked after every common field). A key another platform declares is refused by name."""
    info = PLATFORMS[platform]
    rank = 200 + len(_ENTRY_FIELDS)
    for key in written:
        if written[key] is not None and info.option(key) is None:
            owners = sorted(p.name for p in PLATFORMS.values() if p.option(key) is not None)
            return (), (rank, key, f"applies only to {', '.join(owners)} accounts; remove it from this "
                                   f"{platform} entry")
    values: list[tuple[str, Any]] = []
    for option in info.options:
        value = written.get(option.name)
        if value is None:  # null: not set
            continue
        try:
            values.append((option.name, option.check(value, info)))
        except Invalid as bad:
            return (), (rank, option.name, str(bad))
    return tuple(values), None


# ---------------------------------------------------------------------------------------------- helpers


def _file_error(source: str, message: str) -> Registry:
    return Registry(accounts=(), errors=(RegistryError(-1, source, "", message),), overview_sheet=None)


def _entry_key(raw: object) -> str:
    """`google_ads_1234567890` when the entry names a platform and an account id in safe characters, else
    the first 10 hex digits of a hash of its content: the same entry gets the same key wherever it sits."""
    if isinstance(raw, Mapping):
        platform, account = raw.get("platform"), raw.get("account_id")
        text = f"{platform}_{account}".lower()
        if isinstance(platform, str) and isinstance(account, (str, int)) and not isinstance(account, bool) \
                and re.fullmatch(r"[a-z0-9_]{3,60}", text):
            return text
    try:
        blob = json.dumps(raw, sort_keys=True, default=str)
    except (TypeError, ValueError):
        blob = repr(raw)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def _label(index: int, raw: object) -> str:
    """`accounts[3] (google_ads 1234567890 'Acme')`: built from whatever is there, never raising."""
    base = f"accounts[{index}]"
    try:
        if not isinstance(raw, Mapping):
            return base
        parts = []
        for key in ("platform", "account_id"):
            v = raw.get(key)
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                text = str(v)
                parts.append(text if _SAFE_LABEL_RE.fullmatch(text) else repr(_trunc(text, 30)))
        name = raw.get("name")
        if isinstance(name, str) and name.strip():
            parts.append(repr(_trunc(name.strip(), 40)))
        return f"{base} ({' '.join(parts)})" if parts else base
    except Exception:  # noqa: BLE001 - a label must never be the thing that fails
        return base


def _trunc(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_text(key: object) -> str:
    """A user-written key as a field name: as is when plain, else quoted and escaped (never a raw newline)."""
    text = str(key)
    return text if _SAFE_KEY_RE.fullmatch(text) else repr(_trunc(text, 40))


def _quoted_key(key: object) -> str:
    return repr(_trunc(str(key), 40))


def _did_you_mean(value: object, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
