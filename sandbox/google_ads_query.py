"""GAQL semantics over the synthetic data: which fields exist, and the rows a query returns.

A query is planned once (validated against the field catalogue, date range resolved, conditions
compiled) and then yields each GoogleAdsRow already encoded as protobuf bytes. The per-entity part
of a row (customer / campaign / ad group attributes) is encoded once per query; only segments and
metrics are encoded per row.

Like the real API, each row carries the resource_name of every resource it includes, and rows
whose metrics are all zero are omitted from segmented metric queries.

Status rule, as Google Ads applies it: a query returns REMOVED campaigns, ad groups and ads with their
metrics unless its WHERE clause filters on the status ("Removed entities", Google Ads API reference:
removed resources keep their statistics and stay queryable; UI reports hide them by default only).
`FROM customer` with `segments.date` serves the account's own daily totals, which count every entity,
removed ones included (the sandbox's third campaign of an account is REMOVED and delivered).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from google.ads.googleads.v26.services.types import google_ads_service
from google.protobuf.descriptor import FieldDescriptor

from . import data
from .data import Account, Ad, AdGroup, Campaign, Keyword, Metrics, Volume
from .gaql import Condition, GaqlError, Query, date_range, parse
from .wire import Encoder, field_encoder, length_delimited

_ROW = google_ads_service.GoogleAdsRow.pb().DESCRIPTOR
_SEGMENTS, _METRICS = "segments", "metrics"


@dataclass(frozen=True)
class Entity:
    """One row source before segmentation, with the resources attributed to it."""

    customer: Account
    campaign: Campaign | None = None
    ad_group: AdGroup | None = None
    ad: Ad | None = None
    keyword: Keyword | None = None


@dataclass(frozen=True)
class FieldSpec:
    name: str  # GAQL name, e.g. "ad_group.type"
    scope: str  # resource ("customer", "campaign", "ad_group"), "segments" or "metrics"
    get: Callable[[Any], Any]  # Entity, date or Metrics -> value
    encode: Encoder
    top_number: int  # GoogleAdsRow field number of the scope's message
    py_type: type
    enum_names: frozenset[str] = frozenset()


_PY_TYPES = {
    FieldDescriptor.TYPE_INT64: int,
    FieldDescriptor.TYPE_INT32: int,
    FieldDescriptor.TYPE_DOUBLE: float,
    FieldDescriptor.TYPE_STRING: str,
    FieldDescriptor.TYPE_ENUM: str,
    FieldDescriptor.TYPE_BOOL: bool,
}


def _spec(name: str, get: Callable[[Any], Any]) -> FieldSpec:
    scope, attr = name.split(".", 1)
    top = _ROW.fields_by_name[scope]
    message, outer = top.message_type, []
    *parents, leaf = attr.split(".")
    for part in parents:  # a nested message (ad_group_ad.ad.id): its field inside its own length prefix
        outer.append(message.fields_by_name[part].number)
        message = message.fields_by_name[part].message_type
    inner = message.fields_by_name
    field = inner.get(leaf) or inner[leaf + "_"]  # proto-plus renames reserved words: type -> type_
    enum_names = frozenset(v.name for v in field.enum_type.values) if field.enum_type else frozenset()
    encode = field_encoder(field)
    for number in reversed(outer):
        encode = (lambda enc, n: lambda v: length_delimited(n, enc(v)))(encode, number)
    return FieldSpec(name, scope, get, encode, top.number, _PY_TYPES[field.type], enum_names)


def _customer_rn(e: Entity) -> str:
    return f"customers/{e.customer.id}"


def _campaign_rn(e: Entity) -> str:
    return f"customers/{e.customer.id}/campaigns/{e.campaign.id}"  # type: ignore[union-attr]


def _ad_group_rn(e: Entity) -> str:
    return f"customers/{e.customer.id}/adGroups/{e.ad_group.id}"  # type: ignore[union-attr]


def _criterion_rn(e: Entity) -> str:
    return f"customers/{e.customer.id}/adGroupCriteria/{e.ad_group.id}~{e.keyword.criterion_id}"  # type: ignore[union-attr]


_AD_GROUP_TYPES = {
    "SEARCH": "SEARCH_STANDARD",
    "DISPLAY": "DISPLAY_STANDARD",
    "SHOPPING": "SHOPPING_PRODUCT_ADS",
    "VIDEO": "VIDEO_RESPONSIVE",
}

_BIDDING = {
    "SEARCH": ("MAXIMIZE_CONVERSIONS", "TARGET_CPA", "MANUAL_CPC", "TARGET_ROAS"),
    "DISPLAY": ("MAXIMIZE_CONVERSIONS", "TARGET_CPA", "MANUAL_CPM"),
    "SHOPPING": ("TARGET_ROAS", "MAXIMIZE_CONVERSION_VALUE", "MANUAL_CPC"),
    "VIDEO": ("TARGET_CPM", "MANUAL_CPV", "MAXIMIZE_CONVERSIONS"),
}
#: segments.device values and their typical share of traffic (data.split_by weights)
DEVICE_SHARES = (("MOBILE", 55), ("DESKTOP", 30), ("TABLET", 8), ("CONNECTED_TV", 5), ("OTHER", 2))


def _bidding_strategy(campaign: Campaign) -> str:
    choices = _BIDDING.get(campaign.channel, _BIDDING["SEARCH"])
    return choices[campaign.id % len(choices)]


FIELDS: dict[str, FieldSpec] = {
    s.name: s
    for s in (
        _spec("customer.resource_name", _customer_rn),
        _spec("customer.id", lambda e: int(e.customer.id)),
        _spec("customer.descriptive_name", lambda e: e.customer.name),
        _spec("customer.currency_code", lambda e: e.customer.currency),
        _spec("customer.time_zone", lambda e: e.customer.time_zone),
        _spec("customer.manager", lambda e: False),
        _spec("campaign.resource_name", _campaign_rn),
        _spec("campaign.id", lambda e: e.campaign.id),
        _spec("campaign.name", lambda e: e.campaign.name),
        _spec("campaign.status", lambda e: e.campaign.status),
        _spec("campaign.advertising_channel_type", lambda e: e.campaign.channel),
        _spec("campaign.bidding_strategy_type", lambda e: _bidding_strategy(e.campaign)),
        _spec("ad_group.resource_name", _ad_group_rn),
        _spec("ad_group.id", lambda e: e.ad_group.id),
        _spec("ad_group.name", lambda e: e.ad_group.name),
        _spec("ad_group.status", lambda e: e.ad_group.status),
        _spec("ad_group.type", lambda e: _AD_GROUP_TYPES.get(e.campaign.channel, "SEARCH_STANDARD")),
        _spec("ad_group.campaign", _campaign_rn),
        _spec("ad_group_ad.resource_name", lambda e: f"customers/{e.customer.id}/adGroupAds/{e.ad_group.id}~{e.ad.id}"),
        _spec("ad_group_ad.status", lambda e: e.ad.status),
        _spec("ad_group_ad.ad_group", _ad_group_rn),
        _spec("ad_group_ad.ad.id", lambda e: e.ad.id),
        _spec("ad_group_ad.ad.name", lambda e: e.ad.name),
        _spec("ad_group_ad.ad.resource_name", lambda e: f"customers/{e.customer.id}/ads/{e.ad.id}"),
        _spec("keyword_view.resource_name",
              lambda e: f"customers/{e.customer.id}/keywordViews/{e.ad_group.id}~{e.keyword.criterion_id}"),
        _spec("ad_group_criterion.resource_name", _criterion_rn),
        _spec("ad_group_criterion.criterion_id", lambda e: e.keyword.criterion_id),
        _spec("ad_group_criterion.status", lambda e: e.keyword.status),
        _spec("ad_group_criterion.ad_group", _ad_group_rn),
        _spec("ad_group_criterion.type", lambda e: "KEYWORD"),
        _spec("ad_group_criterion.negative", lambda e: False),
        _spec("ad_group_criterion.keyword.text", lambda e: e.keyword.text),
        _spec("ad_group_criterion.keyword.match_type", lambda e: e.keyword.match_type),
        _spec("segments.date", lambda day: day.isoformat()),
        _spec("segments.device", lambda device: device),
        _spec("metrics.impressions", lambda m: m.impressions),
        _spec("metrics.clicks", lambda m: m.clicks),
        _spec("metrics.cost_micros", lambda m: m.cost_micros),
        _spec("metrics.conversions", lambda m: m.conversions),
        _spec("metrics.conversions_value", lambda m: m.conversion_value),
        _spec("metrics.all_conversions", lambda m: m.all_conversions),
        _spec("metrics.interactions", lambda m: m.interactions),
        _spec("metrics.video_trueview_views", lambda m: m.video_views),
    )
}

#: FROM resource -> the resources whose fields its rows may carry (itself first)
RESOURCES: dict[str, tuple[str, ...]] = {
    "customer": ("customer",),
    "campaign": ("campaign", "customer"),
    "ad_group": ("ad_group", "campaign", "customer"),
    "ad_group_ad": ("ad_group_ad", "ad_group", "campaign", "customer"),
    "keyword_view": ("keyword_view", "ad_group_criterion", "ad_group", "campaign", "customer"),
}


def _entities(resource: str, customer_id: str, volume: Volume) -> list[Entity]:
    account = data.account(customer_id)
    if resource == "customer":
        return [Entity(account)]
    campaigns = data.campaigns(customer_id, volume)
    if resource == "campaign":
        return [Entity(account, c) for c in campaigns]
    by_id = {c.id: c for c in campaigns}
    groups = data.ad_groups(customer_id, volume)
    if resource == "ad_group":
        return [Entity(account, by_id[g.campaign_id], g) for g in groups]
    group_of = {g.id: g for g in groups}
    if resource == "ad_group_ad":
        return [Entity(account, by_id[a.campaign_id], group_of[a.ad_group_id], ad=a)
                for a in data.ads(customer_id, volume)]
    return [Entity(account, by_id[k.campaign_id], group_of[k.ad_group_id], keyword=k)
            for k in data.keywords(customer_id, volume)]


def _metrics_source(
    resource: str, customer_id: str, volume: Volume, now: datetime | None = None
) -> Callable[[Entity, date, date], Metrics | None]:
    if resource == "ad_group_ad":
        return lambda e, day, as_of: data.ad_metrics(customer_id, e.ad, day, as_of)  # type: ignore[arg-type]
    if resource == "keyword_view":
        return lambda e, day, as_of: data.keyword_metrics(customer_id, e.keyword, day, as_of)  # type: ignore[arg-type]
    if resource == "ad_group":
        return lambda e, day, as_of: data.ad_group_metrics(customer_id, e.ad_group.id, day, as_of, now=now)  # type: ignore[union-attr]
    if resource == "campaign":
        return lambda e, day, as_of: data.campaign_metrics(customer_id, e.campaign.id, day, as_of, volume, now)  # type: ignore[union-attr]
    return lambda e, day, as_of: data.account_metrics(customer_id, day, as_of, volume, now)


def _device_source(
    resource: str, customer_id: str, volume: Volume, now: datetime | None = None
) -> Callable[[Entity, date, date], list[tuple[str, Metrics]]]:
    """(entity, day, as_of) -> its day per device, parts summing exactly to the unsegmented row: ad groups
    (and ads, keywords) are split; campaigns and the account are the sums of their ad groups' splits."""

    def split(key: str, m: Metrics | None) -> list[tuple[str, Metrics]]:
        return data.split_by(m, f"device|{customer_id}|{key}", DEVICE_SHARES) if m is not None else []

    def group(group_id: int, day: date, as_of: date) -> list[tuple[str, Metrics]]:
        return split(f"{group_id}|{day.isoformat()}",
                     data.ad_group_metrics(customer_id, group_id, day, as_of, now=now))

    def summed(groups: Iterable[AdGroup], day: date, as_of: date) -> list[tuple[str, Metrics]]:
        total: dict[str, Metrics] = {}
        for g in groups:
            for device, m in group(g.id, day, as_of):
                total[device] = total[device] + m if device in total else m
        return [(d, total[d]) for d, _ in DEVICE_SHARES if d in total]

    if resource == "ad_group_ad":
        return lambda e, day, as_of: split(
            f"ad|{e.ad.id}|{day.isoformat()}", data.ad_metrics(customer_id, e.ad, day, as_of))  # type: ignore[arg-type,union-attr]
    if resource == "keyword_view":
        return lambda e, day, as_of: split(
            f"kw|{e.ad_group.id}|{e.keyword.criterion_id}|{day.isoformat()}",  # type: ignore[union-attr]
            data.keyword_metrics(customer_id, e.keyword, day, as_of))  # type: ignore[arg-type]
    if resource == "ad_group":
        return lambda e, day, as_of: group(e.ad_group.id, day, as_of)  # type: ignore[union-attr]
    if resource == "campaign":
        return lambda e, day, as_of: summed(
            data.ad_groups_of(customer_id, volume).get(e.campaign.id, ()), day, as_of)  # type: ignore[union-attr]
    return lambda e, day, as_of: summed(data.ad_groups(customer_id, volume), day, as_of)


