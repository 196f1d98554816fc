"""Meta's view of the shared synthetic data: campaigns, ad sets (the neutral ad groups), ads, and ad-level
daily insights as Graph objects (strings for numbers, actions as lists, budgets in cents).

Every value is a pure function of (account, entity, day, as_of), like sandbox.data, so a test can count
what a sync must have loaded without fixtures (`expected`). Conversions mature over 28 days here:
Meta credits a conversion to the day of the impression, so recent days keep growing for weeks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
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
#: the neutral statuses as Meta names them: a removed object is DELETED at Meta
_STATUS = {"ENABLED": "ACTIVE", "PAUSED": "PAUSED", "REMOVED": "DELETED"}
#: what an account-node read returns when its request has no `effective_status` filtering: Meta leaves
#: ARCHIVED and DELETED objects out unless asked for them
DEFAULT_STATUSES = frozenset({"ACTIVE", "PAUSED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "IN_PROCESS",
                              "WITH_ISSUES", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED",
                              "PENDING_BILLING_INFO"})


#: what an account-node ad-level read filtered to every delivered status returns: DELETED ads never
ACCOUNT_NODE_DELIVERED = DEFAULT_STATUSES | {"ARCHIVED"}


@dataclass(frozen=True)
class Ad:
    id: int
    adset_id: int
    campaign_id: int
    name: str
    status: str
    #: the ad's own status, or its ad set's or campaign's when that one is archived or deleted
    effective_status: str = ""


def campaign_status(account_id: str, volume: Volume = DEFAULT_VOLUME) -> dict[int, str]:
    """Meta's status per campaign: the removed (third) campaign is DELETED, and the second of three or
    more is ARCHIVED (it delivered before it was archived)."""
    out = {}
    for index, c in enumerate(data.campaigns(account_id, volume)):
        status = _STATUS[c.status]
        if index == 1 and volume.campaigns >= 3 and status != "DELETED":
            status = "ARCHIVED"
        out[c.id] = status
    return out


def adset_status(account_id: str, volume: Volume = DEFAULT_VOLUME) -> dict[int, str]:
    """An ad set of an archived or deleted campaign is archived or deleted with it."""
    campaigns = campaign_status(account_id, volume)
    out = {}
    for g in data.ad_groups(account_id, volume):
        parent = campaigns[g.campaign_id]
        out[g.id] = parent if parent in ("ARCHIVED", "DELETED") else _STATUS[g.status]
    return out


@lru_cache(maxsize=256)
def _ads(account_id: str, volume: Volume) -> tuple[Ad, ...]:
    """Two ads per ad set. In the first campaign the second ad of the first ad set is ARCHIVED and the
    second ad of the second ad set DELETED: both delivered in every recent window."""
    adsets = adset_status(account_id, volume)
    first_campaign = data.campaigns(account_id, volume)[0].id
    ads: list[Ad] = []
    for group in data.ad_groups(account_id, volume):
        for k in range(ADS_PER_AD_SET):
            status = "PAUSED" if group.status == "PAUSED" or (group.id + k) % 7 == 0 else "ACTIVE"
            nth_in_campaign = sum(1 for a in ads if a.campaign_id == group.campaign_id)
            if group.campaign_id == first_campaign and nth_in_campaign == 1:
                status = "ARCHIVED"
            elif group.campaign_id == first_campaign and nth_in_campaign == 3:
                status = "DELETED"
            parent = adsets[group.id]
            if parent == "DELETED":
                status = "DELETED"
            effective = parent if parent in ("ARCHIVED", "DELETED") and status != "DELETED" else status
            ads.append(Ad(group.id * 10 + k, group.id, group.campaign_id, f"{group.name} / ad {k + 1}", status,
                          effective))
    return tuple(ads)


def ads(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[Ad]:
    return list(_ads(account_id, volume))


def ad_account(ad_id: int, accounts: Iterable[str], volume: Volume = DEFAULT_VOLUME) -> str | None:
    """Which of `accounts` an ad belongs to (for /<ad_id>/insights and ids= reads)."""
    for account_id in accounts:
        if any(a.id == ad_id for a in _ads(account_id, volume)):
            return account_id
    return None


def _cents(micros: int) -> str:
    return f"{micros // 1_000_000}.{micros % 1_000_000 // 10_000:02d}"


def _centi(value: int) -> str:
    return f"{value // 100}.{value % 100:02d}"


def campaign_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    """Campaign budget optimisation (a campaign budget) on every other campaign."""
    out = []
    for c in data.campaigns(account_id, volume):
        status = campaign_status(account_id, volume)[c.id]
        obj: dict[str, Any] = {"id": str(c.id), "name": c.name, "status": status, "effective_status": status,
                               "objective": _OBJECTIVES[c.channel]}
        if c.id % 2 == 0:
            obj["daily_budget"] = str(2_000 + c.id % 40 * 500)
        out.append(obj)
    return out


def adset_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    """Ad sets carry budgets where their campaign has none (a daily or a lifetime budget)."""
    cbo = {c.id for c in data.campaigns(account_id, volume) if c.id % 2 == 0}
    statuses = adset_status(account_id, volume)
    out = []
    for g in data.ad_groups(account_id, volume):
        obj: dict[str, Any] = {"id": str(g.id), "name": g.name, "status": statuses[g.id],
                               "effective_status": statuses[g.id], "campaign_id": str(g.campaign_id)}
        if g.campaign_id not in cbo:
            key = "lifetime_budget" if g.id % 3 == 0 else "daily_budget"
            obj[key] = str(1_000 + g.id % 30 * 250)
        out.append(obj)
    return out


def ad_objects(account_id: str, volume: Volume = DEFAULT_VOLUME) -> list[dict[str, Any]]:
    return [{"id": str(a.id), "name": a.name, "status": a.status, "effective_status": a.effective_status,
             "adset_id": str(a.adset_id), "campaign_id": str(a.campaign_id)} for a in _ads(account_id, volume)]


def _split(total_centi: int, action_type: str) -> dict[str, str]:
    """An action: its total and the part per attribution window (4/5 click-through, the rest view-through)."""
    click = total_centi * 4 // 5
    return {"action_type": action_type, "value": _centi(total_centi), "7d_click": _centi(click),
            "1d_view": _centi(total_centi - click)}


def insight(account_id: str, ad: Ad, day: date, as_of: date, now: datetime | None = None) -> dict[str, Any] | None:
    """One ad's day as /insights returns it with level=ad, time_increment=1; None when it did not deliver.

    Conversions are split 3:2 between `purchase` and `lead`; all the value is on purchases. The pixel's
    own `offsite_conversion.fb_pixel_purchase` repeats the purchases (a sum over both would count twice),
    `link_click` has no view-through window, and `complete_registration` is there for accounts that
    configure it.
    """
    m = data.ad_group_metrics(account_id, ad.id, day, as_of, lag_days=CONVERSION_LAG_DAYS, now=now)
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
    statuses: Iterable[str] | None = None,
    ad_ids: Iterable[str] | None = None,
    position: tuple[int, int] = (0, 0),
    now: datetime | None = None,
) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    """Rows ordered by day, then ad, from `position` (day offset, ad index) on, each with the position
    of the row after it: a cursor can resume without recomputing what came before.

    `statuses`: only ads whose effective status is one of them (None: every ad, deleted ones too, which
    is what the account's totals and a by-id read count); `ad_ids`: only these ads.
    """
    wanted = {int(c) for c in campaign_ids} if campaign_ids is not None else None
    status_set = frozenset(statuses) if statuses is not None else None
    id_set = {int(i) for i in ad_ids} if ad_ids is not None else None
    chosen = [a for a in _ads(account_id, volume) if (wanted is None or a.campaign_id in wanted)
              and (status_set is None or a.effective_status in status_set)
              and (id_set is None or a.id in id_set)]
    day_offset, ad_index = position
    while start + timedelta(days=day_offset) <= end:
        day = start + timedelta(days=day_offset)
        while ad_index < len(chosen):
            row = insight(account_id, chosen[ad_index], day, as_of, now)
            ad_index += 1
            if row is not None:
                yield (day_offset, ad_index), row
        day_offset, ad_index = day_offset + 1, 0


def _add_actions(total: dict[str, dict[str, int]], actions: Iterable[dict[str, str]]) -> None:
    for action in actions:
        into = total.setdefault(action["action_type"], {})
        for key, value in action.items():
            if key != "action_type":
                into[key] = into.get(key, 0) + round(Decimal(value) * 100)


def _actions_out(total: dict[str, dict[str, int]]) -> list[dict[str, str]]:
    return [{"action_type": kind, **{k: _centi(v) for k, v in parts.items()}} for kind, parts in total.items()]


def account_insights(
    account_id: str, start: date, end: date, as_of: date, *, volume: Volume = DEFAULT_VOLUME, day_offset: int = 0,
    now: datetime | None = None,
) -> Iterator[tuple[tuple[int, int], dict[str, Any]]]:
    """`level=account` rows, one per day with delivery: the sums over every ad, archived and deleted ones
    included (the account's spend is all of it), from `day_offset` on."""
    all_ads = _ads(account_id, volume)
    while start + timedelta(days=day_offset) <= end:
        day = start + timedelta(days=day_offset)
        day_offset += 1
        impressions = clicks = spend_centi = 0
        actions: dict[str, dict[str, int]] = {}
        values: dict[str, dict[str, int]] = {}
        delivered = False
        for ad in all_ads:
            row = insight(account_id, ad, day, as_of, now)
            if row is None:
                continue
            delivered = True
            impressions += int(row["impressions"])
            clicks += int(row["clicks"])
            spend_centi += round(Decimal(row["spend"]) * 100)
            _add_actions(actions, row["actions"])
            _add_actions(values, row.get("action_values", []))
        if not delivered:
            continue
        out: dict[str, Any] = {"account_id": account_id, "date_start": day.isoformat(), "date_stop": day.isoformat(),
                               "impressions": str(impressions), "clicks": str(clicks), "spend": _centi(spend_centi),
                               "actions": _actions_out(actions)}
        if values:
            out["action_values"] = _actions_out(values)
        yield (day_offset, 0), out


@dataclass(frozen=True)
class Expected:
    rows: int
    spend: Decimal
    impressions: int


def expected(
    account_id: str, start: date, end: date, as_of: date, volume: Volume = DEFAULT_VOLUME,
    statuses: Iterable[str] | None = None, now: datetime | None = None,
) -> Expected:
    """What a complete load of the window must hold: ad-day rows, spend and impressions (of every ad, or
    of the ads in `statuses`: what one account-node read returns)."""
    rows, spend, impressions = 0, Decimal(0), 0
    for _, row in insights(account_id, start, end, as_of, volume=volume, statuses=statuses, now=now):
        rows += 1
        spend += Decimal(row["spend"])
        impressions += int(row["impressions"])
    return Expected(rows, spend, impressions)
