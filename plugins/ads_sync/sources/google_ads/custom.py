"""A Google Ads custom report at run time: its columns typed from the API's field metadata
(GoogleAdsFieldService, asked once before any report request), and its rows mapped by a function built
once per query.

Types: money (`*_micros`) is numeric in currency units, exact from the micros (never a float); other
INT64 is bigint, DOUBLE numeric, ENUM text (the value's name), DATE date, STRING text, BOOLEAN boolean.
The key is the date and every attribute and segment; the metrics are the values.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any, Protocol

from ads_sync.errors import InvalidRequest, RowError
from ads_sync.reports import custom, gaql
from ads_sync.reports.columns import Column, SqlType
from ads_sync.windows import Window

#: GoogleAdsField data types -> column types (RESOURCE_NAME is the resource's path, text)
DATA_TYPES: dict[str, SqlType] = {
    "INT64": "bigint", "INT32": "bigint", "UINT64": "bigint", "DOUBLE": "numeric", "FLOAT": "numeric",
    "ENUM": "text", "STRING": "text", "RESOURCE_NAME": "text", "DATE": "date", "BOOLEAN": "boolean",
}


class FieldInfo(Protocol):
    """What `GoogleAdsApiHook.field_metadata` returns per field (sources/google_ads/fields.py)."""

    name: str
    category: str
    data_type: str
    selectable: bool
    is_repeated: bool


def is_micros(field: str, data_type: str) -> bool:
    return field.endswith("_micros") and data_type == "INT64"


def columns(report: str, query: gaql.Query, info: Mapping[str, FieldInfo]) -> list[Column]:
    """The report's typed columns in table order; InvalidRequest naming every field the API does not
    know, cannot select, or serves in a shape a table cannot hold (nothing is requested then)."""
    problems: list[str] = []
    out: list[Column] = []
    for column, field, key in custom.google_columns(query):
        meta = info.get(field)
        if meta is None:
            problems.append(f"{field} is not a Google Ads field (GoogleAdsFieldService does not know it)")
            continue
        if not meta.selectable:
            problems.append(f"{field} is not selectable")
            continue
        if meta.is_repeated:
            problems.append(f"{field} is a repeated field, which a table column cannot hold; leave it out")
            continue
        if meta.category == "RESOURCE":
            problems.append(f"{field} is a resource, not a field; select its fields (e.g. {field}.id)")
            continue
        if (meta.category == "METRIC") == key:
            problems.append(f"{field} is a {meta.category.lower()} by the API's metadata, not by its name")
            continue
        sql_type: SqlType | None = "numeric" if is_micros(field, meta.data_type) else DATA_TYPES.get(meta.data_type)
        if sql_type is None:
            problems.append(f"{field} has the data type {meta.data_type}, which a column cannot hold; leave it out")
            continue
        out.append(Column(column, sql_type, key, field))
    if problems:
        raise InvalidRequest(f"custom report {report!r}: " + "; ".join(problems) +
                             "; fix its query in the registry (nothing was requested)")
    return out


def _micros(value: int) -> str:
    units, rest = divmod(abs(value), 1_000_000)
    return f"{'-' if value < 0 else ''}{units}.{rest:06d}"


def _resolve(path: str) -> tuple[str, Any]:
    """(the attribute path as the raw message spells it, the field's descriptor) of a GoogleAdsRow field."""
    from google.ads.googleads.v26.services.types import google_ads_service

    message = google_ads_service.GoogleAdsRow.pb().DESCRIPTOR
    parts: list[str] = []
    field: Any = None
    for part in path.split("."):
        field = message.fields_by_name.get(part) if message is not None else None
        field = field or (message.fields_by_name.get(part + "_") if message is not None else None)
        if field is None:
            raise InvalidRequest(f"{path} is not a field of this client library's GoogleAdsRow; upgrade ads-sync "
                                 "or leave the field out")
        parts.append(field.name)
        message = field.message_type
    return ".".join(parts), field


def row_mapper(columns: Sequence[Column], info: Mapping[str, FieldInfo], window: Window,
               what: str) -> Callable[[Any], list[object]]:
    """One GoogleAdsRow (raw protobuf) -> a staging row in column order. Built once per query: one C-level
    attrgetter reads every field, then only the columns that need it are converted (money, enum names)."""
    paths: list[str] = []
    convert: list[tuple[int, Callable[[Any], object]]] = []
    for i, column in enumerate(columns):
        path, descriptor = _resolve(column.source)
        data_type = info[column.source].data_type
        if is_micros(column.source, data_type):
            convert.append((i, _micros))
        elif data_type == "ENUM" and descriptor.enum_type is not None:
            names = {v.number: v.name for v in descriptor.enum_type.values}

            def name_of(value: int, names: dict[int, str] = names) -> str:
                # a value newer than our client library's enum: keep the row, name the number
                return names.get(value) or f"UNRECOGNIZED_{value}"

            convert.append((i, name_of))
        paths.append(path)
    get = attrgetter(*paths)
    start, end = window.start.isoformat(), window.end.isoformat()
    date_at = [c.name for c in columns].index("date")

    def mapper(row: Any) -> list[object]:
        values = list(get(row))
        for i, fn in convert:
            values[i] = fn(values[i])
        day = values[date_at]
        if not start <= day <= end:  # type: ignore[operator]
            raise RowError(f"custom report {what} on {day}: segments.date is outside the window {start}..{end}")
        return values

    return mapper


def map_rows(rows: Iterable[Any], columns: Sequence[Column], info: Mapping[str, FieldInfo], window: Window,
             what: str) -> Iterator[list[object]]:
    mapper = row_mapper(columns, info, window, what)
    for row in rows:
        yield mapper(row)
