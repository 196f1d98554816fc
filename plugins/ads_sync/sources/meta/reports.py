"""Meta Marketing API knowledge, apart from plumbing: Graph fields, action types, attribution windows,
retention, error codes, usage headers, async job splitting and how a Graph object becomes a tuple.

Pure: no SDK, no Airflow, no network; every rule here is testable with plain dicts.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from ads_sync.errors import JobsExhausted, RowError
from ads_sync.reports.columns import Column, SqlType
from ads_sync.reports.declaration import MetaRequest, Report, RollupDecl, ids, keyed
from ads_sync.tables import AD_GROUP_DAILY, CAMPAIGN_DAILY
from ads_sync.windows import Window

API_VERSION = "v26.0"
RETENTION_MONTHS = 37
#: Graph's largest page for these edges; fewer round trips for the same rows
PAGE_LIMIT = 500
#: windows longer than this many days are requested as async report runs
ASYNC_THRESHOLD_DAYS = 14
#: what an account counts as a conversion unless its registry entry says otherwise
DEFAULT_ACTION_TYPES: tuple[str, ...] = ("purchase", "lead")
#: Meta's default attribution (7-day click, 1-day view). 28d_click went in 2021 and 7d_view / 28d_view
#: stopped being returned on 2026-01-12, so asking for them would silently read as zero.
ATTRIBUTION_WINDOWS: tuple[str, ...] = ("7d_click", "1d_view")

CAMPAIGN_FIELDS = ("id", "name", "status", "objective", "daily_budget", "lifetime_budget")
ADSET_FIELDS = ("id", "name", "status", "campaign_id", "daily_budget", "lifetime_budget")
AD_FIELDS = ("id", "name", "status", "effective_status", "adset_id", "campaign_id")
INSIGHT_FIELDS = (
    "date_start", "date_stop", "campaign_id", "adset_id", "ad_id",
    "impressions", "clicks", "spend", "reach", "frequency", "actions", "action_values",
)
#: what an account's daily totals (level=account) are read with: the metrics the ad rows carry
ACCOUNT_TOTAL_FIELDS = ("date_start", "date_stop", "impressions", "clicks", "spend", "actions", "action_values")
#: every effective status an ad can have delivered in. Account-node insights leave ARCHIVED ads out unless
#: the filter names them, and never return DELETED ones (those are read by id: `ids=`), so DELETED is not here
DELIVERED_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "CAMPAIGN_PAUSED", "ADSET_PAUSED", "IN_PROCESS",
                      "WITH_ISSUES", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO")
#: entities are read in every status, deleted ones included: their spend is real and rows refer to them
ENTITY_STATUSES = (*DELIVERED_STATUSES, "DELETED")
#: Graph's limit on the ids of one multiple-id read
IDS_PER_REQUEST = 50

# -- the reports, declared ---------------------------------------------------------------------------

_TEXT: SqlType = "text"
#: budgets in the account's currency (from the minor unit); null where the entity has none
_BUDGETS = (Column("daily_budget", "numeric", False, "daily_budget"),
            Column("lifetime_budget", "numeric", False, "lifetime_budget"))
#: the entities, read from their edges in every status; budgets on campaigns and ad sets (Google Ads loads
#: of the same tables leave those columns alone)
ENTITIES: dict[str, Report] = {r.name: r for r in (
    Report("campaigns", "campaigns", keyed((*ids(("id", "id")), Column("name", _TEXT, False, "name"),
                                            Column("status", _TEXT, False, "status"),
                                            Column("channel", _TEXT, False, "objective"), *_BUDGETS), "id"),
           MetaRequest(CAMPAIGN_FIELDS, "campaign", edge="campaigns"), windowed=False),
    Report("ad_groups", "ad_groups", keyed((*ids(("id", "id"), ("campaign_id", "campaign_id")),
                                            Column("name", _TEXT, False, "name"),
                                            Column("status", _TEXT, False, "status"), *_BUDGETS), "id"),
           MetaRequest(ADSET_FIELDS, "adset", edge="adsets"), windowed=False),
    # the effective status is stored: it decides whether the account node still returns the ad's numbers
    Report("ads", "ads", keyed((*ids(("id", "id"), ("ad_group_id", "adset_id"), ("campaign_id", "campaign_id")),
                                Column("name", _TEXT, False, "name"),
                                Column("status", _TEXT, False, "effective_status")), "id"),
           MetaRequest(AD_FIELDS, "ad", edge="ads"), windowed=False),
)}
#: Meta reports by ad: campaign and ad set facts are sums of the ad rows (rolled up in SQL, no request).
#: reach and frequency are not additive (people reached twice count once), so they stay at ad level.
AD_DAILY = Report(
    "ad_daily", "ad_daily",
    (Column("date", "date", True, "date_start"), Column("ad_id", _TEXT, True, "ad_id"),
     *ids(("ad_group_id", "adset_id"), ("campaign_id", "campaign_id")),
     Column("impressions", "bigint", False, "impressions"), Column("clicks", "bigint", False, "clicks"),
     Column("cost", "numeric", False, "spend"), Column("conversions", "numeric", False, "actions"),
     Column("conversion_value", "numeric", False, "action_values"), Column("reach", "bigint", False, "reach"),
     Column("frequency", "numeric", False, "frequency")),
    MetaRequest(INSIGHT_FIELDS, "ad"),
    entities=("campaigns", "ad_groups", "ads"),
    rollups=(RollupDecl(CAMPAIGN_DAILY, "rollup/campaign_daily_from_ad_daily.sql"),
             RollupDecl(AD_GROUP_DAILY, "rollup/ad_group_daily_from_ad_daily.sql")),
)
REPORTS: dict[str, Report] = {AD_DAILY.name: AD_DAILY}
#: edge and fields per entity table
ENTITY_EDGES = {name: (r.request.edge, r.request.fields) for name, r in ENTITIES.items()
                if isinstance(r.request, MetaRequest)}

#: currencies Meta counts budgets in whole units (offset 1); every other currency is in cents (offset 100)
WHOLE_UNIT_CURRENCIES = frozenset({"CLP", "COP", "CRC", "HUF", "ISK", "IDR", "JPY", "KRW", "PYG", "TWD", "VND"})

# -- errors ----------------------------------------------------------------------------------------

ErrorKind = Literal["auth", "transient", "shrink", "invalid"]
#: 1 unknown, 2 service, 4 app rate limit, 17 user rate limit, 32 page rate limit, 341 app limit,
#: 613 calls within an hour, 80000-80014 business use case rate limits
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, *range(80000, 80015)})
#: 102 session key, 190 access token, 10 and 200-299 permissions
AUTH_CODES = frozenset({102, 190, 10, *range(200, 300)})
#: (code, subcode) pairs that look transient but never clear: 1/2853001 profile not linked to the account
PERMANENT_AUTH = frozenset({(1, 2853001)})
#: subcodes that mean "the request took too long: ask for a smaller range or fewer fields" (1504018 "Request
#: timed out", whose user message suggests a smaller date range or an async job)
TOO_MUCH_DATA_SUBCODES = frozenset({1504018})
#: what Meta says, under code 1 or 100, when an insights request asks for more than it computes in time
TOO_MUCH_DATA_TEXT = "reduce the amount of data"
#: code 100 (a bad parameter) also covers objects the token cannot see, with these words; 100/33 is
#: "Object with ID 'act_…' does not exist, cannot be loaded due to missing permissions, …"
PERMISSION_TEXTS = ("missing permission", "due to missing permissions")


def error_kind(
    code: int | None, subcode: int | None, http_status: int | None, *, message: str = "", json_body: bool = True
) -> ErrorKind:
    """Classify by code and subcode, never by HTTP status alone (throttling arrives as HTTP 400) nor by
    `is_transient` (codes 2 and 17 have come with false). Message text decides only within one code: code 1
    "reduce the amount of data" is a request to shrink, code 100 "missing permissions" a permission error."""
    text = message.lower()
    if (code, subcode) in PERMANENT_AUTH or code in AUTH_CODES:
        return "auth"
    if code == 100 and any(t in text for t in PERMISSION_TEXTS):
        return "auth"
    if subcode in TOO_MUCH_DATA_SUBCODES or (code in (1, 100) and TOO_MUCH_DATA_TEXT in text):
        return "shrink"
    if code in TRANSIENT_CODES:
        return "transient"
    if code is None and (not json_body or (http_status is not None and http_status >= 500)):
        # no Graph error object at all (a proxy's page, "Service Unavailable" with HTTP 200)
        return "transient"
    return "invalid"


# -- usage headers ---------------------------------------------------------------------------------

#: start slowing down here (percent of any quota), before the limit is hit
SLOW_DOWN_AT = 75.0
#: the pause at 100 %; it grows with the square of how far past SLOW_DOWN_AT usage is
MAX_PAUSE_S = 60.0


@dataclass(frozen=True)
class Usage:
    """What Graph's usage headers say: the highest percentage of any quota and the wait it asks for."""

    pct: float = 0.0
    regain_minutes: float = 0.0

    @property
    def pause_s(self) -> float:
        """Seconds to wait before the next request: the API's own estimate first, else a pause that grows
        as usage nears the limit (the insights header can read ~0 % just before a code 17, so both count)."""
        if self.regain_minutes > 0:
            return self.regain_minutes * 60.0
        if self.pct < SLOW_DOWN_AT:
            return 0.0
        over = min(self.pct, 100.0) - SLOW_DOWN_AT
        return MAX_PAUSE_S * (over / (100.0 - SLOW_DOWN_AT)) ** 2