# -- conditions ------------------------------------------------------------------------------------


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern))


def _predicate(cond: Condition, spec: FieldSpec) -> Callable[[Any], bool]:
    """Compile a condition on one field into value -> bool, validating its constants now."""
    return predicate(cond, spec.name, spec.py_type, spec.enum_names)


def predicate(cond: Condition, name: str, py_type: type, enum_names: frozenset[str] = frozenset()
              ) -> Callable[[Any], bool]:
    """A condition on a field `name` of `py_type` (an enum when `enum_names`) as value -> bool."""

    def coerce(v: Any) -> Any:
        try:
            value = (v if isinstance(v, bool) else str(v).lower() == "true") if py_type is bool else py_type(v)
        except (TypeError, ValueError):
            raise GaqlError("BAD_VALUE", f"Error in query: invalid value {v!r} for {name}.") from None
        if enum_names and value not in enum_names:
            raise GaqlError(
                "BAD_ENUM_CONSTANT", f"Error in query: invalid enum constant {v!r} for {name}."
            )
        return value

    op = cond.op
    if op in ("IS NULL", "IS NOT NULL"):
        return lambda v: (v is None) == (op == "IS NULL")
    if op in ("LIKE", "NOT LIKE"):
        regex = _like(str(cond.values[0]))
        return lambda v: (regex.fullmatch(str(v)) is not None) == (op == "LIKE")
    if op == "DURING":
        raise GaqlError("OPERATOR_FIELD_MISMATCH", f"Error in query: DURING cannot filter {name}.")
    values = [coerce(v) for v in cond.values]
    compare: dict[str, Callable[[Any], bool]] = {
        "=": lambda v: v == values[0],
        "!=": lambda v: v != values[0],
        "<": lambda v: v < values[0],
        "<=": lambda v: v <= values[0],
        ">": lambda v: v > values[0],
        ">=": lambda v: v >= values[0],
        "IN": lambda v: v in values,
        "NOT IN": lambda v: v not in values,
        "BETWEEN": lambda v: values[0] <= v <= values[1],
    }
    return compare[op]


