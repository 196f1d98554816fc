"""Google Ads knowledge, apart from plumbing: the GAQL per table and how a row becomes a tuple.

Rows arrive as raw protobuf messages (`use_proto_plus=False`): decoding is about 7x faster than with
proto-plus wrappers (AIRFLOW3.md), and nothing here needs the wrappers.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from ads_sync.errors import RowError
from ads_sync.tables import (
    AD_DAILY_NO_REACH,
    AD_GROUP_DAILY,
    AD_GROUPS,
    ADS,
    CAMPAIGN_DAILY,
    CAMPAIGNS,
    KEYWORD_DAILY,
    KEYWORDS,
    Table,
)
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

    def gaql(self, window: Window | None = None) -> str:
        text = f"SELECT {', '.join(self.fields)} FROM {self.resource}"
        if self.dated:
            if window is None:
                raise ValueError(f"{self.table.name} needs a date window")
            # Dates come from a Window (datetime.date), never from user text.
            text += f" WHERE segments.date BETWEEN '{window.start.isoformat()}' AND '{window.end.isoformat()}'"
        return text


ENTITY_QUERIES = (
    Query(
        CAMPAIGNS,
        "campaign",
        ("campaign.id", "campaign.name", "campaign.status", "campaign.advertising_channel_type"),
        dated=False,
    ),
    Query(
        AD_GROUPS,
        "ad_group",
        ("ad_group.id", "ad_group.name", "ad_group.status", "campaign.id"),
        dated=False,
    ),
)
#: the entities an opt-in report needs beyond campaigns and ad groups: fetched only for accounts loading it.
#: Entity reads have no status filter, so removed ads and keywords keep their names beside their history.
REPORT_ENTITIES: dict[str, tuple[Query, ...]] = {
    "ad_daily": (
        Query(ADS, "ad_group_ad", ("ad_group_ad.ad.id", "ad_group.id", "campaign.id", "ad_group_ad.ad.name",
                                   "ad_group_ad.status"), dated=False),
    ),
    "keyword_daily": (
        Query(KEYWORDS, "keyword_view", ("ad_group.id", "ad_group_criterion.criterion_id", "campaign.id",
                                         "ad_group_criterion.keyword.text", "ad_group_criterion.keyword.match_type",
                                         "ad_group_criterion.status"), dated=False),
    ),
}
REPORT_QUERIES = {
    "campaign_daily": Query(
        CAMPAIGN_DAILY, "campaign", ("campaign.id", "segments.date", *METRIC_FIELDS), dated=True
    ),
    "ad_group_daily": Query(
        AD_GROUP_DAILY,
        "ad_group",
        ("campaign.id", "ad_group.id", "segments.date", *METRIC_FIELDS),
        dated=True,
    ),
    # per ad per day: an ad group's ads sum to its ad group row (every impression serves one of its ads)
    "ad_daily": Query(
        AD_DAILY_NO_REACH,
        "ad_group_ad",
        ("campaign.id", "ad_group.id", "ad_group_ad.ad.id", "segments.date", *METRIC_FIELDS),
        dated=True,
    ),
    # per keyword per day: only keyword-triggered traffic, so at most the ad group's numbers, never more
    "keyword_daily": Query(
        KEYWORD_DAILY,
        "keyword_view",
        ("campaign.id", "ad_group.id", "ad_group_criterion.criterion_id", "segments.date", *METRIC_FIELDS),
        dated=True,
    ),
}


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


def row_mapper(query: Query, window: Window | None) -> Callable[[Any], tuple[object, ...]]:
    """The function that turns one GoogleAdsRow (raw protobuf) into a staging tuple for query.table."""
    name = query.table.name
    if name == "campaigns":
        return lambda r: (
            str(r.campaign.id), r.campaign.name, _enum(r.campaign, "status"),
            _enum(r.campaign, "advertising_channel_type"),
        )
    if name == "ad_groups":
        return lambda r: (str(r.ad_group.id), str(r.campaign.id), r.ad_group.name, _enum(r.ad_group, "status"))
    if name == "ads":
        return lambda r: (
            str(r.ad_group_ad.ad.id), str(r.ad_group.id), str(r.campaign.id), r.ad_group_ad.ad.name,
            _enum(r.ad_group_ad, "status"),
        )
    if name == "keywords":
        return lambda r: (
            str(r.ad_group.id), str(r.ad_group_criterion.criterion_id), str(r.campaign.id),
            r.ad_group_criterion.keyword.text, _enum(r.ad_group_criterion.keyword, "match_type"),
            _enum(r.ad_group_criterion, "status"),
        )
    if name == "campaign_daily":
        return _daily_mapper(window, lambda r: (str(r.campaign.id),), lambda r: f"campaign {r.campaign.id}")
    if name == "ad_group_daily":
        return _daily_mapper(
            window, lambda r: (str(r.ad_group.id), str(r.campaign.id)), lambda r: f"ad group {r.ad_group.id}"
        )
    if name == "ad_daily":
        return _daily_mapper(
            window, lambda r: (str(r.ad_group_ad.ad.id), str(r.ad_group.id), str(r.campaign.id)),
            lambda r: f"ad {r.ad_group_ad.ad.id}",
        )
    if name == "keyword_daily":
        return _daily_mapper(
            window, lambda r: (str(r.ad_group.id), str(r.ad_group_criterion.criterion_id), str(r.campaign.id)),
            lambda r: f"keyword {r.ad_group_criterion.criterion_id} of ad group {r.ad_group.id}",
        )
    raise KeyError(name)


def map_rows(query: Query, window: Window | None, rows: Iterable[Any]) -> Iterator[tuple[object, ...]]:
    mapper = row_mapper(query, window)
    for row in rows:
        yield mapper(row)
