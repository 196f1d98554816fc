"""Meta insights pages decoded with msgspec into typed structs, then mapped to AD_DAILY tuples.

The fast path for the bulk of a Meta sync (issue 15): one C-level decode of the page's JSON straight
into structs, then a lean mapping. Graph sends numbers as strings; counts are decoded as ints, money and
ratios stay strings until the mapping makes exact `Decimal`s of the ones it uses (never floats): the
unwanted action types, most of a row's numbers, are never converted at all. It gives exactly the
tuples `meta.insight_row` gives for the same objects; whatever it does not expect (a field of another
type, an empty string for a number, a negative or non-finite value) is handed to that generic path,
which accepts it the way it always did or raises its precise `RowError`. Pure, like `meta.py`.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

import msgspec

from ads_sync.sources.meta import reports as meta

Count = Annotated[int, msgspec.Meta(ge=0)]
_SIX = Decimal("0.000001")
_ZERO = Decimal(0)
_ZERO_TEXT = "0.000000"
_UNSET = msgspec.UNSET


class Action(msgspec.Struct, gc=False):
    """One entry of `actions` / `action_values`, with one key per attribution window asked for. UNSET
    (absent) and None (null) differ, as in `meta.action_total`: a null window counts 0, an absent one
    lets `value` stand in."""

    action_type: str | None = None
    value: str | None = None
    click_7d: str | None | msgspec.UnsetType = msgspec.field(default=msgspec.UNSET, name="7d_click")
    view_1d: str | None | msgspec.UnsetType = msgspec.field(default=msgspec.UNSET, name="1d_view")


#: the attribution windows Action has fields for (a unit test holds them equal to meta.ATTRIBUTION_WINDOWS)
WINDOWS = ("7d_click", "1d_view")


class Insight(msgspec.Struct, gc=False):
    """One ad's day of insights (the fields of `meta.INSIGHT_FIELDS`; others are ignored)."""

    date_start: str
    date_stop: str
    ad_id: str
    adset_id: str
    campaign_id: str
    impressions: Count = 0
    clicks: Count = 0
    spend: str | None = None
    reach: Count | None = None
    frequency: str | None = None
    actions: list[Action] | None = None
    action_values: list[Action] | None = None


class _Cursors(msgspec.Struct, gc=False):
    after: str | None = None


class _Paging(msgspec.Struct, gc=False):
    cursors: _Cursors | None = None
    next: str | None = None


class _Page(msgspec.Struct, gc=False):
    data: list[Insight] | None = None
    paging: _Paging | None = None


class _Untyped(msgspec.Struct, gc=False):
    data: list[dict[str, Any]] | None = None
    paging: _Paging | None = None


@dataclass(frozen=True)
class Page:
    """One page of an edge: its objects (`Insight` structs, or dicts where the page did not fit them)
    and where the next page starts."""

    data: list[Any]
    after: str | None
    has_next: bool


def page_of(body: Mapping[str, Any]) -> Page:
    """A page already decoded as plain JSON (the generic path of every other edge)."""
    paging = body.get("paging") or {}
    return Page(body.get("data") or [], (paging.get("cursors") or {}).get("after"), "next" in paging)


_typed = msgspec.json.Decoder(_Page, strict=False)
_untyped = msgspec.json.Decoder(_Untyped)


def decode_page(body: str | bytes) -> Page:
    """A Graph insights page. Raises ValueError when the body is not JSON at all (the hook treats it as
    a page cut off in transit); a page whose objects do not fit `Insight` comes back as dicts."""
    try:
        page: _Page | _Untyped = _typed.decode(body)
    except msgspec.ValidationError:
        try:
            page = _untyped.decode(body)
        except msgspec.ValidationError as exc:  # JSON, but not a page: the hook's generic check says so
            raise ValueError(f"not a Graph page: {exc}") from None
    except msgspec.DecodeError as exc:
        raise ValueError(f"not JSON: {exc}") from None
    paging = page.paging
    cursors = paging.cursors if paging is not None else None
    return Page(page.data or [], cursors.after if cursors is not None else None,
                paging is not None and paging.next is not None)


class _Unexpected(Exception):
    """A value the fast path does not map itself (negative, not finite): the generic path decides."""


def _number(text: str) -> Decimal:
    """An exact non-negative finite Decimal (else InvalidOperation or _Unexpected: the generic path decides)."""
    value = Decimal(text)
    if value < _ZERO:  # NaN raises InvalidOperation here, Infinity in quantize
        raise _Unexpected
    return value


def _total(actions: list[Action] | None, wanted: frozenset[str]) -> str:
    """`meta.action_total` on structs, as COPY text: the wanted types' attribution windows, else their
    `value`. Most rows want nothing of most of their actions: those are never converted."""
    if not actions:
        return _ZERO_TEXT
    total = None
    for action in actions:
        if action.action_type not in wanted:
            continue
        click, view = action.click_7d, action.view_1d
        if click is _UNSET and view is _UNSET:
            if action.value is not None:
                total = _number(action.value) if total is None else total + _number(action.value)
            continue
        if click is not _UNSET and click is not None:
            total = _number(click) if total is None else total + _number(click)
        if view is not _UNSET and view is not None:
            total = _number(view) if total is None else total + _number(view)
    return _ZERO_TEXT if total is None else str(total.quantize(_SIX))


def _row(obj: Insight, start: str, end: str, wanted: frozenset[str]) -> tuple[object, ...]:
    """One struct as `meta.insight_row` maps its dict (the hot loop of a Meta sync: kept flat)."""
    day = obj.date_start
    if obj.date_stop != day or not start <= day <= end:
        raise _Unexpected
    spend, frequency = obj.spend, obj.frequency
    return (
        day, obj.ad_id, obj.adset_id, obj.campaign_id, obj.impressions, obj.clicks,
        str(_number(spend).quantize(_SIX)) if spend is not None else _ZERO_TEXT,
        _total(obj.actions, wanted), _total(obj.action_values, wanted),
        obj.reach, str(_number(frequency).quantize(_SIX)) if frequency is not None else None,
    )


def _generic(obj: Insight) -> dict[str, Any]:
    """The struct as the dict the generic path reads (numbers back as strings, absent keys absent)."""
    return msgspec.to_builtins(obj, builtin_types=())  # type: ignore[no-any-return]


def insight_rows(
    objs: Iterable[Any], window: tuple[date, date], action_types: Iterable[str]
) -> Iterator[tuple[object, ...]]:
    """`meta.insight_rows` for decoded pages: structs by the fast path, dicts (and anything the fast path
    does not expect) by `meta.insight_row`, so both give the same tuples and the same errors."""
    start, end = window[0].isoformat(), window[1].isoformat()
    types = tuple(action_types)
    wanted = frozenset(types)
    for obj in objs:
        if type(obj) is Insight:
            try:
                yield _row(obj, start, end, wanted)
                continue
            except (_Unexpected, InvalidOperation):
                obj = _generic(obj)
        yield meta.insight_row(obj, start, end, types)
