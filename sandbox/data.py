"""Deterministic synthetic advertising data, shared by every platform emulator.

Nothing here knows about Google or Meta: an emulator maps these neutral records onto its own wire
format. Every value is a pure function of (account, entity, date[, as_of]) computed with hashlib,
so two processes (or two runs a year apart) see the same numbers, which is what lets tests
compare a sync against the source without storing fixtures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

#: Late conversions keep arriving for this many days after the day they are attributed to.
CONVERSION_LAG_DAYS = 14

_CHANNELS = ("SEARCH", "SEARCH", "SEARCH", "DISPLAY", "SHOPPING", "VIDEO")
_CURRENCIES = ("EUR", "USD", "GBP", "CHF")
_TIME_ZONES = ("Europe/Berlin", "America/New_York", "Europe/London", "Europe/Zurich")
# About one (entity, day) in twelve has no impressions: the real APIs omit such rows.
_EMPTY_DAY_ONE_IN = 12
#: the demo registry's accounts live in their registry time zones here, so "today" is the same day for
#: both sides (the platforms report each day in the account's own zone); other accounts get a hashed zone
KNOWN_TIME_ZONES = {
    "1234567890": "Europe/Berlin",
    "2345678901": "Pacific/Auckland",
    "3456789012": "America/Los_Angeles",
    "104857600123456": "Europe/Oslo",
    "209715200654321": "America/Chicago",
}
#: today's numbers so far are refreshed at the top of every hour (each entity in hourly steps from the
#: half hour it first delivers that day), so two reads within one hour agree unless an entity started
#: between them: "a new ad spends"
_START_SLOT_MINUTES = 30
_START_SLOTS = 20  # first delivery of the day between 00:00 and 09:30


@dataclass(frozen=True)
class Volume:
    """How much data an account has; raise it for benchmarks."""

    campaigns: int = 3
    ad_groups_per_campaign: int = 2


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    currency: str
    time_zone: str


@dataclass(frozen=True)
class Campaign:
    id: int
    name: str
    status: str  # "ENABLED" | "PAUSED" | "REMOVED"
    channel: str  # "SEARCH" | "DISPLAY" | "SHOPPING" | "VIDEO"


@dataclass(frozen=True)
class AdGroup:
    id: int
    campaign_id: int
    name: str
    status: str  # "ENABLED" | "PAUSED" | "REMOVED"


@dataclass(frozen=True, slots=True)
class Metrics:
    """One entity's delivery on one day (or a sum of such days or entities).

    conversions, conversion_value and all_conversions carry two decimals; sums are rounded back to two
    decimals so a roll-up equals the sum of its parts exactly at that precision. The last three fields
    (custom reports' extra metrics) are additive like the others, so every split and roll-up keeps them exact.
    """

    impressions: int
    clicks: int
    cost_micros: int
    conversions: float
    conversion_value: float
    #: conversions plus the ones not counted in `conversions` (view-through, cross-device): >= conversions
    all_conversions: float = 0.0
    #: clicks plus other engagements: >= clicks
    interactions: int = 0
    video_views: int = 0

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(
            self.impressions + other.impressions,
            self.clicks + other.clicks,
            self.cost_micros + other.cost_micros,
            round(self.conversions + other.conversions, 2),
            round(self.conversion_value + other.conversion_value, 2),
            round(self.all_conversions + other.all_conversions, 2),
            self.interactions + other.interactions,
            self.video_views + other.video_views,
        )


ZERO = Metrics(0, 0, 0, 0.0, 0.0)


def _digest(key: str, size: int = 8) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=size).digest()


def _number(key: str) -> int:
    return int.from_bytes(_digest(key), "big")


def account(account_id: str) -> Account:
    n = _number(f"account|{account_id}")
    return Account(
        id=account_id,
        name=f"Sandbox account {account_id}",
        currency=_CURRENCIES[n % len(_CURRENCIES)],
        time_zone=KNOWN_TIME_ZONES.get(account_id) or _TIME_ZONES[(n >> 8) % len(_TIME_ZONES)],
    )


def _unique_id(key: str, low: int, span: int, taken: set[int]) -> int:
    """A hash-derived id in [low, low + span), re-salted on the (rare) collision within an account."""
    salt = 0
    while True:
        value = low + _number(f"{key}|{salt}") % span
        if value not in taken:
            taken.add(value)
            return value
        salt += 1


def _campaign_status(index: int, volume: Volume, n: int) -> str:
    """The third campaign of an account is REMOVED (with its ad groups), yet it delivered: its history
    stays, the way removed objects keep their metrics at both platforms. (Fixed by position, so growing the
    volume keeps the existing entities as they were.)"""
    if index == 2:
        return "REMOVED"
    return "PAUSED" if (n >> 8) % 5 == 0 else "ENABLED"


@lru_cache(maxsize=256)
def _entities(account_id: str, volume: Volume) -> tuple[tuple[Campaign, ...], tuple[AdGroup, ...]]:
    taken: set[int] = set()
    campaigns: list[Campaign] = []
    groups: list[AdGroup] = []
    for c in range(volume.campaigns):
        n = _number(f"campaign|{account_id}|{c}")
        channel = _CHANNELS[n % len(_CHANNELS)]
        campaign = Campaign(
            id=_unique_id(f"campaign-id|{account_id}|{c}", 10_000_000_000, 90_000_000_000, taken),
            name=f"{channel.title()} campaign {c + 1:03d}",
            status=_campaign_status(c, volume, n),
            channel=channel,
        )
        campaigns.append(campaign)
        for g in range(volume.ad_groups_per_campaign):
            m = _number(f"ad_group|{account_id}|{c}|{g}")
            groups.append(
                AdGroup(
                    id=_unique_id(
                        f"ad-group-id|{account_id}|{c}|{g}", 100_000_000_000, 900_000_000_000, taken
                    ),
                    campaign_id=campaign.id,
                    name=f"{campaign.name} / ad group {g + 1:03d}",
                    status=campaign.status if campaign.status != "ENABLED" else "PAUSED" if m % 6 == 0 else "ENABLED",
                )
            )
    return tuple(campaigns), tuple(groups)


def campaigns(account_id: str, volume: Volume = Volume()) -> list[Campaign]:
    return list(_entities(account_id, volume)[0])


def ad_groups(account_id: str, volume: Volume = Volume()) -> list[AdGroup]:
    return list(_entities(account_id, volume)[1])


def ad_groups_of(account_id: str, volume: Volume = Volume()) -> dict[int, tuple[AdGroup, ...]]:
    """Ad groups keyed by campaign id (for roll-ups)."""
    return _ad_groups_by_campaign(account_id, volume)


@lru_cache(maxsize=256)
def _ad_groups_by_campaign(account_id: str, volume: Volume) -> dict[int, tuple[AdGroup, ...]]:
    by_campaign: dict[int, list[AdGroup]] = {}
    for group in _entities(account_id, volume)[1]:
        by_campaign.setdefault(group.campaign_id, []).append(group)
    return {k: tuple(v) for k, v in by_campaign.items()}


def local_today(account_id: str, now: datetime) -> date:
    """The account's calendar date at the instant `now`."""
    return now.astimezone(ZoneInfo(account(account_id).time_zone)).date()


def first_delivery(account_id: str, entity_id: int, day: date) -> int:
    """Minutes after local midnight at which the entity first delivers on `day` (a half hour, 00:00-09:30)."""
    return _START_SLOT_MINUTES * (_number(f"start|{account_id}|{entity_id}|{day.isoformat()}") % _START_SLOTS)


def ad_group_metrics(
    account_id: str, ad_group_id: int, day: date, as_of: date, *, lag_days: int = CONVERSION_LAG_DAYS,
    now: datetime | None = None,
) -> Metrics | None:
    """Delivery of one ad group on `day` as reported on `as_of`; None when there is no row.

    With `now` (the sandbox clock, an instant), the account's own today is served so far (`so_far`) and
    later days have no row. Otherwise, and for days before that, the day must be complete
    (day < as_of). Conversions (and their value) mature linearly over
    CONVERSION_LAG_DAYS (or `lag_days`: Meta's emulator uses 28), so the same day reads differently as
    as_of moves on, like late conversions in the real platforms, but identically for any request on one as_of.
    """
    if now is not None:
        today = local_today(account_id, now)
        if day > today:
            return None
        if day == today:
            return so_far(account_id, ad_group_id, day, now, lag_days=lag_days)
    age = (as_of - day).days
    if age < 1:
        return None
    h = _digest(f"{account_id}|{ad_group_id}|{day.isoformat()}", 16)
    if h[0] % _EMPTY_DAY_ONE_IN == 0:
        return None
    # Entity scale comes from the (hash-derived) id; the day's noise and weekday from the digest.
    scale = 50 + ad_group_id % 4_950
    weekday = 0.7 if day.weekday() >= 5 else 1.0
    impressions = 1 + int(scale * weekday * (0.5 + h[1] / 255))
    clicks = impressions * (10 + h[2] % 70) // 1_000  # CTR 1 % .. 8 %
    cost_micros = clicks * (10 + int.from_bytes(h[3:5], "big") % 290) * 10_000  # CPC 0.10 .. 3.00
    final_centi = clicks * (h[5] % 100) * 10 // 100  # conversions in hundredths, CVR 0 .. 10 %
    value_per_conversion_centi = 500 + int.from_bytes(h[6:8], "big") % 20_000
    matured_centi = final_centi * min(age, lag_days) // lag_days
    other_centi = clicks * (h[8] % 40) // 10 * min(age, lag_days) // lag_days  # view-through, cross-device
    return Metrics(
        impressions=impressions,
        clicks=clicks,
        cost_micros=cost_micros,
        conversions=matured_centi / 100,
        conversion_value=matured_centi * value_per_conversion_centi // 100 / 100,
        all_conversions=(matured_centi + other_centi) / 100,
        interactions=clicks + impressions * (h[9] % 8) // 1_000,
        video_views=impressions * (h[10] % 25) // 100 if h[11] % 3 == 0 else 0,
    )


def so_far(
    account_id: str, entity_id: int, day: date, now: datetime, *, lag_days: int = CONVERSION_LAG_DAYS
) -> Metrics | None:
    """The entity's `day` (the account's today) as reported at `now`: nothing before its first delivery,
    then k/24 of its complete day, k counting the hourly refreshes since (1 at first delivery)."""
    full = ad_group_metrics(account_id, entity_id, day, day + timedelta(days=1), lag_days=lag_days)
    local = now.astimezone(ZoneInfo(account(account_id).time_zone))
    minutes = local.hour * 60 + local.minute
    start = first_delivery(account_id, entity_id, day)
    if full is None or minutes < start:
        return None
    k = min(24, minutes // 60 - start // 60 + 1)
    conversions_centi = round(full.conversions * 100) * k // 24
    value_centi = round(full.conversion_value * 100) * k // 24
    all_centi = max(conversions_centi, round(full.all_conversions * 100) * k // 24)
    clicks = full.clicks * k // 24
    return Metrics(
        impressions=max(1, full.impressions * k // 24),
        clicks=clicks,
        cost_micros=full.cost_micros * k // 24 // 10_000 * 10_000,
        conversions=conversions_centi / 100,
        conversion_value=value_centi / 100,
        all_conversions=all_centi / 100,
        interactions=max(clicks, full.interactions * k // 24),
        video_views=full.video_views * k // 24,
    )


def campaign_metrics(
    account_id: str, campaign_id: int, day: date, as_of: date, volume: Volume = Volume(),
    now: datetime | None = None,
) -> Metrics | None:
    """The exact sum of the campaign's ad groups on that day; None when none of them has a row."""
    total: Metrics | None = None
    for group in ad_groups_of(account_id, volume).get(campaign_id, ()):
        m = ad_group_metrics(account_id, group.id, day, as_of, now=now)
        if m is not None:
            total = m if total is None else total + m
    return total


def account_metrics(
    account_id: str, day: date, as_of: date, volume: Volume = Volume(), now: datetime | None = None
) -> Metrics | None:
    """The exact sum of all the account's ad groups on that day."""
    total: Metrics | None = None
    for group in _entities(account_id, volume)[1]:
        m = ad_group_metrics(account_id, group.id, day, as_of, now=now)
        if m is not None:
            total = m if total is None else total + m
    return total


# -- ads and keywords (Google Ads' ad_group_ad and keyword_view) --------------------------------------
#
# What Google guarantees, mirrored here: an ad group's metrics are the sum of its ads' (every impression
# of an ad group serves one of its ads), so ad rows split the ad group's row exactly. Keyword rows do not
# add up to their ad group in general: only keyword-triggered traffic lands in keyword_view (keywordless
# matching such as dynamic search ads or AI Max, and campaigns that do not target keywords at all, have
# no keyword row), so here keywords exist in SEARCH campaigns only, split their ad group exactly, except
# in one ad group in three, where a keywordless share is left out. Removed ads and keywords keep their
# history, like removed campaigns.

ADS_PER_AD_GROUP = 2
KEYWORDS_PER_AD_GROUP = 3
_KEYWORD_TEXTS = ("trail running shoes", "waterproof jacket", "merino base layer")
_MATCH_TYPES = ("EXACT", "PHRASE", "BROAD")


@dataclass(frozen=True)
class Ad:
    id: int
    ad_group_id: int
    campaign_id: int
    name: str
    status: str  # "ENABLED" | "PAUSED" | "REMOVED"


@dataclass(frozen=True)
class Keyword:
    """A keyword criterion. Its id is shared by every ad group of the account with the same text and match
    type, as Google's criterion ids are: only (ad group, criterion id) names one keyword."""

    criterion_id: int
    ad_group_id: int
    campaign_id: int
    text: str
    match_type: str  # "EXACT" | "PHRASE" | "BROAD"
    status: str  # "ENABLED" | "PAUSED" | "REMOVED"


@lru_cache(maxsize=256)
def _ads(account_id: str, volume: Volume) -> tuple[Ad, ...]:
    """Two ads per ad group; the second ad of the account's first ad group is REMOVED and still delivers."""
    groups = _entities(account_id, volume)[1]
    out = []
    for n, group in enumerate(groups):
        for k in range(ADS_PER_AD_GROUP):
            status = "REMOVED" if n == 0 and k == 1 else "PAUSED" if (group.id + k) % 7 == 0 else "ENABLED"
            out.append(Ad(group.id * 10 + k, group.id, group.campaign_id, f"{group.name} / ad {k + 1}", status))
    return tuple(out)


def ads(account_id: str, volume: Volume = Volume()) -> list[Ad]:
    return list(_ads(account_id, volume))


@lru_cache(maxsize=256)
def _keywords(account_id: str, volume: Volume) -> tuple[Keyword, ...]:
    """Three keywords in each ad group of a SEARCH campaign; the third of the first such ad group is REMOVED."""
    channels = {c.id: c.channel for c in _entities(account_id, volume)[0]}
    out: list[Keyword] = []
    for group in _entities(account_id, volume)[1]:
        if channels[group.campaign_id] != "SEARCH":
            continue
        first = not out
        for k in range(KEYWORDS_PER_AD_GROUP):
            text, match = _KEYWORD_TEXTS[k], _MATCH_TYPES[k]
            criterion = 100_000 + _number(f"criterion|{account_id}|{text}|{match}") % 900_000_000_000
            status = "REMOVED" if first and k == 2 else "PAUSED" if (group.id + k) % 5 == 0 else "ENABLED"
            out.append(Keyword(criterion, group.id, group.campaign_id, text, match, status))
    return tuple(out)


def keywords(account_id: str, volume: Volume = Volume()) -> list[Keyword]:
    return list(_keywords(account_id, volume))


def keywordless(ad_group_id: int) -> bool:
    """Whether part of this ad group's traffic matched no keyword (so its keywords sum to less)."""
    return ad_group_id % 3 == 0


def _split(m: Metrics, weights: tuple[int, ...]) -> tuple[Metrics | None, ...]:
    """`m` in parts proportional to `weights`, summing to `m` exactly; a part without impressions gives
    what it has to the last part (the APIs omit rows without impressions, so it must not carry cost)."""
    total = sum(weights)
    whole = (m.impressions, m.clicks, m.cost_micros, round(m.conversions * 100), round(m.conversion_value * 100),
             round(m.all_conversions * 100), m.interactions, m.video_views)
    parts = [[v * w // total for v in whole] for w in weights[:-1]]
    parts = [p if p[0] else [0] * len(whole) for p in parts]
    parts.append([v - sum(p[i] for p in parts) for i, v in enumerate(whole)])
    return tuple(Metrics(p[0], p[1], p[2], p[3] / 100, p[4] / 100, p[5] / 100, p[6], p[7]) if p[0] else None
                 for p in parts)


def split_int(value: int, weights: tuple[int, ...]) -> list[int]:
    """`value` in integer parts proportional to `weights`, summing to it exactly (the last takes the rest)."""
    total = sum(weights)
    parts = [value * w // total for w in weights[:-1]]
    return [*parts, value - sum(parts)]


def split_by(m: Metrics, key: str, shares: tuple[tuple[str, int], ...]) -> list[tuple[str, Metrics]]:
    """`m` split over labelled segments (a device, an age band), each weighted by its typical share times a
    deterministic noise from `key`; the parts sum to `m` exactly and parts without impressions are left out
    (their share goes to the largest segment, which is split last so it always has impressions)."""
    weighted = split_weights(key, shares)
    parts = _split(m, tuple(w for _, w in weighted))
    out = {label: part for (label, _), part in zip(weighted, parts, strict=True) if part is not None}
    return [(label, out[label]) for label, _ in shares if label in out]


def split_weights(key: str, shares: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """(label, weight) for a split: each typical share times a noise from `key`, smallest first, so the
    largest part is the one that takes the remainder."""
    h = _digest(f"split|{key}", 16)
    return sorted(((label, share * (96 + h[i % 16])) for i, (label, share) in enumerate(shares)),
                  key=lambda p: p[1])


@lru_cache(maxsize=8192)
def _parts(account_id: str, ad_group_id: int, day: date, as_of: date, kind: str) -> tuple[Metrics | None, ...]:
    m = ad_group_metrics(account_id, ad_group_id, day, as_of)
    count = ADS_PER_AD_GROUP if kind == "ads" else KEYWORDS_PER_AD_GROUP
    if m is None:
        return (None,) * count
    h = _digest(f"{kind}|{account_id}|{ad_group_id}|{day.isoformat()}", 8)
    weights = tuple(1 + h[i] for i in range(count))
    if kind == "keywords" and keywordless(ad_group_id):
        weights += (1 + h[7] // 2,)  # the keywordless share: served, but in no keyword's row
    return _split(m, weights)[:count]


def ad_metrics(account_id: str, ad: Ad, day: date, as_of: date) -> Metrics | None:
    """The ad's part of its ad group's day: an ad group's ads sum to it exactly."""
    return _parts(account_id, ad.ad_group_id, day, as_of, "ads")[ad.id % 10]


def keyword_metrics(account_id: str, keyword: Keyword, day: date, as_of: date) -> Metrics | None:
    """The keyword's part of its ad group's day (at most the ad group's: see `keywordless`)."""
    return _parts(account_id, keyword.ad_group_id, day, as_of, "keywords")[_KEYWORD_TEXTS.index(keyword.text)]
