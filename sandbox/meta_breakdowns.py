"""Meta insights beyond ad-level daily rows: `breakdowns` (age, gender, device_platform, publisher_platform),
levels adset and campaign (and account with breakdowns or reach), and the derived fields custom reports ask
for (inline_link_clicks, ctr, cpc, cpm, object names).

Everything is built from meta_data's ad rows, so the numbers agree with them exactly the way Meta's do:
- a breakdown splits each ad's day: impressions, clicks, spend (in cents) and every action (each attribution
  window, in its own unit) are split in integers that sum to the ad's numbers exactly; a part without
  impressions is not served and its share goes to the largest part;
- an adset, campaign or account row is the sum of its ads' rows (broken down the same way), so the
  breakdown of any level sums to that level's unbroken-down row for every additive field;
- reach is not additive: a part or a sum counts people once per row, so parts sum to more than the whole
  for overlapping breakdowns, and an aggregate has less than the sum of its ads' reach.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from functools import lru_cache
from typing import Any

from . import data
from .data import Volume

#: each breakdown's values and their typical share of delivery (data.split_weights weights)
BREAKDOWNS: dict[str, tuple[tuple[str, int], ...]] = {
    "age": (("18-24", 14), ("25-34", 28), ("35-44", 22), ("45-54", 16), ("55-64", 12), ("65+", 8)),
    "gender": (("female", 48), ("male", 47), ("unknown", 5)),
    "device_platform": (("mobile_app", 70), ("mobile_web", 18), ("desktop", 12)),
    "publisher_platform": (("facebook", 55), ("instagram", 35), ("audience_network", 6), ("messenger", 4)),
}
#: the combinations of more than one breakdown Meta accepts (of these four)
COMBINATIONS = frozenset({frozenset({"age", "gender"}), frozenset({"device_platform", "publisher_platform"})})
LEVELS = ("ad", "adset", "campaign", "account")
#: the level's id fields a row carries (the account's id is on every row)
LEVEL_IDS = {"ad": ("campaign_id", "adset_id", "ad_id"), "adset": ("campaign_id", "adset_id"),
             "campaign": ("campaign_id",), "account": ()}
#: insights fields computed from a row's own numbers when asked for
DERIVED_FIELDS = frozenset({"inline_link_clicks", "ctr", "cpc", "cpm", "campaign_name", "adset_name", "ad_name"})
_WINDOW_KEYS = ("7d_click", "1d_view")
_SIX = Decimal("0.000001")


def combination_ok(breakdowns: Iterable[str]) -> bool:
    chosen = frozenset(breakdowns)
    return len(chosen) <= 1 or chosen in COMBINATIONS


# -- numbers as Graph writes them: whole counts, or two-decimal amounts -------------------------------------


def _units(text: str) -> tuple[int, bool]:
    """A Graph number as an integer and whether it is in hundredths ("12.34") rather than whole ("12")."""
    if "." in text:
        whole, _, frac = text.partition(".")
        return int(whole) * 100 + int((frac + "00")[:2]), True
    return int(text), False


def _text(units: int, centi: bool) -> str:
    return f"{units // 100}.{units % 100:02d}" if centi else str(units)


# -- breakdowns ---------------------------------------------------------------------------------------------


def _split_parts(value: int, weights: tuple[int, ...], dropped: list[int]) -> list[int]:
    parts = data.split_int(value, weights)
    for i in dropped:
        parts[-1] += parts[i]
        parts[i] = 0
    return parts


def _split_actions(actions: list[dict[str, str]], weights: tuple[int, ...], dropped: list[int]
                   ) -> list[list[dict[str, str]]]:
    """Each action's every number split like the row; an action with nothing in a part is not in it."""
    out: list[list[dict[str, str]]] = [[] for _ in weights]
    for action in actions:
        keys = [k for k in action if k != "action_type"]
        whole = {k: _units(action[k]) for k in keys}
        split = {k: _split_parts(units, weights, dropped) for k, (units, _) in whole.items()}
        windows = [k for k in _WINDOW_KEYS if k in whole]
        # value is the sum of the attribution windows (in the same unit): keep it so in every part
        summed = "value" in whole and bool(windows) and whole["value"] == (
            sum(whole[k][0] for k in windows), whole[windows[0]][1])
        for i in range(len(weights)):
            part = {k: _text(split[k][i], whole[k][1]) for k in keys}
            if summed:
                part["value"] = _text(sum(split[k][i] for k in windows), whole["value"][1])
            if any(split[k][i] for k in keys):
                out[i].append({"action_type": action["action_type"], **part})
    return out


