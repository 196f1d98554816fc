"""Google Ads field metadata (GoogleAdsFieldService): the query that asks for it and what an answer means.

Custom GAQL reports are validated against the API's own catalogue before any report request: which fields
exist, whether they are attributes, segments or metrics, their data types and enum values. Pure: the
hook sends `field_query(...)` and maps each GoogleAdsField with `field_info`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: what is asked of each field (the real service returns only the selected attributes)
ATTRIBUTES = ("name", "category", "data_type", "selectable", "is_repeated", "enum_values")
#: GAQL field names as the API spells them; anything else is refused before it reaches a query's text
_NAME = re.compile(r"[a-z0-9_.]+")


@dataclass(frozen=True)
class FieldInfo:
    """One field as GoogleAdsFieldService describes it."""

    name: str
    #: RESOURCE, ATTRIBUTE, SEGMENT or METRIC
    category: str
    #: INT64, DOUBLE, STRING, ENUM, DATE, BOOLEAN, RESOURCE_NAME, MESSAGE, ...
    data_type: str
    selectable: bool
    is_repeated: bool
    #: the enum's value names (UNSPECIFIED and UNKNOWN included, as the API lists them); () for non-enums
    enum_values: tuple[str, ...] = ()


def checked_names(names: Iterable[str]) -> list[str]:
    """The names, deduplicated in order; ValueError for one that is not a GAQL field name, so a name can
    never change the query it is quoted into."""
    out: list[str] = []
    for name in names:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValueError(f"not a Google Ads field name: {name!r} (only a-z, 0-9, '_' and '.')")
        if name not in out:
            out.append(name)
    return out


def field_query(names: Sequence[str]) -> str:
    """One GoogleAdsFieldService query for every name (GAQL without FROM)."""
    wanted = checked_names(names)
    if not wanted:
        raise ValueError("no field names to ask about")
    quoted = ", ".join(f"'{n}'" for n in wanted)
    return f"SELECT {', '.join(ATTRIBUTES)} WHERE name IN ({quoted})"


def _enum_name(message: Any, field: str) -> str:
    descriptor = message.DESCRIPTOR.fields_by_name[field].enum_type
    value = getattr(message, field)
    found = descriptor.values_by_number.get(value)
    return found.name if found is not None else str(value)


def field_info(message: Any) -> FieldInfo:
    """A GoogleAdsField (raw protobuf, or proto-plus) as a FieldInfo."""
    raw = message._pb if hasattr(message, "_pb") else message
    return FieldInfo(
        name=raw.name, category=_enum_name(raw, "category"), data_type=_enum_name(raw, "data_type"),
        selectable=bool(raw.selectable), is_repeated=bool(raw.is_repeated), enum_values=tuple(raw.enum_values),
    )