def _num(value: Any) -> float:
    """Usage numbers come as numbers or as strings."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _json(value: Any) -> Any:
    if not value:
        return None
    try:
        return json.loads(value) if isinstance(value, (str, bytes)) else value
    except ValueError:
        return None


def parse_usage(headers: Mapping[str, str] | None) -> Usage:
    """Read X-Business-Use-Case-Usage, x-fb-ads-insights-throttle, X-Ad-Account-Usage and X-App-Usage
    (case-insensitive names). X-Ad-Account-Usage's `reset_time_duration` (seconds until the account's
    usage is back to zero) counts as the wait when the account is at its limit."""
    if not headers:
        return Usage()
    lower = {str(k).lower(): v for k, v in headers.items()}
    pct, regain = 0.0, 0.0
    buc = _json(lower.get("x-business-use-case-usage"))
    if isinstance(buc, Mapping):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else [entries]:
                if isinstance(entry, Mapping):
                    pct = max(pct, *(_num(entry.get(k)) for k in ("call_count", "total_cputime", "total_time")))
                    regain = max(regain, _num(entry.get("estimated_time_to_regain_access")))
    throttle = _json(lower.get("x-fb-ads-insights-throttle"))
    if isinstance(throttle, Mapping):
        pct = max(pct, _num(throttle.get("app_id_util_pct")), _num(throttle.get("acc_id_util_pct")))
    account = _json(lower.get("x-ad-account-usage"))
    if isinstance(account, Mapping):
        account_pct = _num(account.get("acc_id_util_pct"))
        pct = max(pct, account_pct)
        if account_pct >= 100:
            regain = max(regain, _num(account.get("reset_time_duration")) / 60.0)
    app = _json(lower.get("x-app-usage"))
    if isinstance(app, Mapping):
        pct = max(pct, *(_num(app.get(k)) for k in ("call_count", "total_cputime", "total_time")))
    return Usage(pct, regain)


# -- requests --------------------------------------------------------------------------------------


def insights_params(
    window: Window | tuple[date, date], *, campaign_ids: Iterable[str] | None = None, limit: int = PAGE_LIMIT
) -> dict[str, Any]:
    """Ad-level daily insights for a window (optionally some campaigns): no action breakdowns, the
    attribution windows Meta still returns, conversions credited to the impression's day."""
    start, end = (window.start, window.end) if isinstance(window, Window) else window
    params: dict[str, Any] = {
        "level": "ad",
        "time_increment": 1,
        "time_range": {"since": start.isoformat(), "until": end.isoformat()},
        "fields": ",".join(INSIGHT_FIELDS),
        "action_attribution_windows": list(ATTRIBUTION_WINDOWS),
        "action_report_time": "impression",
        "limit": limit,
    }
    params["filtering"] = [{"field": "ad.effective_status", "operator": "IN", "value": list(DELIVERED_STATUSES)}]
    if campaign_ids is not None:
        params["filtering"].append({"field": "campaign.id", "operator": "IN", "value": sorted(campaign_ids)})
    return params