def split_row(row: dict[str, Any], breakdown: str, key: str) -> list[dict[str, Any]]:
    """One row split over one breakdown's values; the parts' additive numbers sum to the row's exactly."""
    weighted = data.split_weights(f"{breakdown}|{key}", BREAKDOWNS[breakdown])
    weights = tuple(w for _, w in weighted)
    impressions = data.split_int(int(row["impressions"]), weights)
    dropped = [i for i, n in enumerate(impressions[:-1]) if n == 0]
    impressions = _split_parts(int(row["impressions"]), weights, dropped)
    clicks = _split_parts(int(row["clicks"]), weights, dropped)
    spend = _split_parts(_units(row["spend"])[0], weights, dropped)
    actions = _split_actions(row.get("actions", []), weights, dropped)
    values = _split_actions(row.get("action_values", []), weights, dropped)
    whole_reach = int(row.get("reach") or 0)
    parts = []
    for i, (label, _) in enumerate(weighted):
        if not impressions[i]:
            continue
        part = {k: v for k, v in row.items() if k not in ("actions", "action_values", "reach", "frequency")}
        part.update({breakdown: label, "impressions": str(impressions[i]), "clicks": str(clicks[i]),
                     "spend": _text(spend[i], True), "actions": actions[i]})
        if values[i]:
            part["action_values"] = values[i]
        if whole_reach:
            reach = max(1, min(impressions[i], whole_reach * impressions[i] // int(row["impressions"]) + 1))
            part["reach"], part["frequency"] = str(reach), f"{impressions[i] / reach:.6f}"
        parts.append(part)
    order = [label for label, _ in BREAKDOWNS[breakdown]]
    return sorted(parts, key=lambda p: order.index(p[breakdown]))


def broken_down(row: dict[str, Any], breakdowns: tuple[str, ...]) -> list[dict[str, Any]]:
    """An ad's day split over every breakdown in turn (age, then gender within each age band)."""
    rows = [row]
    for breakdown in breakdowns:
        rows = [part for r in rows for part in split_row(
            r, breakdown, "|".join([r["ad_id"], r["date_start"], *(str(r.get(b)) for b in breakdowns)]))]
    return rows


# -- levels -------------------------------------------------------------------------------------------------


def _add_actions(into: dict[str, dict[str, tuple[int, bool]]], actions: Iterable[dict[str, str]]) -> None:
    for action in actions:
        parts = into.setdefault(action["action_type"], {})
        for k, v in action.items():
            if k != "action_type":
                units, centi = _units(v)
                old = parts.get(k, (0, centi))
                parts[k] = (old[0] + units, old[1] or centi)


def _actions_out(total: dict[str, dict[str, tuple[int, bool]]]) -> list[dict[str, str]]:
    return [{"action_type": kind, **{k: _text(u, c) for k, (u, c) in parts.items()}} for kind, parts in total.items()]


def aggregate(rows: Iterable[dict[str, Any]], level: str, breakdowns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Ad rows (already broken down) summed per day, level object and breakdown values; rows arrive ordered
    by day, and each day's sums are served in the order their first ad came."""
    ids = LEVEL_IDS[level]
    day: str | None = None
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in [*rows, None]:
        if row is None or row["date_start"] != day:
            yield from (_finish(g) for g in groups.values())
            groups = {}
            if row is None:
                return
            day = row["date_start"]
        key = tuple(row.get(k) for k in (*ids, *breakdowns))
        group = groups.get(key)
        if group is None:
            group = groups[key] = {"head": {k: row[k] for k in ("account_id", *ids, "date_start", "date_stop",
                                                                 *breakdowns)},
                                   "impressions": 0, "clicks": 0, "spend": 0, "reach": [], "actions": {},
                                   "action_values": {}}
        group["impressions"] += int(row["impressions"])
        group["clicks"] += int(row["clicks"])
        group["spend"] += _units(row["spend"])[0]
        if row.get("reach"):
            group["reach"].append(int(row["reach"]))
        _add_actions(group["actions"], row.get("actions", []))
        _add_actions(group["action_values"], row.get("action_values", []))


def _finish(group: dict[str, Any]) -> dict[str, Any]:
    out = {**group["head"], "impressions": str(group["impressions"]), "clicks": str(group["clicks"]),
           "spend": _text(group["spend"], True), "actions": _actions_out(group["actions"])}
    if group["action_values"]:
        out["action_values"] = _actions_out(group["action_values"])
    if group["reach"]:
        reach = max(max(group["reach"]), sum(group["reach"]) * 3 // 4)  # people reached by several ads count once
        out["reach"], out["frequency"] = str(reach), f"{group['impressions'] / reach:.6f}"
    return out


def shaped(ad_rows: Iterable[dict[str, Any]], level: str, breakdowns: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """Ad rows as a request with `level` and `breakdowns` sees them."""
    rows: Iterable[dict[str, Any]] = ad_rows
    if breakdowns:
        rows = (part for row in ad_rows for part in broken_down(row, breakdowns))
    return iter(rows) if level == "ad" else aggregate(rows, level, breakdowns)


# -- derived fields -----------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _names(account_id: str, volume: Volume) -> dict[str, dict[str, str]]:
    from . import meta_data

    return {"campaign_name": {str(c.id): c.name for c in data.campaigns(account_id, volume)},
            "adset_name": {str(g.id): g.name for g in data.ad_groups(account_id, volume)},
            "ad_name": {str(a.id): a.name for a in meta_data.ads(account_id, volume)}}


_NAME_IDS = {"campaign_name": "campaign_id", "adset_name": "adset_id", "ad_name": "ad_id"}


def _ratio(numerator: Decimal, denominator: int, scale: int) -> str | None:
    return str((numerator * scale / denominator).quantize(_SIX)) if denominator else None


def with_derived(row: dict[str, Any], fields: Iterable[str], volume: Volume) -> dict[str, Any]:
    """The row plus the derived fields asked for (a rate is left out when its denominator is zero, as Meta
    does)."""
    wanted = DERIVED_FIELDS.intersection(fields)
    if not wanted:
        return row
    row = dict(row)
    impressions, clicks, spend = int(row["impressions"]), int(row["clicks"]), Decimal(row["spend"])
    values = {
        "inline_link_clicks": next((a["value"] for a in row.get("actions", ()) if a["action_type"] == "link_click"),
                                   "0"),
        "ctr": _ratio(Decimal(clicks), impressions, 100), "cpc": _ratio(spend, clicks, 1),
        "cpm": _ratio(spend, impressions, 1000),
    }
    for field in wanted:
        if field in _NAME_IDS:
            object_id = row.get(_NAME_IDS[field])
            value = _names(str(row["account_id"]), volume)[field].get(str(object_id)) if object_id else None
        else:
            value = values[field]
        if value is not None:
            row[field] = value
    return row