def _all(preds: list[tuple[Callable[[Any], Any], Callable[[Any], bool]]]) -> Callable[[Any], bool]:
    return lambda obj: all(pred(get(obj)) for get, pred in preds)


# -- the plan --------------------------------------------------------------------------------------


@dataclass
class Plan:
    query: Query
    fields: tuple[str, ...]
    first: date | None
    last: date | None
    segmented: bool  # segments.date selected: one row per entity and day
    with_metrics: bool  # metrics selected (or segmented): rows need a date range
    keep_entity: Callable[[Entity], bool]
    keep_day: Callable[[date], bool]
    keep_metrics: Callable[[Metrics], bool]
    static_groups: list[tuple[int, list[FieldSpec]]]  # per resource message: (row field number, fields)
    metric_fields: list[FieldSpec]
    by_device: bool = False  # segments.device selected: one row per entity (and day) and device
    dated: bool = True  # segments.date selected
    keep_device: Callable[[str], bool] = lambda _: True

    @property
    def resource(self) -> str:
        return self.query.resource

    def rows(self, customer_id: str, volume: Volume, as_of: date, now: datetime | None = None) -> Iterator[bytes]:
        """Encoded GoogleAdsRow messages, at most LIMIT of them; with `now`, the account's today so far too."""
        rows = self._rows(customer_id, volume, as_of, now)
        return islice(rows, self.query.limit) if self.query.limit else rows

    def _static(self, entity: Entity) -> bytes:
        return b"".join(
            length_delimited(number, b"".join(f.encode(f.get(entity)) for f in specs))
            for number, specs in self.static_groups
        )

    def _rows(self, customer_id: str, volume: Volume, as_of: date, now: datetime | None) -> Iterator[bytes]:
        entities = [e for e in _entities(self.resource, customer_id, volume) if self.keep_entity(e)]
        statics = [self._static(e) for e in entities]
        if not self.with_metrics:
            yield from statics
            return
        assert self.first is not None and self.last is not None
        # days not complete yet have no data, but for the account's today so far at the sandbox clock
        last = min(self.last, data.local_today(customer_id, now) if now is not None else as_of - timedelta(days=1))
        days = [self.first + timedelta(days=i) for i in range((last - self.first).days + 1)]
        days = [d for d in days if self.keep_day(d)]
        metrics_of = _metrics_source(self.resource, customer_id, volume, now)
        metrics_number = FIELDS["metrics.impressions"].top_number
        metric_encoders = [(f.get, f.encode) for f in self.metric_fields]
        keep_metrics = self.keep_metrics

        def encode_metrics(m: Metrics) -> bytes:
            if not metric_encoders:
                return b""
            return length_delimited(metrics_number, b"".join(enc(get(m)) for get, enc in metric_encoders))

        if self.by_device:
            yield from self._device_rows(entities, statics, days, customer_id, volume, as_of, now, encode_metrics)
            return
        if self.segmented:
            date_spec = FIELDS["segments.date"]
            for day in days:
                segment = length_delimited(date_spec.top_number, date_spec.encode(day.isoformat()))
                for entity, static in zip(entities, statics, strict=True):
                    m = metrics_of(entity, day, as_of)
                    if m is not None and m.impressions and keep_metrics(m):
                        yield static + segment + encode_metrics(m)
            return
        for entity, static in zip(entities, statics, strict=True):
            total: Metrics | None = None
            for day in days:
                m = metrics_of(entity, day, as_of)
                if m is not None:
                    total = m if total is None else total + m
            if total is not None and total.impressions and keep_metrics(total):
                yield static + encode_metrics(total)


    def _device_rows(
        self, entities: list[Entity], statics: list[bytes], days: list[date], customer_id: str, volume: Volume,
        as_of: date, now: datetime | None, encode_metrics: Callable[[Metrics], bytes],
    ) -> Iterator[bytes]:
        """Rows segmented by device (and by date when selected): each entity's day split over devices."""
        device_of = _device_source(self.resource, customer_id, volume, now)
        date_spec, device_spec = FIELDS["segments.date"], FIELDS["segments.device"]
        number = date_spec.top_number

        def wanted(m: Metrics, device: str) -> bool:
            return bool(m.impressions) and self.keep_device(device) and self.keep_metrics(m)

        if self.dated:
            for day in days:
                day_bytes = date_spec.encode(day.isoformat())
                for entity, static in zip(entities, statics, strict=True):
                    for device, m in device_of(entity, day, as_of):
                        if wanted(m, device):
                            yield static + length_delimited(number, day_bytes + device_spec.encode(device)) + \
                                encode_metrics(m)
            return
        for entity, static in zip(entities, statics, strict=True):
            total: dict[str, Metrics] = {}
            for day in days:
                for device, m in device_of(entity, day, as_of):
                    total[device] = total[device] + m if device in total else m
            for device, _ in DEVICE_SHARES:
                m = total.get(device)  # type: ignore[assignment]
                if m is not None and wanted(m, device):
                    yield static + length_delimited(number, device_spec.encode(device)) + encode_metrics(m)