def by_id_params(window: Window | tuple[date, date], limit: int = PAGE_LIMIT) -> dict[str, Any]:
    """The same daily ad rows, read per object (`/insights?ids=`): how deleted ads' numbers are read."""
    params = insights_params(window, limit=limit)
    del params["filtering"]
    return params


def account_totals_params(window: Window | tuple[date, date], limit: int = PAGE_LIMIT) -> dict[str, Any]:
    """The account's own daily totals for reconciliation: level=account with the ad rows' attribution
    windows and action report time, so the two count conversions the same way."""
    params = insights_params(window, limit=limit)
    del params["filtering"]
    params.update(level="account", fields=",".join(ACCOUNT_TOTAL_FIELDS))
    return params


def entity_params(fields: tuple[str, ...], limit: int = PAGE_LIMIT) -> dict[str, Any]:
    """Every status, deleted and archived included: without the filter Meta leaves both out, and their
    spend is real (entities are stored with their status and never deleted)."""
    return {"fields": ",".join(fields), "limit": limit,
            "filtering": [{"field": "effective_status", "operator": "IN", "value": list(ENTITY_STATUSES)}]}


def describe(path: str, params: Mapping[str, Any]) -> str:
    """A request as a person reads it (for logs and dry runs): never holds a token."""
    return f"{path}?" + "&".join(
        f"{k}={json.dumps(v, separators=(',', ':')) if not isinstance(v, str) else v}" for k, v in params.items()
    )


