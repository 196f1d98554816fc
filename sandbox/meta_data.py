"""Meta's view of the shared synthetic data: campaigns, ad sets (the neutral ad groups), ads, and ad-level
daily insights as Graph objects (strings for numbers, actions as lists, budgets in cents).

Every value is a pure function of (account, entity, day, as_of), like sandbox.data, so a test can count
what a sync must have loaded without fixtures (`expected`). Conversions mature over 28 days here:
Meta credits a conversion to the day of the impression, so recent days keep growing for weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import data
from .data import Volume

CONVERSION_LAG_DAYS = 28
DEFAULT_VOLUME = Volume()
ADS_PER_AD_SET = 2
_OBJECTIVES = {"SEARCH": "OUTCOME_SALES", "SHOPPING": "OUTCOME_SALES", "DISPLAY": "OUTCOME_AWARENESS",
               "VIDEO": "OUTCOME_ENGAGEMENT"}
_STATUS = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED"}


@dataclass(frozen=True)
class Ad:
    id: int
    adset_id: int
    campaign_id: int
    name: str
    status: str


@lru_cache(maxsize=256)
def _ads(account_id: str, volume: Volume) -> tuple[Ad, ...]:
    ads = []
    for group in data.ad_groups(account_id, volume):
        for k in range(ADS_PER_AD_SET):
            status = "PAUSED" if group.status == "PAUSED" or (group.id + k) % 7 == 0 else "ACTIVE"
            ads.append(Ad(group.id * 10 + k, group.id, group.campaign_id, f"{group.name} / ad {k + 1}", status))
    return tuple(ads)


def ads(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[Ad]:
    return list(_ads(account_id, volume))


def _cents(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000 // 10_000:02d}"


def _centi(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def campaign_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    """Campaign budget optimisation (a campaign budget) on every other campaign."""
    out = []
    for c in data.campaigns(account_id, volume):
        obj: dict[str, Any] = {"id": str(c.id), "name": c.name, "status": _STATUS[c.status],
                               "objective": _OBJECTIVES[c.channel]}
        if c.id % 2 == 0:
            obj["daily_budget"] = str(2_000 + c.id % 40 * 500)
        out.append(obj)
    return out


def adset_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    """Ad sets carry budgets where their campaign has none (a daily or a lifetime budget)."""
    cbo = {c.id for c in data.campaigns(account_id, volume) if c.id % 2 == 0}
    out = []
    for g in data.ad_groups(account_id, volume):
        obj: dict[str, Any] = {"id": str(g.id), "name": g.name, "status": _STATUS[g.status],
                               "campaign_id": str(g.campaign_id)}
        if g.campaign_id not in cbo:
            key = "lifetime_budget" if g.id % 3 == 0 else "daily_budget"
            obj[key] = str(1_000 + g.id % 30 * 250)
        out.append(obj)
    return out


def ad_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    return [{"id": str(a.id), "name": a.name, "status": a.status, "adset_id": str(a.adset_id),
             "campaign_id": str(a.campaign_id)} for a in _ads(account_id, volume)]


def _split(total_centi: int, action_type: str) -> dict[str, str]:
    """An action: its total and the part per attribution window (4/5 click-through, the rest view-through)."""
    click = total_centi * 4 // 5
    return {"action_type": action_type, "value": _centi(total_centi), "7d_click": _centi(click),
            "1d_view": _centi(total_centi - click)}


def insight(account_id: str, ad: Ad, day: date, as_of: date) -> dict[str, Any] | None:
    """One ad's day as /insights returns it with level=ad, time_increment=1; None when it did not deliver.

    Conversions are split 3:2 between `purchase` and `lead`; all the value is on purchases. The pixel's
    own `offsite_conversion.fb_pixel_purchase` repeats the purchases (a sum over both would count twice),
    `link_click` has no view-through window, and `complete_registration` is there for accounts that
    configure it.
    """
    m = data.ad_group_metrics(account_id, ad.id, day, as_of, lag_days=CONVERSION_LAG_DAYS)
    if m is None:
        return None
    conversions = round(m.conversions * 100)
    value = round(m.conversion_value * 100)
    purchases = conversions * 3 // 5
    registrations = m.clicks * (ad.id % 5) // 10 * 100
    reach = max(1, m.impressions * (60 + ad.id % 36) // 100)
    actions = [{"action_type": "link_click", "value": str(m.clicks * 9 // 10), "7d_click": str(m.clicks * 9 // 10)}]
    for kind, amount in (("purchase", purchases), ("offsite_conversion.fb_pixel_purchase", purchases),
                         ("lead", conversions - purchases), ("complete_registration", registrations)):
        if amount:
            actions.append(_split(amount, kind))
    values = [_split(value, k) for k in ("purchase", "offsite_conversion.fb_pixel_purchase")] if value else []
    row: dict[str, Any] = {
        "account_id": account_id, "campaign_id": str(ad.campaign_id), "adset_id": str(ad.adset_id),
        "ad_id": str(ad.id), "date_start": day.isoformat(), "date_stop": day.isoformat(),
        "impressions": str(m.impressions), "clicks": str(m.clicks), "spend": _cents(m.cost_micros),
        "reach": str(reach), "frequency": f"{m.impressions / reach:.6f}", "actions": actions,
    }
    if values:
        row["action_values"] = values
    return row


def insights(
    account_id: str,
    start: date,
    end: date,
    as_of: date,
    *,
    volume: Volume = DEFAULT_VOLUME,
    campaign_ids: Iterable[str] | None = None,
    position: tuple[int, int] = (0, 0),
) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    """Rows ordered by day, then ad, from `position` (day offset, ad index) on, each with the position
    of the row after it: a cursor can resume without recomputing what came before."""
    wanted = {int(c) for c in campaign_ids} if campaign_ids is not None else None
    chosen = [a for a in _ads(account_id, volume) if wanted is None or a.campaign_id in wanted]
    day_offset, ad_index = position
    while start + timedelta(days=day_offset) <= end:
        day = start + timedelta(days=day_offset)
        while ad_index < len(chosen):
            row = insight(account_id, chosen[ad_index], day, as_of)
            ad_index += 1
            if row is not None:
                yield (day_offset, ad_index), row
        day_offset, ad_index = day_offset + 1, 0


@dataclass(frozen=True)
class Expected:
    rows: int
    spend: Decimal
    impressions: int


def expected(
    account_id: str, start: date, end: date, as_of: date, volume: Volume = DEFAULT_VOLUME
) -> Expected:
    """What a complete load of the window must hold: ad-day rows, spend and impressions."""
    rows, spend, impressions = 0, Decimal(0), 0
    for _, row in insights(account_id, start, end, as_of, volume=volume):
        rows += 1
        spend += Decimal(row["spend"])
        impressions += int(row["impressions"])
    return Expected(rows, spend, impressions)
