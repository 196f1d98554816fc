"""Google Ads knowledge, apart from plumbing: the GAQL per table and how a row becomes a tuple.

Rows arrive as raw protobuf messages (`use_proto_plus=False`): decoding is about 7x faster than with
proto-plus wrappers (AIRFLOW3.md), and nothing here needs the wrappers.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from operator import attrgetter
from typing import Any

from ads_sync.errors import RowError
from ads_sync.reports.columns import Column, SqlType
from ads_sync.reports.declaration import GoogleRequest, Report, ids, keyed
from ads_sync.tables import CAMPAIGN_DAILY, Table
from ads_sync.windows import Window

API_VERSION = "v26"
METRIC_FIELDS = (
    "metrics.impressions",
    "metrics.clicks",
    "metrics.cost_micros",
    "metrics.conversions",
    "metrics.conversions_value",
)


@dataclass(frozen=True)
class Query:
    table: Table
    resource: str
    fields: tuple[str, ...]
    dated: bool
    #: the declaration it asks for (None: a query of its own, e.g. the account's totals)
    report: Report | None = None

    def gaql(self, window: Window | None = None) -> str:
        text = f"SELECT {', '.join(self.fields)} FROM {self.resource}"
        if self.dated:
            if window is None:
                raise ValueError(f"{self.table.name} needs a date window")
            # Dates come from a Window (datetime.date), never from user text.
            text += f" WHERE segments.date BETWEEN '{window.start.isoformat()}' AND '{window.end.isoformat()}'"
        return text


#: the metric columns every daily fact has, from the fields of METRIC_FIELDS (cost in currency units from micros)
METRICS = (Column("impressions", "bigint", False, "metrics.impressions"),
           Column("clicks", "bigint", False, "metrics.clicks"),
           Column("cost", "numeric", False, "metrics.cost_micros"),
           Column("conversions", "numeric", False, "metrics.conversions"),
           Column("conversion_value", "numeric", False, "metrics.conversions_value"))
DATE = Column("date", "date", True, "segments.date")
TEXT: SqlType = "text"


def _entity(name: str, resource: str, columns: tuple[Column, ...], *key: str, fields: tuple[str, ...] = ()) -> Report:
    """An entity: upserted, never deleted; its GAQL selects `fields` (default: the columns' sources in order)."""
    request = GoogleRequest(resource, fields or tuple(c.source for c in columns), dated=False)
    return Report(name, name, keyed(columns, *key), request, windowed=False)


def _daily(name: str, resource: str, fields: tuple[str, ...], key_ids: tuple[Column, ...],
           other_ids: tuple[Column, ...] = (), entities: tuple[str, ...] = ()) -> Report:
    """A daily fact: (date, the key's ids) -> (the other ids, the metrics), replaced by window."""
    columns = (DATE, *keyed(key_ids, *(c.name for c in key_ids)), *other_ids, *METRICS)
    return Report(name, name, columns, GoogleRequest(resource, (*fields, *METRIC_FIELDS)), entities=entities)


#: the entities: campaigns and ad groups always, the others only for the reports that need them. Entity
#: reads have no status filter, so removed ads and keywords keep their names beside their history.
ENTITIES: dict[str, Report] = {r.name: r for r in (
    _entity("campaigns", "campaign", (*ids(("id", "campaign.id")), Column("name", TEXT, False, "campaign.name"),
                                      Column("status", TEXT, False, "campaign.status"),
                                      Column("channel", TEXT, False, "campaign.advertising_channel_type")), "id"),
    _entity("ad_groups", "ad_group", (*ids(("id", "ad_group.id"), ("campaign_id", "campaign.id")),
                                      Column("name", TEXT, False, "ad_group.name"),
                                      Column("status", TEXT, False, "ad_group.status")), "id",
            fields=("ad_group.id", "ad_group.name", "ad_group.status", "campaign.id")),
    _entity("ads", "ad_group_ad", (*ids(("id", "ad_group_ad.ad.id"), ("ad_group_id", "ad_group.id"),
                                        ("campaign_id", "campaign.id")),
                                   Column("name", TEXT, False, "ad_group_ad.ad.name"),
                                   Column("status", TEXT, False, "ad_group_ad.status")), "id"),
    # Google's criterion ids are shared by ad groups (same text and match type): the ad group is in the key
    _entity("keywords", "keyword_view", (*ids(("ad_group_id", "ad_group.id"),
                                              ("id", "ad_group_criterion.criterion_id"),
                                              ("campaign_id", "campaign.id")),
                                         Column("text", TEXT, False, "ad_group_criterion.keyword.text"),
                                         Column("match_type", TEXT, False, "ad_group_criterion.keyword.match_type"),
                                         Column("status", TEXT, False, "ad_group_criterion.status")),
            "ad_group_id", "id"),
)}
#: the built-in reports, in load order
REPORTS: dict[str, Report] = {r.name: r for r in (
    _daily("campaign_daily", "campaign", ("campaign.id", "segments.date"), ids(("campaign_id", "campaign.id")),
           entities=("campaigns", "ad_groups")),
    _daily("ad_group_daily", "ad_group", ("campaign.id", "ad_group.id", "segments.date"),
           ids(("ad_group_id", "ad_group.id")), ids(("campaign_id", "campaign.id")),
           entities=("campaigns", "ad_groups")),
    # per ad per day: an ad group's ads sum to its ad group row (every impression serves one of its ads)
    _daily("ad_daily", "ad_group_ad", ("campaign.id", "ad_group.id", "ad_group_ad.ad.id", "segments.date"),
           ids(("ad_id", "ad_group_ad.ad.id")), ids(("ad_group_id", "ad_group.id"), ("campaign_id", "campaign.id")),
           entities=("campaigns", "ad_groups", "ads")),
    # per keyword per day: only keyword-triggered traffic, so at most the ad group's numbers, never more
    _daily("keyword_daily", "keyword_view",
           ("campaign.id", "ad_group.id", "ad_group_criterion.criterion_id", "segments.date"),
           ids(("ad_group_id", "ad_group.id"), ("keyword_id", "ad_group_criterion.criterion_id")),
           ids(("campaign_id", "campaign.id")), entities=("campaigns", "ad_groups", "keywords")),
)}
#: how a row of each daily fact is named in a message (only ever built when a check fails)
_WHAT: dict[str, Callable[[Any], str]] = {
    "campaign_daily": lambda r: f"campaign {r.campaign.id}",
    "ad_group_daily": lambda r: f"ad group {r.ad_group.id}",
    "ad_daily": lambda r: f"ad {r.ad_group_ad.ad.id}",
    "keyword_daily": lambda r: f"keyword {r.ad_group_criterion.criterion_id} of ad group {r.ad_group.id}",
}


def query_of(report: Report) -> Query:
    request = report.request
    assert isinstance(request, GoogleRequest)
    return Query(report.table, request.resource, request.fields, request.dated, report)


ENTITY_QUERIES = (query_of(ENTITIES["campaigns"]), query_of(ENTITIES["ad_groups"]))
#: the entities an opt-in report needs beyond campaigns and ad groups: fetched only for accounts loading it
REPORT_ENTITIES: dict[str, tuple[Query, ...]] = {
    name: tuple(query_of(ENTITIES[e]) for e in r.entities if e not in ("campaigns", "ad_groups"))
    for name, r in REPORTS.items() if set(r.entities) - {"campaigns", "ad_groups"}
}
REPORT_QUERIES = {name: query_of(r) for name, r in REPORTS.items()}


#: the account's own daily totals (reconciliation): FROM customer counts every campaign, removed ones too.
#: No report query filters on status either: REMOVED campaigns and ad groups keep their metrics.
ACCOUNT_TOTALS = Query(CAMPAIGN_DAILY, "customer", ("segments.date", *METRIC_FIELDS), dated=True)


def account_totals_gaql(window: Window) -> str:
    return ACCOUNT_TOTALS.gaql(window)


def account_totals(rows: Iterable[Any]) -> Iterator[tuple[date, int, int, Decimal, Decimal, Decimal]]:
    """(date, impressions, clicks, cost, conversions, conversion value) per day, exact: cost from micros,
    conversions as the 6-decimal text the report rows are loaded with."""
    for r in rows:
        m = r.metrics
        yield (date.fromisoformat(r.segments.date), m.impressions, m.clicks, Decimal(micros_to_decimal(m.cost_micros)),
               Decimal(_number(m.conversions)), Decimal(_number(m.conversions_value)))


def entity_queries(reports: Iterable[str]) -> list[Query]:
    """Campaigns and ad groups always, the other entities only for the reports that need them."""
    return [*ENTITY_QUERIES, *(q for r in reports for q in REPORT_ENTITIES.get(r, ()))]


def queries(reports: Iterable[str]) -> list[Query]:
    """Entities first (reports refer to them), then the account's reports."""
    chosen = list(reports)
    return [*entity_queries(chosen), *(REPORT_QUERIES[r] for r in chosen)]


def micros_to_decimal(micros: int) -> str:
    """Currency units from micros, exactly (no float): the one place micros are divided."""
    sign = "-" if micros < 0 else ""
    units, rest = divmod(abs(micros), 1_000_000)
    return f"{sign}{units}.{rest:06d}"


def _number(value: float) -> str:
    return format(value, ".6f")


@cache
def _enum_names(descriptor: Any, field: str) -> dict[int, str]:
    enum = descriptor.fields_by_name[field].enum_type
    return {v.number: v.name for v in enum.values}


def _enum(message: Any, field: str) -> str:
    value = getattr(message, field)
    names: dict[int, str] = _enum_names(message.DESCRIPTOR, field)
    # A value newer than our client library's enum: keep the row, name the number (documented repair).
    return names.get(value, f"UNRECOGNIZED_{value}")


def _metrics(row: Any, where: str) -> tuple[int, int, str, str, str]:
    m = row.metrics
    if m.cost_micros < 0 or m.impressions < 0 or m.clicks < 0 or m.conversions < 0:
        raise RowError(f"{where}: negative metric (cost_micros={m.cost_micros}, impressions={m.impressions})")
    return (
        m.impressions,
        m.clicks,
        micros_to_decimal(m.cost_micros),
        _number(m.conversions),
        _number(m.conversions_value),
    )


def _daily_mapper(
    window: Window | None, entity: Callable[[Any], tuple[Any, ...]], what: Callable[[Any], str]
) -> Callable[[Any], tuple[object, ...]]:
    """A report row's mapper: (date, *entity ids, metrics). The per-row work is kept to attribute reads
    and two string formats (a million rows a year for a large account); checks that fail build their
    message only then."""
    start = window.start.isoformat() if window else ""
    end = window.end.isoformat() if window else ""

    def mapper(r: Any) -> tuple[object, ...]:
        day = r.segments.date
        m = r.metrics
        cost = m.cost_micros
        if not start <= day <= end:
            raise RowError(f"{what(r)} on {day}: segments.date {day!r} is outside the window {start}..{end}")
        if cost < 0 or m.impressions < 0 or m.clicks < 0 or m.conversions < 0:
            _metrics(r, f"{what(r)} on {day}")
        units, rest = divmod(cost, 1_000_000)
        return (
            day, *entity(r), m.impressions, m.clicks, f"{units}.{rest:06d}",
            f"{m.conversions:.6f}", f"{m.conversions_value:.6f}",
        )

    return mapper


_PATH = re.compile(r"[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*")


def _ids(report: Report) -> Callable[[Any], tuple[str, ...]]:
    """The id columns of a daily fact (after the date, before the metrics), kept as text, in the declaration's
    column order. Generated once per query as the plain attribute reads a hand-written mapper would do (the
    row mapping is the extract's hot path: bench/decode.py); the paths are our declarations' own fields."""
    paths = [c.source for c in report.columns[1:] if c.sql_type == "text"]
    if not all(_PATH.fullmatch(p) for p in paths):
        raise ValueError(f"{report.name}: not field paths: {paths}")
    source = "lambda r: (" + "".join(f"str(r.{p}), " for p in paths) + ")"
    ids: Callable[[Any], tuple[str, ...]] = eval(compile(source, f"<{report.name} ids>", "eval"), {})  # noqa: S307
    return ids


@cache
def _descriptor(path: str) -> Any:
    """The GoogleAdsRow field descriptor of a GAQL field (the client library's own message types)."""
    from google.ads.googleads.v26.services.types import google_ads_service

    message, field = google_ads_service.GoogleAdsRow.pb().DESCRIPTOR, None
    for part in path.split("."):
        field = message.fields_by_name[part]
        message = field.message_type
    return field


def _entity_mapper(report: Report) -> Callable[[Any], tuple[object, ...]]:
    """An entity row from its declared columns: enums by name, ids as text, names as they are."""
    readers = [_reader(c.source) for c in report.columns]
    return lambda r: tuple(read(r) for read in readers)


def _reader(path: str) -> Callable[[Any], object]:
    """One entity field: an enum by its name, a string as it is, a number (an id) as text."""
    *parents, leaf = path.split(".")
    owner = attrgetter(".".join(parents))
    field = _descriptor(path)
    if field.enum_type is not None:
        return lambda r: _enum(owner(r), leaf)
    if field.type == field.TYPE_STRING:
        return lambda r: getattr(owner(r), leaf)
    return lambda r: str(getattr(owner(r), leaf))


def row_mapper(query: Query, window: Window | None) -> Callable[[Any], tuple[object, ...]]:
    """The function that turns one GoogleAdsRow (raw protobuf) into a staging tuple for query.table, built
    once per query from its declaration."""
    report = query.report
    if report is None:
        raise KeyError(query.table.name)
    if not report.windowed:
        return _entity_mapper(report)
    return _daily_mapper(window, _ids(report), _WHAT[report.name])


def map_rows(query: Query, window: Window | None, rows: Iterable[Any]) -> Iterator[tuple[object, ...]]:
    mapper = row_mapper(query, window)
    for row in rows:
        yield mapper(row)
