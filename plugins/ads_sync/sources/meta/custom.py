"""Meta custom reports: a level, insights fields, breakdowns and action types, as a table, a request and rows.

A registry entry names what it wants (`level: adset`, `fields: [impressions, spend]`, `breakdowns: [age]`,
`action_types: [purchase]`); this module says whether Meta can answer it (`problems`, each message naming
the field and a did-you-mean), what the table looks like (`columns`), how it is asked for (`params`, the
same attribution settings as the built-in ad rows, so a custom report counts conversions as they do) and how
an answer becomes rows (`rows`). Pure, like `reports.py`, whose number rules it reuses.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import msgspec

from ads_sync.errors import RowError
from ads_sync.reports.columns import Column, SqlType
from ads_sync.sources.meta import reports as meta
from ads_sync.sources.meta.decode import Page
from ads_sync.windows import Window

LEVELS = ("ad", "adset", "campaign", "account")
#: the breakdowns a custom report may ask for
BREAKDOWNS = ("age", "gender", "device_platform", "publisher_platform")
#: breakdowns Meta accepts together (any single one is accepted alone)
COMBINATIONS = (frozenset({"age", "gender"}), frozenset({"device_platform", "publisher_platform"}))
#: the insights fields a custom report may ask for, with their warehouse types: counts bigint, money and rates
#: numeric (exact), names text. Actions are asked for by type (`action_types`), not as fields.
FIELD_TYPES: dict[str, SqlType] = {
    "impressions": "bigint",
    "clicks": "bigint",
    "reach": "bigint",
    "inline_link_clicks": "bigint",
    "spend": "numeric",
    "cpc": "numeric",
    "cpm": "numeric",
    "ctr": "numeric",
    "frequency": "numeric",
    "campaign_id": "text",
    "adset_id": "text",
    "campaign_name": "text",
    "adset_name": "text",
    "ad_name": "text",
}
#: the id each level's rows are keyed by (none for the account: one row per day and breakdown)
LEVEL_IDS: dict[str, str | None] = {"ad": "ad_id", "adset": "adset_id", "campaign": "campaign_id", "account": None}
#: fields that name or identify an object, and the levels whose rows carry them
_OBJECT_FIELDS = {
    "campaign_id": ("ad", "adset"), "adset_id": ("ad",),
    "campaign_name": ("ad", "adset", "campaign"), "adset_name": ("ad", "adset"), "ad_name": ("ad",),
}
_ACTION_TYPE = re.compile(r"[a-z0-9_.]+")
#: PostgreSQL's identifier limit
_MAX_NAME = 63


def _guess(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"choose from {', '.join(choices)}"


def _twice(values: Sequence[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


def action_column(prefix: str, action_type: str) -> str:
    """`actions_<type>` / `action_values_<type>`, dots as underscores (offsite_conversion.fb_pixel_purchase)."""
    return f"{prefix}_{action_type.replace('.', '_')}"


def problems(level: str, fields: Sequence[str], breakdowns: Sequence[str], action_types: Sequence[str]
             ) -> list[str]:
    """Everything wrong with a definition, one message per problem, each naming the value; [] when valid."""
    out: list[str] = []
    if level not in LEVELS:
        out.append(f"level: {level!r} is not an insights level; {_guess(level, LEVELS)}")
    key = LEVEL_IDS.get(level)
    for name in fields:
        if name == key:
            out.append(f"fields: {name!r} is the key of level {level}; every row has it, leave it out")
        elif name in ("actions", "action_values"):
            out.append(f"fields: {name!r} is asked for by type; name the types under action_types instead")
        elif name not in FIELD_TYPES:
            out.append(f"fields: {name!r} is not an insights field; {_guess(name, FIELD_TYPES)}")
        elif name in _OBJECT_FIELDS and level in LEVELS and level not in _OBJECT_FIELDS[name]:
            out.append(f"fields: {name!r} is not in level {level}'s rows; it is in level "
                       f"{' or '.join(_OBJECT_FIELDS[name])}'s")
    out += [f"fields: {name!r} is listed twice" for name in _twice(list(fields))]
    for name in breakdowns:
        if name not in BREAKDOWNS:
            out.append(f"breakdowns: {name!r} is not a breakdown custom reports take; {_guess(name, BREAKDOWNS)}")
    out += [f"breakdowns: {name!r} is listed twice" for name in _twice(list(breakdowns))]
    chosen = frozenset(breakdowns)
    if len(chosen) > 1 and chosen <= set(BREAKDOWNS) and chosen not in COMBINATIONS:
        out.append(f"breakdowns: Meta does not combine {' and '.join(sorted(chosen))}; it combines age with gender, "
                   "or device_platform with publisher_platform")
    columns: dict[str, str] = {}
    for action_type in action_types:
        if not isinstance(action_type, str) or not _ACTION_TYPE.fullmatch(action_type):
            out.append(f"action_types: {action_type!r} is not an action type (lowercase letters, digits, '_' and "
                       "'.', e.g. purchase or offsite_conversion.fb_pixel_purchase)")
            continue
        name = action_column("action_values", action_type)
        if len(name) > _MAX_NAME:
            out.append(f"action_types: {action_type!r} makes the column {name!r}, longer than {_MAX_NAME} characters")
        other = columns.setdefault(action_column("actions", action_type), action_type)
        if other != action_type:
            out.append(f"action_types: {action_type!r} and {other!r} would share the column "
                       f"{action_column('actions', action_type)!r}")
    out += [f"action_types: {name!r} is listed twice" for name in _twice(list(action_types))]
    if not fields and not action_types:
        out.append("fields: name at least one insights field or action type")
    return out


def _checked(level: str, fields: Sequence[str], breakdowns: Sequence[str], action_types: Sequence[str]) -> None:
    found = problems(level, fields, breakdowns, action_types)
    if found:
        raise ValueError("; ".join(found))


def columns(level: str, fields: Sequence[str], breakdowns: Sequence[str], action_types: Sequence[str]
            ) -> list[Column]:
    """The table: key = date, the level's id, the breakdowns; values = the fields, then per action type its
    count and its value (both numeric: Meta reports fractional conversions). ValueError on `problems`."""
    _checked(level, fields, breakdowns, action_types)
    key = [Column("date", "date", True, "date_start")]
    level_id = LEVEL_IDS[level]
    if level_id is not None:
        key.append(Column(level_id, "text", True, level_id))
    key += [Column(b, "text", True, b) for b in breakdowns]
    values = [Column(f, FIELD_TYPES[f], False, f) for f in fields]
    for action_type in action_types:
        values.append(Column(action_column("actions", action_type), "numeric", False, f"actions:{action_type}"))
        values.append(Column(action_column("action_values", action_type), "numeric", False,
                             f"action_values:{action_type}"))
    return key + values


def params(window: Window | tuple[date, date], level: str, fields: Sequence[str], breakdowns: Sequence[str],
           action_types: Sequence[str]) -> dict[str, Any]:
    """The insights request: the built-in ad rows' (`reports.insights_params`: one row per day, the same
    attribution windows and report time, every delivered ad status) at this level with these fields and
    breakdowns; level=account reads every ad, like the account totals (`reports.account_totals_params`)."""
    _checked(level, fields, breakdowns, action_types)
    asked = ["date_start", "date_stop"]
    level_id = LEVEL_IDS[level]
    if level_id is not None:
        asked.append(level_id)
    asked += list(fields)
    if action_types:
        asked += ["actions", "action_values"]
    out = meta.insights_params(window)
    if level == "account":
        del out["filtering"]
    out.update(level=level, fields=",".join(asked))
    if breakdowns:
        out["breakdowns"] = list(breakdowns)
    return out


def _objects(pages: Iterable[Any]) -> Iterator[Mapping[str, Any]]:
    """Graph objects from decoded pages (`decode.Page`s) or from the objects of pages (dicts, as
    `MetaAdsHook.insights` yields them, or msgspec structs)."""
    for item in pages:
        if isinstance(item, Page):
            yield from _objects(item.data)
        elif isinstance(item, Mapping):
            yield item
        elif isinstance(item, msgspec.Struct):
            yield msgspec.to_builtins(item)
        else:
            raise RowError(f"an insights object is a {type(item).__name__}, expected a JSON object")


def _value(obj: Mapping[str, Any], column: Column, where: str) -> object:
    source = column.source
    if ":" in source:  # actions:<type> / action_values:<type>
        kind, action_type = source.split(":", 1)
        return meta._text(meta.action_total(obj.get(kind), (action_type,), where))
    raw = obj.get(source)
    if raw in (None, ""):
        if column.key:
            raise RowError(f"{where}: the key {source!r} is missing")
        return None  # not reported (a rate over zero clicks): a gap, never a zero
    if column.sql_type == "bigint":
        return meta._int(raw, f"{where} {source}")
    if column.sql_type == "numeric":
        return meta._text(meta._decimal(raw, f"{where} {source}"))
    return str(raw)


def rows(pages: Iterable[Any], columns: Sequence[Column], window: Window | tuple[date, date]
         ) -> Iterator[tuple[object, ...]]:
    """Insights objects as tuples in `columns` order: counts int, money and rates exact 6-decimal text (never
    a float), actions summed over the attribution windows asked for (`reports.action_total`). RowError for a
    row that is not one day, or whose day is outside the window."""
    start, end = (window.start, window.end) if isinstance(window, Window) else window
    first, last = start.isoformat(), end.isoformat()
    level_ids = [c.source for c in columns if c.key and c.source.endswith("_id")]
    for obj in _objects(pages):
        day = obj.get("date_start")
        where = f"{' '.join(f'{k} {obj.get(k)}' for k in level_ids) or 'account'} on {day}"
        if not isinstance(day, str) or obj.get("date_stop") != day:
            raise RowError(f"{where}: expected one day per row (time_increment=1), got {day}..{obj.get('date_stop')}")
        if not first <= day <= last:
            raise RowError(f"{where}: date is outside the window {first}..{last}")
        yield tuple(day if c.source == "date_start" else _value(obj, c, where) for c in columns)
