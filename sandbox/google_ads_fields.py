"""GoogleAdsFieldService.SearchGoogleAdsFields over the fields the sandbox serves.

The catalogue is derived from google_ads_query's FieldSpec table and its FROM resources, with the metadata the
real service reports for each field (category, data type, enum values, type_url, selectability), taken from
the installed google-ads protos. So a client validating a custom GAQL query against this service accepts
exactly what the sandbox's SearchStream can answer, and a field the sandbox does not serve is unknown here.
Queries are GAQL without FROM (`SELECT name, data_type WHERE name IN ('campaign.id')`); the answer carries
only the selected fields (and resource_name), paged by page_size / page_token like the real service.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from google.ads.googleads.v26.enums.types.google_ads_field_category import GoogleAdsFieldCategoryEnum
from google.ads.googleads.v26.enums.types.google_ads_field_data_type import GoogleAdsFieldDataTypeEnum
from google.ads.googleads.v26.resources.types.google_ads_field import GoogleAdsField
from google.ads.googleads.v26.services.types import google_ads_field_service
from google.protobuf.descriptor import FieldDescriptor

from . import data
from .gaql import GaqlError, parse_field_query
from .google_ads_query import _ROW, FIELDS, RESOURCES, Entity, predicate

_Field = GoogleAdsField.pb()
Request = google_ads_field_service.SearchGoogleAdsFieldsRequest.pb()
Response = google_ads_field_service.SearchGoogleAdsFieldsResponse.pb()
_CATEGORY = GoogleAdsFieldCategoryEnum.GoogleAdsFieldCategory
_DATA_TYPE = GoogleAdsFieldDataTypeEnum.GoogleAdsFieldDataType
#: the real service's page size when a request names none
DEFAULT_PAGE_SIZE = 10_000
#: dates travel as strings in the protos; the field service calls them DATE
_DATE_FIELDS = frozenset({"segments.date"})
_SCALAR_TYPES = {
    FieldDescriptor.TYPE_INT64: "INT64",
    FieldDescriptor.TYPE_INT32: "INT32",
    FieldDescriptor.TYPE_DOUBLE: "DOUBLE",
    FieldDescriptor.TYPE_STRING: "STRING",
    FieldDescriptor.TYPE_BOOL: "BOOLEAN",
    FieldDescriptor.TYPE_ENUM: "ENUM",
}
#: what a query may select or filter on, and each one's Python type for conditions
_SELECTABLE: dict[str, type] = {
    "resource_name": str, "name": str, "category": str, "data_type": str, "selectable": bool, "filterable": bool,
    "sortable": bool, "selectable_with": str, "attribute_resources": str, "metrics": str, "segments": str,
    "enum_values": str, "type_url": str, "is_repeated": bool,
}
_ENUMS = {"category": frozenset(_CATEGORY.__members__), "data_type": frozenset(_DATA_TYPE.__members__)}


def _leaf(name: str) -> FieldDescriptor:
    scope, *path = name.split(".")
    message = _ROW.fields_by_name[scope].message_type
    for part in path[:-1]:
        message = message.fields_by_name[part].message_type
    return message.fields_by_name.get(path[-1]) or message.fields_by_name[path[-1] + "_"]


@cache
def _sample() -> Entity:
    """One entity of each kind, to see which attributes hold a resource name (RESOURCE_NAME, not STRING)."""
    cid = "1234567890"
    campaign, group = data.campaigns(cid)[0], data.ad_groups(cid)[0]
    ad = data.Ad(group.id * 10, group.id, campaign.id, "ad", "ENABLED")
    keyword = data.Keyword(100_001, group.id, campaign.id, "keyword", "EXACT", "ENABLED")
    return Entity(data.account(cid), campaign, group, ad, keyword)


def _attribute(name: str) -> dict[str, Any]:
    spec = FIELDS[name]
    leaf = _leaf(name)
    if name in _DATE_FIELDS:
        data_type = "DATE"
    elif spec.scope not in ("segments", "metrics") and str(spec.get(_sample())).startswith("customers/"):
        data_type = "RESOURCE_NAME"
    else:
        data_type = _SCALAR_TYPES[leaf.type]
    category = {"segments": "SEGMENT", "metrics": "METRIC"}.get(spec.scope, "ATTRIBUTE")
    enum = leaf.enum_type
    selectable_with = sorted(RESOURCES) if category != "ATTRIBUTE" else sorted(
        r for r, scopes in RESOURCES.items() if spec.scope in scopes)
    return {
        "name": name, "category": category, "data_type": data_type, "selectable": True, "filterable": True,
        "sortable": data_type != "RESOURCE_NAME", "selectable_with": selectable_with,
        "enum_values": [v.name for v in enum.values] if enum is not None else [],
        "type_url": enum.full_name if enum is not None else "", "is_repeated": False,
    }


def _resource(name: str) -> dict[str, Any]:
    """A FROM resource (or one attributed to rows, like ad_group_criterion): not selectable itself."""
    fromable = name in RESOURCES
    return {
        "name": name, "category": "RESOURCE", "data_type": "MESSAGE", "selectable": False, "filterable": False,
        "sortable": False,
        "attribute_resources": list(RESOURCES[name][1:]) if fromable else [],
        "metrics": sorted(n for n, s in FIELDS.items() if s.scope == "metrics") if fromable else [],
        "segments": sorted(n for n, s in FIELDS.items() if s.scope == "segments") if fromable else [],
        "type_url": _ROW.fields_by_name[name].message_type.full_name, "is_repeated": False,
    }


@cache
def catalogue() -> dict[str, dict[str, Any]]:
    """Every field and resource the sandbox serves, by name, as GoogleAdsField attribute dicts."""
    entries = {name: _attribute(name) for name in FIELDS}
    for scope in sorted({s.scope for s in FIELDS.values()} - {"segments", "metrics"}):
        entries[scope] = _resource(scope)
    for entry in entries.values():
        entry["resource_name"] = f"googleAdsFields/{entry['name']}"
    return dict(sorted(entries.items()))


def _check(name: str) -> None:
    if name not in _SELECTABLE:
        raise GaqlError("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'.")


def _matches(query_text: str) -> tuple[list[dict[str, Any]], tuple[str, ...], int | None]:
    query = parse_field_query(query_text)
    for name in query.fields:
        _check(name)
    tests: list[tuple[str, Callable[[Any], bool]]] = []
    for cond in query.conditions:
        _check(cond.field)
        tests.append((cond.field, predicate(cond, cond.field, _SELECTABLE[cond.field],
                                            _ENUMS.get(cond.field, frozenset()))))

    def keep(entry: dict[str, Any]) -> bool:
        for field, test in tests:
            value = entry.get(field, [] if field in ("selectable_with", "enum_values") else None)
            if isinstance(value, list):  # a repeated field matches when any of its values does
                if not any(test(v) for v in value):
                    return False
            elif not test(value):
                return False
        return True

    found = [e for e in catalogue().values() if keep(e)]
    for field, descending in reversed(query.order_by):
        _check(field)
        found.sort(key=lambda e: (e.get(field) is None, e.get(field)), reverse=descending)
    return found, query.fields, query.limit


def _message(entry: dict[str, Any], fields: tuple[str, ...]) -> Any:
    message = _Field(resource_name=entry["resource_name"])
    for name in fields:
        value = entry.get(name)
        if value is None or name == "resource_name":
            continue
        if name == "category":
            message.category = int(_CATEGORY.__members__[value])
        elif name == "data_type":
            message.data_type = int(_DATA_TYPE.__members__[value])
        elif isinstance(value, list):
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)
    return message


def search(query_text: str, page_size: int = 0, page_token: str = "") -> bytes:
    """One encoded SearchGoogleAdsFieldsResponse: a page of the fields matching a query (total_results_count
    ignores LIMIT, as documented); raises GaqlError like the real service."""
    found, fields, limit = _matches(query_text)
    total = len(found)
    if limit is not None:
        found = found[:limit]
    size = page_size or DEFAULT_PAGE_SIZE
    try:
        start = int(page_token) if page_token else 0
    except ValueError:
        raise GaqlError("BAD_VALUE", f"Invalid page token '{page_token}'.") from None
    page = found[start:start + size]
    more = start + size < len(found)
    answer = Response(results=[_message(e, fields) for e in page], total_results_count=total)
    if more:
        answer.next_page_token = str(start + size)
    return answer.SerializeToString()  # type: ignore[no-any-return]