def needs_async(window: Window) -> bool:
    return window.days > ASYNC_THRESHOLD_DAYS


# -- rows ------------------------------------------------------------------------------------------


def _decimal(value: Any, where: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RowError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise RowError(f"{where}: {value!r} is not a non-negative number")
    return number


def _text(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.000001")), "f")


def _int(value: Any, where: str) -> int:
    number = _decimal(value, where)
    if number != number.to_integral_value():
        raise RowError(f"{where}: {value!r} is not a whole number")
    return int(number)


def budget(value: Any, currency: str, where: str) -> str | None:
    """Budgets come as strings in the currency's minor unit (cents, or whole yen)."""
    if value in (None, "", "0"):
        return None
    offset = 1 if currency in WHOLE_UNIT_CURRENCIES else 100
    return _text(_decimal(value, where) / offset)


def action_total(actions: Any, wanted: Iterable[str], where: str = "") -> Decimal:
    """Sum of the wanted action types over the attribution windows asked for.

    With `action_attribution_windows` each action carries one key per window; "value" is only used when
    none of them is present (an account whose response leaves them out). Types not wanted are ignored,
    so overlapping types (purchase and offsite_conversion.fb_pixel_purchase) are never added twice.
    """
    if not actions:
        return Decimal(0)
    if not isinstance(actions, list):
        raise RowError(f"{where}: actions is {type(actions).__name__}, expected a list")
    wanted = set(wanted)
    total = Decimal(0)
    for action in actions:
        if not isinstance(action, Mapping) or action.get("action_type") not in wanted:
            continue
        kind = action["action_type"]
        windows = [action[w] for w in ATTRIBUTION_WINDOWS if w in action]
        if windows:
            total += sum((_decimal(v, f"{where} {kind}") for v in windows), Decimal(0))
        else:
            total += _decimal(action.get("value"), f"{where} {kind}")
    return total


def campaign_row(obj: Mapping[str, Any], currency: str) -> tuple[object, ...]:
    where = f"campaign {obj.get('id')}"
    return (
        str(obj["id"]), obj.get("name"), obj.get("status"), obj.get("objective"),
        budget(obj.get("daily_budget"), currency, where), budget(obj.get("lifetime_budget"), currency, where),
    )


def adset_row(obj: Mapping[str, Any], currency: str) -> tuple[object, ...]:
    where = f"ad set {obj.get('id')}"
    return (
        str(obj["id"]), str(obj["campaign_id"]), obj.get("name"), obj.get("status"),
        budget(obj.get("daily_budget"), currency, where), budget(obj.get("lifetime_budget"), currency, where),
    )


def ad_row(obj: Mapping[str, Any], _currency: str = "") -> tuple[object, ...]:
    """The effective status is stored (an ad of a deleted ad set is DELETED even if its own status is not):
    it is what decides whether the account node still returns the ad's numbers."""
    return (str(obj["id"]), str(obj["adset_id"]), str(obj["campaign_id"]), obj.get("name"),
            obj.get("effective_status") or obj.get("status"))


ENTITY_ROWS = {"campaigns": campaign_row, "ad_groups": adset_row, "ads": ad_row}


def insight_row(obj: Mapping[str, Any], start: str, end: str, action_types: Iterable[str]) -> tuple[object, ...]:
    """One ad's day: (date, ad_id, ad_group_id, campaign_id, impressions, clicks, cost, conversions,
    conversion_value, reach, frequency), the order of tables.AD_DAILY."""
    day = obj.get("date_start")
    where = f"ad {obj.get('ad_id')} on {day}"
    if not isinstance(day, str) or obj.get("date_stop") != day:
        raise RowError(f"{where}: expected one day per row (time_increment=1), got {day}..{obj.get('date_stop')}")
    if not start <= day <= end:
        raise RowError(f"{where}: date is outside the window {start}..{end}")
    frequency = obj.get("frequency")
    return (
        day, str(obj["ad_id"]), str(obj["adset_id"]), str(obj["campaign_id"]),
        _int(obj.get("impressions"), where), _int(obj.get("clicks"), where),
        _text(_decimal(obj.get("spend"), where)),
        _text(action_total(obj.get("actions"), action_types, where)),
        _text(action_total(obj.get("action_values"), action_types, where)),
        _int(obj.get("reach"), where) if obj.get("reach") not in (None, "") else None,
        _text(_decimal(frequency, where)) if frequency not in (None, "") else None,
    )


def account_total(
    obj: Mapping[str, Any], action_types: Iterable[str]
) -> tuple[date, int, int, Decimal, Decimal, Decimal]:
    """One day of level=account insights: (date, impressions, clicks, cost, conversions, conversion value),
    exact decimals counted exactly as the ad rows are (insight_row)."""
    day = obj.get("date_start")
    where = f"account totals on {day}"
    if not isinstance(day, str) or obj.get("date_stop") != day:
        raise RowError(f"{where}: expected one day per row (time_increment=1), got {day}..{obj.get('date_stop')}")
    types = tuple(action_types)
    return (date.fromisoformat(day), _int(obj.get("impressions"), where), _int(obj.get("clicks"), where),
            _decimal(obj.get("spend"), where), action_total(obj.get("actions"), types, where),
            action_total(obj.get("action_values"), types, where))


def insight_rows(
    objs: Iterable[Mapping[str, Any]], window: tuple[date, date], action_types: Iterable[str]
) -> Iterator[tuple[object, ...]]:
    start, end = window[0].isoformat(), window[1].isoformat()
    types = tuple(action_types)
    for obj in objs:
        yield insight_row(obj, start, end, types)


# -- async report jobs -----------------------------------------------------------------------------

#: halve a failed job's window down to this many days, then split it by campaign
MIN_SPLIT_DAYS = 7
#: a single-campaign job of the smallest window is retried this many times before the task fails
LEAF_ATTEMPTS = 3
JOB_DONE = "Job Completed"
JOB_FAILED_STATES = frozenset({"Job Failed", "Job Skipped"})


@dataclass(frozen=True)
class Job:
    """One async report run's scope, and what became of it. JSON round-trippable (trigger kwargs, events)."""

    start: date
    end: date
    #: None: the whole account; else these campaigns only
    campaigns: tuple[str, ...] | None = None
    attempt: int = 1
    run_id: str | None = None
    #: "pending", "done" or a failure ("Job Failed", "timed out starting", ...)
    status: str = "pending"
    submitted_at: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        scope = f"campaigns {','.join(self.campaigns)}" if self.campaigns else "all campaigns"
        return f"{self.start}..{self.end} ({scope}, attempt {self.attempt})"

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "campaigns": list(self.campaigns) if self.campaigns is not None else None,
                "attempt": self.attempt, "run_id": self.run_id, "status": self.status,
                "submitted_at": self.submitted_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Job:
        campaigns = data.get("campaigns")
        return cls(date.fromisoformat(data["start"]), date.fromisoformat(data["end"]),
                   tuple(campaigns) if campaigns is not None else None, int(data.get("attempt", 1)),
                   data.get("run_id"), str(data.get("status", "pending")), float(data.get("submitted_at", 0.0)))


def split_failed(job: Job, campaign_ids: Iterable[str] | None = None) -> list[Job]:
    """The smaller jobs that replace a failed one: halves of its window while it is longer than
    MIN_SPLIT_DAYS, then one job per campaign, then the same single-campaign job again, a few times.

    `campaign_ids` (the account's campaigns) is needed only for the split by campaign.
    """
    fresh = dict(run_id=None, status="pending", submitted_at=0.0)
    if job.days > MIN_SPLIT_DAYS:
        middle = job.start + timedelta(days=job.days // 2 - 1)
        return [Job(job.start, middle, job.campaigns, 1, **fresh),  # type: ignore[arg-type]
                Job(middle + timedelta(days=1), job.end, job.campaigns, 1, **fresh)]  # type: ignore[arg-type]
    campaigns = job.campaigns if job.campaigns is not None else tuple(sorted(campaign_ids or ()))
    if len(campaigns) > 1:
        return [Job(job.start, job.end, (c,), 1, **fresh) for c in campaigns]  # type: ignore[arg-type]
    if job.attempt >= LEAF_ATTEMPTS:
        raise JobsExhausted(
            f"the async report for {job.label()} failed {job.attempt} times ({job.status}) even split to "
            "one campaign and the smallest window; the task fails so Airflow retries it later"
        )
    return [Job(job.start, job.end, campaigns or None, job.attempt + 1, **fresh)]  # type: ignore[arg-type]
