"""The Meta Graph API emulator (Marketing API v26.0) on the shared HTTP server.

Routes: GET /act_<id>/campaigns|adsets|ads, GET /act_<id>/insights (synchronous; levels ad, adset, campaign and
account, `breakdowns` as meta_breakdowns describes), POST /act_<id>/insights
(an async report run), GET /<report_run_id> (its status), GET /<report_run_id>/insights (its rows),
GET /<ad_id>/insights and GET /insights?ids=<ad_id>,... (one object's insights, deleted ones too).
Like Graph it pages with `paging.cursors.after` plus a `paging.next` URL on every page but the last,
sends X-Business-Use-Case-Usage and x-fb-ads-insights-throttle, answers errors in Graph's JSON shape
({"error": {"message", "type", "code", "error_subcode", "is_transient", "fbtrace_id"}}), checks the access
token and its appsecret_proof, refuses windows older than 37 months and attribution windows Meta retired.
Faults (service "meta") are checked per request, so `nth` counts pages too; DROP_ROW serves a page
without its first row while the account's totals (`level=account`) still count it.

Status rules, as Meta applies them (Marketing API reference, "Ad Account Insights" and "Ad Account
Ads"/"Ad Sets"/"Campaigns" edges; seen in facebook-python-business-sdk #269, singer-io/tap-facebook #33 and
#34, airbytehq/airbyte #37437, and Airbyte's `include_deleted` option, which adds exactly this filtering):
- The account's edges (campaigns, adsets, ads) leave out ARCHIVED and DELETED objects unless the request's
  `filtering` on `effective_status` names them; with such a filter they return the statuses it names.
- Account-node insights at `level=ad` leave out ads whose effective status is ARCHIVED unless `filtering`
  on `ad.effective_status` includes ARCHIVED, and never return DELETED ads, whatever the filter says.
- `/<ad_id>/insights` (and `/insights?ids=...`, Graph's multiple-id read) return any ad's own numbers,
  deleted ones included.
- `level=account` totals count every ad that delivered, archived and deleted ones included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from . import meta_breakdowns, meta_data
from .faults import Fault
from .httpd import Request, Response, Router
from .meta_accounts import mount_accounts
from .state import SandboxState

VERSION = "v26.0"
APP_ID = "100000000000001"
APP_SECRET = "sandbox-meta-app-secret"
ACCESS_TOKEN = "sandbox-meta-access-token"
RETENTION_MONTHS = 37
MAX_LIMIT = 5000
INSIGHT_FIELDS = frozenset({
    "account_id", "campaign_id", "adset_id", "ad_id", "date_start", "date_stop", "impressions", "clicks",
    "spend", "reach", "frequency", "actions", "action_values", "campaign_name", "adset_name", "ad_name",
    "inline_link_clicks", "ctr", "cpc", "cpm",
})
#: every breakdown Graph knows (its error message lists them); the sandbox serves meta_breakdowns.BREAKDOWNS
KNOWN_BREAKDOWNS = ("ad_format_asset", "age", "app_id", "body_asset", "call_to_action_asset", "country",
                    "description_asset", "device_platform", "dma", "frequency_value", "gender",
                    "hourly_stats_aggregated_by_advertiser_time_zone", "image_asset", "impression_device",
                    "link_url_asset", "platform_position", "publisher_platform", "region", "title_asset",
                    "video_asset")
LIVE_WINDOWS = frozenset({"1d_click", "7d_click", "1d_view", "1d_ev", "skan_click", "skan_view"})
RETIRED_WINDOWS = frozenset({"7d_view", "28d_view", "28d_click"})
_ACCOUNT_RE = re.compile(r"^[0-9]{1,20}$")
_run_ids = itertools.count(6_100_000_000_001)
#: Graph's limit on ids= in one request
MAX_IDS = 50


class GraphError(Exception):
    def __init__(self, status: int, code: int | None, message: str, *, subcode: int | None = None,
                 kind: str = "OAuthException", transient: bool = False, body: str | None = None,
                 regain_minutes: int = 0, usage_pct: float | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.subcode = status, code, message, subcode
        self.kind, self.transient, self.body = kind, transient, body
        self.regain_minutes, self.usage_pct = regain_minutes, usage_pct

    def payload(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.kind, "code": self.code,
                                 "is_transient": self.transient, "fbtrace_id": _trace_id()}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        return {"error": error}


def _trace_id() -> str:
    return "A" + secrets.token_urlsafe(15)


def _faults() -> dict[str, GraphError]:
    """What each fault name looks like on the wire (recorded shapes of real Graph errors)."""
    return {
        "THROTTLED": GraphError(400, 17, "(#17) User request limit reached", subcode=2446079, transient=True,
                                regain_minutes=1, usage_pct=100),
        "ACCOUNT_THROTTLED": GraphError(
            400, 80000, "There have been too many calls from this ad-account. Wait a bit and try again. "
            "For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
            subcode=2446079, transient=True, usage_pct=100),
        "APP_LIMIT": GraphError(400, 4, "(#4) Application request limit reached", transient=True),
        "RATE_LIMIT_613": GraphError(400, 613, "(#613) Calls to this api have exceeded the rate limit."),
        "UNKNOWN": GraphError(500, 1, "An unknown error occurred", subcode=99, transient=False),
        "SERVICE_UNAVAILABLE": GraphError(503, 2, "An unexpected error has occurred. Please retry your request "
                                          "later.", transient=False),
        "HTTP_503": GraphError(503, None, "", body="Service Unavailable"),
        "HTTP_502": GraphError(502, None, "", body="<html><body>Bad Gateway</body></html>"),
        "TOKEN_EXPIRED": GraphError(400, 190, "Error validating access token: Session has expired on Sunday, "
                                    "01-Mar-26 01:00:00 PST. The current time is Monday, 02-Mar-26 02:12:41 PST.",
                                    subcode=463),
        "TOKEN_INVALID": GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token"),
        "PERMISSION_DENIED": GraphError(403, 200, "(#200) Ad account owner has NOT grant ads_management or "
                                        "ads_read permission"),
        "NO_PERMISSION": GraphError(400, 10, "(#10) Application does not have permission for this action"),
        "PROFILE_NOT_LINKED": GraphError(400, 1, "An unknown error occurred", subcode=2853001),
        "INVALID_PARAMETER": GraphError(400, 100, "(#100) Invalid parameter", subcode=1487534),
        "DEPRECATED_VERSION": GraphError(400, 2635, "(#2635) You are calling a deprecated version of the Ads API. "
                                         "Please update to the latest version: v27.0.", kind="OAuthException"),
        # a 200 whose body is cut off mid-JSON (a connection closed early by a proxy)
        "TRUNCATED_200": GraphError(200, None, "", body='{"data":[{"date_start":"2026-11-2'),
        # singer-io/tap-facebook #65, facebook-python-business-sdk #470: HTTP 500, code 1
        "REDUCE_DATA": GraphError(500, 1, "Please reduce the amount of data you're asking for, then retry your "
                                  "request"),
        # facebook-nodejs-business-sdk #250: HTTP 400, code 100, no subcode
        "MISSING_PERMISSIONS": GraphError(400, 100, "(#100) Missing permissions"),
        # singer-io/tap-facebook #93: HTTP 400, code 100, subcode 33, GraphMethodException
        "OBJECT_NOT_VISIBLE": GraphError(
            400, 100, "Unsupported get request. Object with ID 'act_123456789' does not exist, cannot be loaded due "
            "to missing permissions, or does not support this operation. Please read the Graph API documentation "
            "at https://developers.facebook.com/docs/graph-api", subcode=33, kind="GraphMethodException"),
        # code 17 whose estimate is 2 minutes: longer than a worker should sleep, far from a daily quota
        "THROTTLED_MINUTES": GraphError(400, 17, "(#17) User request limit reached", subcode=2446079,
                                        transient=True, regain_minutes=2, usage_pct=100),
    }


JOB_FAULTS = {"JOB_FAILED": "fail", "JOB_SKIPPED": "skip", "JOB_STALLED": "stall", "JOB_NOT_STARTED": "not_started"}


@dataclass
class ReportRun:
    id: str
    account_id: str
    start: date
    end: date
    campaign_ids: tuple[str, ...] | None
    as_of: date
    fields: tuple[str, ...]
    mode: str = "normal"
    polls: int = 0
    statuses: frozenset[str] | None = meta_data.DEFAULT_STATUSES
    #: the sandbox clock when the run was requested (today so far as of then)
    now: datetime | None = None
    level: str = "ad"
    breakdowns: tuple[str, ...] = ()

    def status(self) -> tuple[str, int]:
        """Completes on the second poll; a faulted run fails, is skipped, stalls or never starts."""
        self.polls += 1
        if self.mode == "not_started":
            return "Job Not Started", 0
        if self.mode == "stall":
            return "Job Running", 42
        if self.polls < 2:
            return "Job Running", 50
        return {"fail": ("Job Failed", 0), "skip": ("Job Skipped", 0)}.get(self.mode, ("Job Completed", 100))


def _rules(params: dict[str, str]) -> list[dict[str, Any]]:
    try:
        rules = json.loads(params.get("filtering") or "[]")
    except ValueError:
        raise GraphError(400, 100, "(#100) filtering must be a JSON array") from None
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def _status_filter(params: dict[str, str], field: str) -> frozenset[str] | None:
    """The statuses a `filtering` rule on `field` (IN) names; None when the request has no such rule."""
    for rule in _rules(params):
        if rule.get("field") == field and rule.get("operator") == "IN":
            return frozenset(str(v) for v in rule.get("value", []))
    return None


def _dropping(rows: Any, params: dict[str, str]) -> Any:
    """The rows, less the first one of the page when the DROP_ROW fault fired on this request."""
    first = params.get("_drop_row") == "1"
    for item in rows:
        if first:
            first = False
            continue
        yield item


def _minus_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    for day in (d.day, 30, 29, 28):
        try:
            return date(y, m + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _encode(position: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(f"{position[0]}:{position[1]}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        a, b = text.split(":")
        return int(a), int(b)
    except Exception:  # noqa: BLE001 - any garbage is the caller's bad cursor
        raise GraphError(400, 100, "(#100) Invalid cursor: after", subcode=1815189) from None


class MetaGraph:
    """The emulator's state beyond SandboxState: the report runs it has accepted."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._runs: dict[str, ReportRun] = {}
        #: accounts this sandbox has been asked about, so an ad id alone can be resolved
        self._accounts: set[str] = set()

    # -- plumbing ----------------------------------------------------------------------------------
    def _params(self, request: Request) -> dict[str, str]:
        params = {k: v[-1] for k, v in request.query.items()}
        if request.method == "POST" and request.body:
            params.update(request.form())
        return params

    def _authenticate(self, params: dict[str, str]) -> None:
        token = params.get("access_token", "")
        if not token:
            raise GraphError(400, 2500, "An active access token must be used to query information about the "
                             "current user.")
        if token != ACCESS_TOKEN:
            raise GraphError(400, 190, "Invalid OAuth access token - Cannot parse access token")
        proof = params.get("appsecret_proof")
        expected = hmac.new(APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
        if proof is not None and not hmac.compare_digest(proof, expected):
            raise GraphError(400, 100, "Invalid appsecret_proof provided in the API argument")

    def _usage_headers(self, account_id: str | None, pct: float, regain: int, insights: bool) -> dict[str, str]:
        headers = {"x-fb-request-id": secrets.token_hex(8), "x-fb-trace-id": _trace_id()}
        if account_id:
            headers["X-Business-Use-Case-Usage"] = json.dumps({account_id: [{
                "type": "ads_insights" if insights else "ads_management", "call_count": pct,
                "total_cputime": max(1, int(pct) - 3), "total_time": max(1, int(pct) - 1),
                "estimated_time_to_regain_access": regain, "ads_api_access_tier": "standard_access"}]})
        if insights:
            headers["x-fb-ads-insights-throttle"] = json.dumps(
                {"app_id_util_pct": pct, "acc_id_util_pct": pct, "ads_api_access_tier": "standard_access"})
        return headers

    def _serve(self, request: Request, resource: str, account_id: str | None, handler: Any) -> Response:
        """Log, authenticate, apply faults, answer; every request goes through here."""
        params = self._params(request)
        shown = {k: v for k, v in params.items() if k not in ("access_token", "appsecret_proof")}
        entry = self.state.requests.record(
            "meta", f"{request.method} {resource}", customer_id=account_id, resource=resource,
            query=f"{request.path}?{urlencode(shown)}" if shown else request.path,
        )
        insights = resource in ("insights", "async_report", "report_insights")
        pct, regain = 2.0, 0
        try:
            if account_id is not None and not _ACCOUNT_RE.fullmatch(account_id):
                raise GraphError(400, 100, f"(#100) Invalid ad account id act_{account_id}", subcode=33)
            if account_id is not None:
                with self._lock:
                    self._accounts.add(account_id)
            self._authenticate(params)
            fault = self.state.faults.check("meta", account_id, resource)
            job_mode = None
            if fault is not None:
                self.state.sleep(fault.delay_s)
                if fault.error == "USAGE_HIGH":
                    pct = 80.0
                elif fault.error in JOB_FAULTS:
                    job_mode = JOB_FAULTS[fault.error]
                elif fault.error == "DROP_ROW":
                    params["_drop_row"] = "1"  # the sandbox's own marker, never sent by a client
                elif fault.error != "SLOW":
                    raise _faults()[fault.error]
            payload = handler(params, job_mode) if resource == "async_report" else handler(params)
        except GraphError as exc:
            self.state.requests.update(entry, status=exc.code if exc.code is not None else exc.status,
                                       error=exc.message or exc.body)
            headers = self._usage_headers(account_id, exc.usage_pct if exc.usage_pct is not None else pct,
                                          exc.regain_minutes, insights)
            if exc.body is not None:
                kind = "application/json" if exc.status == 200 else "text/html"
                return Response(exc.status, exc.body.encode(), {"Content-Type": kind, **headers})
            return Response.json(exc.payload(), exc.status, {"WWW-Authenticate": "OAuth \"Facebook Platform\"",
                                                             **headers})
        self.state.requests.update(entry, status="OK", rows=len(payload.get("data", ())) if "data" in payload else None)
        return Response.json(payload, headers=self._usage_headers(account_id, pct, regain, insights))

    def _page(self, request_path: str, params: dict[str, str], rows: Any, limit: int) -> dict[str, Any]:
        """One page from an iterator of (position after the row, row); `next` only when more follow."""
        page: list[dict[str, Any]] = []
        after, more = None, False
        for position, row in rows:
            if len(page) == limit:
                more = True  # the row just read belongs to the next page
                break
            page.append(row)
            after = position
        body: dict[str, Any] = {"data": page}
        if page:
            first = _encode((0, 0))
            body["paging"] = {"cursors": {"before": first, "after": _encode(after)}}  # type: ignore[arg-type]
            if more:
                query = {k: v for k, v in params.items() if k != "after"}
                query["after"] = _encode(after)  # type: ignore[arg-type]
                # Graph's next URLs carry the token; the SDK ignores them apart from their presence
                body["paging"]["next"] = f"https://graph.facebook.com{request_path}?{urlencode(query)}"
        return body

    @staticmethod
    def _limit(params: dict[str, str], default: int = 25) -> int:
        try:
            limit = int(params.get("limit", default))
        except ValueError:
            raise GraphError(400, 100, "(#100) Param limit must be a number") from None
        if not 1 <= limit <= MAX_LIMIT:
            raise GraphError(400, 100, f"(#100) limit must be between 1 and {MAX_LIMIT}")
        return limit

    # -- entities ----------------------------------------------------------------------------------
    def entities(self, request: Request) -> Response:
        account_id = request.params["account"]
        edge = request.path.rsplit("/", 1)[-1]
        source = {"campaigns": meta_data.campaign_objects, "adsets": meta_data.adset_objects,
                  "ads": meta_data.ad_objects}[edge]

        def handle(params: dict[str, str]) -> dict[str, Any]:
            fields = [f for f in params.get("fields", "id").split(",") if f] or ["id"]
            statuses = _status_filter(params, "effective_status") or meta_data.DEFAULT_STATUSES
            objects = [o for o in source(account_id, self.state.volume) if o["effective_status"] in statuses]
            start = _decode(params["after"])[1] if params.get("after") else 0
            rows = (((0, i + 1), {k: o[k] for k in fields if k in o}) for i, o in enumerate(objects) if i >= start)
            return self._page(request.path, params, rows, self._limit(params))

        return self._serve(request, edge, account_id, handle)

    # -- insights ----------------------------------------------------------------------------------
    def _project(self, rows: Any, fields: tuple[str, ...], breakdowns: tuple[str, ...] = ()) -> Any:
        """Only the fields asked for (derived ones computed), plus date_start, date_stop and the breakdowns'
        columns, which Graph always adds."""
        keep = set(fields) | {"date_start", "date_stop"} | set(breakdowns)
        derived = bool(meta_breakdowns.DERIVED_FIELDS.intersection(fields))
        for position, row in rows:
            if derived:
                row = meta_breakdowns.with_derived(row, fields, self.state.volume)
            yield position, {k: v for k, v in row.items() if k in keep}

    @staticmethod
    def _shape(params: dict[str, str]) -> tuple[str, tuple[str, ...]]:
        """The request's level and breakdowns, validated as Graph does (code 100)."""
        level = params.get("level", "ad")
        if level not in meta_breakdowns.LEVELS:
            raise GraphError(400, 100, "(#100) level must be one of the following values: "
                             + ", ".join(meta_breakdowns.LEVELS))
        text = params.get("breakdowns") or ""
        try:
            asked = json.loads(text) if text.startswith("[") else [b for b in text.split(",") if b]
        except ValueError:
            raise GraphError(400, 100, "(#100) breakdowns must be an array") from None
        if not isinstance(asked, list):
            raise GraphError(400, 100, "(#100) breakdowns must be an array")
        for i, breakdown in enumerate(asked):
            if breakdown not in KNOWN_BREAKDOWNS:
                raise GraphError(400, 100, f"(#100) breakdowns[{i}] must be one of the following values: "
                                 + ", ".join(KNOWN_BREAKDOWNS))
            if breakdown not in meta_breakdowns.BREAKDOWNS:
                raise GraphError(400, 100, f"(#100) The sandbox does not serve the breakdown {breakdown}")
        if not meta_breakdowns.combination_ok(asked):
            raise GraphError(400, 100, "(#100) Current combination of data breakdown columns "
                             f"({', '.join(sorted(asked))}) is invalid", subcode=1487061)
        return level, tuple(dict.fromkeys(str(b) for b in asked))

    def _rows(self, account_id: str, start: date, end: date, as_of: date, now: datetime | None, *, level: str,
              breakdowns: tuple[str, ...], fields: tuple[str, ...], campaigns: tuple[str, ...] | None,
              statuses: frozenset[str] | None, position: tuple[int, int]) -> Any:
        """(position after the row, row) for a report of this shape: the plain ad and account rows resume at
        their own cursor; other shapes are built from the ad rows (meta_breakdowns) and counted through."""
        volume = self.state.volume
        if level == "ad" and not breakdowns:
            return meta_data.insights(account_id, start, end, as_of, volume=volume, campaign_ids=campaigns,
                                      statuses=statuses, position=position, now=now)
        if level == "account" and not breakdowns and not {"reach", "frequency"} & set(fields):
            return meta_data.account_insights(account_id, start, end, as_of, volume=volume,
                                              day_offset=position[0], now=now)
        account = level == "account"  # the account's numbers count every ad, archived and deleted ones too
        ad_rows = (row for _, row in meta_data.insights(
            account_id, start, end, as_of, volume=volume, campaign_ids=None if account else campaigns,
            statuses=None if account else statuses, now=now))
        shaped = meta_breakdowns.shaped(ad_rows, level, breakdowns)
        return (((0, i + 1), row) for i, row in enumerate(shaped) if i >= position[1])

    def _query(self, params: dict[str, str]) -> tuple[date, date, tuple[str, ...] | None]:
        self._shape(params)
        if str(params.get("time_increment", "1")) != "1":
            raise GraphError(400, 100, "(#100) The sandbox serves time_increment=1 only")
        fields = [f for f in params.get("fields", "").split(",") if f]
        unknown = [f for f in fields if f not in INSIGHT_FIELDS]
        if unknown:
            raise GraphError(400, 100, f"(#100) {unknown[0]} is not valid for fields param. please check "
                             "https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ "
                             "for all valid values")
        windows = json.loads(params.get("action_attribution_windows") or "[]")
        for window in windows:
            if window in RETIRED_WINDOWS:
                raise GraphError(400, 100, f"(#100) The attribution window {window} is no longer supported; "
                                 "use one of 1d_click, 7d_click, 1d_view", subcode=3858434)
            if window not in LIVE_WINDOWS:
                raise GraphError(400, 100, f"(#100) action_attribution_windows[0] must be one of the following "
                                 f"values: {', '.join(sorted(LIVE_WINDOWS))}")
        try:
            time_range = json.loads(params["time_range"])
            start, end = date.fromisoformat(time_range["since"]), date.fromisoformat(time_range["until"])
        except (KeyError, ValueError, TypeError):
            raise GraphError(400, 100, "(#100) time_range must be {'since':'YYYY-MM-DD',"
                             "'until':'YYYY-MM-DD'}") from None
        if end < start:
            raise GraphError(400, 100, "(#100) time_range's until must not be before since")
        limit = _minus_months(self.state.today(), RETENTION_MONTHS)
        if start < limit:
            raise GraphError(400, 3018, "(#3018) The start date of the time range cannot be beyond 37 months "
                             "from the current date")
        campaigns = None
        for rule in _rules(params):
            if rule.get("field") == "campaign.id" and rule.get("operator") == "IN":
                campaigns = tuple(str(v) for v in rule.get("value", []))
        return start, end, campaigns

    @staticmethod
    def _ad_statuses(params: dict[str, str]) -> frozenset[str]:
        """The effective statuses an account-node ad-level read returns: ARCHIVED only when asked for,
        DELETED never."""
        asked = _status_filter(params, "ad.effective_status")
        return (asked if asked is not None else meta_data.DEFAULT_STATUSES) - {"DELETED"}

    def sync_insights(self, request: Request) -> Response:
        account_id = request.params["account"]

        level = request.query.get("level", ["ad"])[-1]

        def handle(params: dict[str, str]) -> dict[str, Any]:
            start, end, campaigns = self._query(params)
            level, breakdowns = self._shape(params)
            fields = tuple(params.get("fields", "").split(","))
            position = _decode(params["after"]) if params.get("after") else (0, 0)
            rows = self._rows(account_id, start, end, self.state.today(), self.state.now(), level=level,
                              breakdowns=breakdowns, fields=fields, campaigns=campaigns,
                              statuses=self._ad_statuses(params), position=position)
            rows = self._project(_dropping(rows, params), fields, breakdowns)
            return self._page(request.path, params, rows, self._limit(params))

        return self._serve(request, "account_insights" if level == "account" else "insights", account_id, handle)

    def ids_insights(self, request: Request) -> Response:
        """GET /insights?ids=a,b: Graph's multiple-id read of the insights edge, one entry per id."""

        def handle(params: dict[str, str]) -> dict[str, Any]:
            ids = [i for i in params.get("ids", "").split(",") if i]
            if not ids or len(ids) > MAX_IDS:
                raise GraphError(400, 100, f"(#100) ids must name 1 to {MAX_IDS} objects")
            out = {}
            for object_id in ids:
                body = self._object_insights(request.path, object_id, params)
                out[object_id] = body
            return out

        first = (request.query.get("ids", [""])[-1].split(",") or [""])[0]
        return self._serve(request, "insights_by_id", self._account_of(first), handle)

    def _account_of(self, object_id: str) -> str | None:
        """The account an ad belongs to, for the request log; None when it is no ad this sandbox knows."""
        try:
            return self._ad_account(object_id)
        except GraphError:
            return None

    def _object_insights(self, path: str, object_id: str, params: dict[str, str]) -> dict[str, Any]:
        account_id = self._ad_account(object_id)
        start, end, _ = self._query(params)
        _, breakdowns = self._shape(params)
        fields = tuple(params.get("fields", "").split(","))
        position = _decode(params["after"]) if params.get("after") else (0, 0)
        rows = meta_data.insights(account_id, start, end, self.state.today(), volume=self.state.volume,
                                  ad_ids=[object_id], position=position if not breakdowns else (0, 0),
                                  now=self.state.now())
        if breakdowns:  # one ad's own rows, broken down
            shaped = meta_breakdowns.shaped((row for _, row in rows), "ad", breakdowns)
            rows = (((0, i + 1), row) for i, row in enumerate(shaped) if i >= position[1])
        rows = self._project(rows, fields, breakdowns)
        return self._page(path, params, rows, self._limit(params))

    def _ad_account(self, object_id: str) -> str:
        with self._lock:
            accounts = sorted(self._accounts)
        found = meta_data.ad_account(int(object_id), accounts, self.state.volume) if object_id.isdigit() else None
        if found is None:
            raise GraphError(400, 100, f"Unsupported get request. Object with ID '{object_id}' does not exist, "
                             "cannot be loaded due to missing permissions, or does not support this operation.",
                             subcode=33, kind="GraphMethodException")
        return found

    def start_report(self, request: Request) -> Response:
        account_id = request.params["account"]

        def handle(params: dict[str, str], mode: str | None) -> dict[str, Any]:
            start, end, campaigns = self._query(params)
            level, breakdowns = self._shape(params)
            self._limit(params)
            run = ReportRun(str(next(_run_ids)), account_id, start, end, campaigns, self.state.today(),
                            tuple(params.get("fields", "").split(",")), mode or "normal",
                            statuses=self._ad_statuses(params), now=self.state.now(), level=level,
                            breakdowns=breakdowns)
            with self._lock:
                self._runs[run.id] = run
            return {"report_run_id": run.id}

        return self._serve(request, "async_report", account_id, handle)

    def _run(self, run_id: str) -> ReportRun:
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise GraphError(400, 100, f"Unsupported get request. Object with ID '{run_id}' does not exist, "
                             "cannot be loaded due to missing permissions, or does not support this operation.",
                             subcode=33, kind="GraphMethodException")
        return run

    def report_status(self, request: Request) -> Response:
        run_id = request.params["run_id"]
        with self._lock:
            known = self._runs.get(run_id)

        def handle(_: dict[str, str]) -> dict[str, Any]:
            run = self._run(run_id)
            status, percent = run.status()
            return {"id": run.id, "account_id": run.account_id, "async_status": status,
                    "async_percent_completion": percent, "date_start": run.start.isoformat(),
                    "date_stop": run.end.isoformat()}

        return self._serve(request, "report_run", known.account_id if known else None, handle)

    def report_rows(self, request: Request) -> Response:
        run_id = request.params["run_id"]
        with self._lock:
            known = self._runs.get(run_id)
        owner = self._account_of(run_id) if known is None else None
        if owner is not None:
            return self._serve(request, "insights_by_id", owner,
                               lambda params: self._object_insights(request.path, run_id, params))

        def handle(params: dict[str, str]) -> dict[str, Any]:
            run = self._run(run_id)
            if run.mode != "normal" or run.polls < 2:
                raise GraphError(400, 100, f"(#100) Report run {run_id} is not completed", subcode=1487744)
            position = _decode(params["after"]) if params.get("after") else (0, 0)
            rows = self._rows(run.account_id, run.start, run.end, run.as_of, run.now, level=run.level,
                              breakdowns=run.breakdowns, fields=run.fields, campaigns=run.campaign_ids,
                              statuses=run.statuses, position=position)
            rows = self._project(_dropping(rows, params), run.fields, run.breakdowns)
            return self._page(request.path, params, rows, self._limit(params))

        return self._serve(request, "report_insights", known.account_id if known else None, handle)


def mount(router: Router, state: SandboxState) -> MetaGraph:
    graph = MetaGraph(state)
    base = f"/{VERSION}"
    for edge in ("campaigns", "adsets", "ads"):
        router.add("GET", f"{base}/act_{{account}}/{edge}", graph.entities)
    router.add("GET", f"{base}/act_{{account}}/insights", graph.sync_insights)
    router.add("GET", f"{base}/insights", graph.ids_insights)
    router.add("POST", f"{base}/act_{{account}}/insights", graph.start_report)
    router.add("GET", f"{base}/{{run_id}}/insights", graph.report_rows)
    mount_accounts(router, graph, base)  # discovery: /me/adaccounts, a business's ad accounts
    router.add("GET", f"{base}/{{run_id}}", graph.report_status)
    return graph


__all__ = ["ACCESS_TOKEN", "APP_ID", "APP_SECRET", "Fault", "MetaGraph", "VERSION", "mount"]