def _spec_for(name: str, resource: str, clause: str) -> FieldSpec:
    spec = FIELDS.get(name)
    if spec is None:
        scope, _, attr = name.partition(".")
        top = _ROW.fields_by_name.get(scope)
        real = (
            top is not None
            and top.message_type is not None
            and attr.split(".")[0] in top.message_type.fields_by_name
        )
        hint = " (a real field the sandbox does not emulate)" if real else ""
        raise GaqlError("UNRECOGNIZED_FIELD", f"Unrecognized field in the query: '{name}'{hint}.")
    if spec.scope not in (_SEGMENTS, _METRICS) and spec.scope not in RESOURCES[resource]:
        raise GaqlError(
            f"PROHIBITED_RESOURCE_TYPE_IN_{clause}_CLAUSE",
            f"Cannot select or filter on the following resource: '{spec.scope}', since the resource is "
            f"incompatible with the resource in the FROM clause.",
        )
    return spec


def plan(text: str, today: date) -> Plan:
    """Parse and validate a query; raises GaqlError like the real API would."""
    query = parse(text)
    resource = query.resource
    if resource not in RESOURCES:
        known = resource in _ROW.fields_by_name and resource not in (_SEGMENTS, _METRICS)
        raise GaqlError(
            "BAD_RESOURCE_TYPE_IN_FROM_CLAUSE",
            f"Error in query: invalid resource '{resource}' in the FROM clause"
            + (" (not emulated by the sandbox)." if known else "."),
        )
    specs = [_spec_for(name, resource, "SELECT") for name in query.fields]
    for name, _ in query.order_by:
        _spec_for(name, resource, "SELECT")
    selected_scopes = {s.scope for s in specs}
    segmented = _SEGMENTS in selected_scopes
    with_metrics = segmented or _METRICS in selected_scopes

    entity_preds, day_preds, metric_preds, device_preds = [], [], [], []
    date_conditions = []
    selected = {s.name for s in specs}
    for cond in query.conditions:
        spec = _spec_for(cond.field, resource, "WHERE")
        if spec.name == "segments.device":
            if spec.name not in selected:
                raise GaqlError("EXPECTED_DIMENSION_FIELD_IN_SELECT_CLAUSE",
                                "Error in query: a segment in the WHERE clause must also be in the SELECT clause: "
                                "'segments.device'.")
            device_preds.append((spec.get, _predicate(cond, spec)))
        elif spec.name == "segments.date":
            date_conditions.append(cond)
            if cond.op in ("=", "!=", "IN", "NOT IN"):
                day_preds.append((spec.get, _predicate(cond, spec)))
        elif spec.scope == _METRICS:
            metric_preds.append((spec.get, _predicate(cond, spec)))
        else:
            entity_preds.append((spec.get, _predicate(cond, spec)))
    first, last = date_range(date_conditions, today)
    if with_metrics and (first is None or last is None):
        raise GaqlError(
            "EXPECTED_FILTERS_ON_DATE_RANGE",
            "Filters on date/week/month/quarter/year date segments are expected to form a closed date range"
            + ("." if segmented else " (the sandbox requires one for every metrics query)."),
        )

    # Row messages in FROM-resource order, each led by its resource_name like the real API.
    static_groups = []
    for scope in RESOURCES[resource]:
        chosen = [s for s in specs if s.scope == scope]
        if chosen or scope == resource:
            rn = FIELDS[f"{scope}.resource_name"]
            group = [rn] + [s for s in chosen if s is not rn]
            static_groups.append((rn.top_number, group))
    return Plan(
        query=query,
        fields=query.fields,
        first=first,
        last=last,
        segmented=segmented,
        with_metrics=with_metrics,
        keep_entity=_all(entity_preds),
        keep_day=_all(day_preds),
        keep_metrics=_all(metric_preds),
        static_groups=static_groups,
        metric_fields=[s for s in specs if s.scope == _METRICS],
        by_device="segments.device" in selected,
        dated="segments.date" in selected,
        keep_device=_all(device_preds),
    )
