"""Meta Marketing API (Graph v26.0) through the official facebook-business SDK.

The API object is built here, not with `FacebookAdsApi.init()`: that call enables the SDK's crash
reporter, which posts tracebacks to Meta, and sets a process-wide default API (wrong for a triggerer or a
worker serving several connections). Requests go through the SDK's API object (`FacebookAdsApi.call`; insights
pages through `meta_api.GraphApi.get_decoded`, the same GET without the SDK's own parse), so paging, throttling and
retries are ours: every request is retried on its own with backoff (a failed page resumes at its cursor,
never re-reads the pages before it), and usage headers slow us down before the limit is reached.

Connection `facebook_default` (conn_type `ads_sync_meta_ads`; older `facebook_social` ones, the Facebook
provider's type, still work), extras: `app_id`, `app_secret`, `access_token`; `graph_url` only for the
offline sandbox.
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import requests
from airflow.sdk import BaseHook

from ads_sync import provider, ratelimit
from ads_sync.errors import (
    AmbiguousSubmit,
    AuthFailure,
    GraphResponseError,
    InvalidRequest,
    QuotaExhausted,
    RetriesExhausted,
    Throttled,
    TooMuchData,
    TransientApiError,
    UnsupportedApiVersion,
)
from ads_sync.retry import RetryPolicy, call_with_retries, check_wait
from ads_sync.sources.meta import decode as meta_decode
from ads_sync.sources.meta import reports as meta

if TYPE_CHECKING:
    from ads_sync.sources.meta.api import GraphApi

REQUIRED_EXTRAS = ("app_id", "app_secret", "access_token")
REQUEST_TIMEOUT_S = 120
_SECRET_RE = re.compile(r"(access_token|appsecret_proof)=[^&\s'\"]+")
log = logging.getLogger(__name__)


def scrub(text: str) -> str:
    """Drop tokens from text that may quote a URL (requests' connection errors do)."""
    return _SECRET_RE.sub(r"\1=***", text)


class MetaAdsHook(BaseHook):
    conn_name_attr = "facebook_conn_id"
    default_conn_name = "facebook_default"
    conn_type = provider.META
    hook_name = provider.HOOK_NAMES[provider.META]

    def __init__(
        self,
        facebook_conn_id: str = default_conn_name,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.facebook_conn_id = facebook_conn_id
        self.policy = policy or RetryPolicy()
        self._sleep, self._clock = sleep, clock
        self._api: GraphApi | None = None
        self._resume_at = 0.0
        self._why_paused = ""

    # -- client ------------------------------------------------------------------------------------

    def _extras(self) -> dict[str, Any]:
        extras = dict(self.get_connection(self.facebook_conn_id).extra_dejson)
        missing = [k for k in REQUIRED_EXTRAS if not extras.get(k)]
        if missing:
            raise AuthFailure(
                f"Airflow connection {self.facebook_conn_id!r} lacks {', '.join(missing)} in its extras; "
                "add them (see README, 'Connections')"
            )
        from airflow.sdk.log import mask_secret

        for key in ("app_secret", "access_token"):
            mask_secret(str(extras[key]))
        return extras

    def get_api(self) -> GraphApi:
        if self._api is None:
            from facebook_business.session import FacebookSession

            from ads_sync.sources.meta.api import GraphApi

            extras = self._extras()
            session = FacebookSession(
                app_id=str(extras["app_id"]), app_secret=str(extras["app_secret"]),
                access_token=str(extras["access_token"]), timeout=REQUEST_TIMEOUT_S,
            )
            from airflow.sdk.log import mask_secret

            mask_secret(session.appsecret_proof)
            if extras.get("graph_url"):
                session.GRAPH = str(extras["graph_url"]).rstrip("/")
            self._api = GraphApi(session, api_version=meta.API_VERSION)
        return self._api

    @property
    def requests(self) -> int:
        """HTTP requests attempted (retries and polls included), for the sync log."""
        return self._api.get_num_requests_attempted() if self._api is not None else 0

    def test_connection(self) -> tuple[bool, str]:
        """The Connections page's Test button: one `GET /me?fields=id`, signed with the app secret's
        appsecret_proof, so it proves the token and the secret together. Sent once (a button should answer
        now, not after backoff); the message is ours, classified and scrubbed, never a secret."""
        try:
            response = self.get_api().call("GET", ("me",), params={"fields": "id"})
            body = response.json()
            if response.status() != 200 or not isinstance(body, dict) or not body.get("id"):
                raise GraphResponseError(response.status(), str(response.body())[:300])
        except Exception as exc:  # noqa: BLE001 - the button shows every failure as text
            error = self.classify(exc)
            if type(error).__module__ != "ads_sync.errors":
                return False, f"Meta test failed: {type(exc).__name__}"
            return False, scrub(f"{type(error).__name__}: {error}")
        return True, f"Meta answered: the token belongs to user {body['id']} (Graph {meta.API_VERSION})"

    # -- one request -------------------------------------------------------------------------------

    def _wait_for_quota(self, what: str) -> None:
        wait = self._resume_at - self._clock()
        if wait <= 0:
            return
        check_wait(wait, self.policy, what=what, why=self._why_paused)
        log.info("%s: pausing %.1f s before the next request: %s", what, wait, self._why_paused)
        self._sleep(wait)

    def _note_usage(self, headers: Mapping[str, str], what: str) -> None:
        usage = meta.parse_usage(headers)
        pause = usage.pause_s
        if pause > 0:
            self._resume_at = self._clock() + pause
            self._why_paused = (
                f"Meta estimates access returns in {usage.regain_minutes:g} min" if usage.regain_minutes
                else f"usage at {usage.pct:.0f}% of a rate limit (slowing down from {meta.SLOW_DOWN_AT:.0f}%)"
            )

    def request(
        self, method: str, path: tuple[str, ...], params: Mapping[str, Any], *, what: str,
        creates: bool = False, shrinkable: bool = False, decode: Callable[[str], Any] | None = None,
    ) -> Any:
        """One Graph request, retried on its own with backoff; returns the JSON body (a dict), or for a GET
        what `decode` makes of the body's text (it raises ValueError for text that is not the JSON it reads;
        the SDK does not parse such a body first: `meta_api.GraphApi.get_decoded`).

        `creates`: the request makes something (an async report run), so only errors that prove nothing was
        made are retried. `shrinkable`: a timeout means "ask for less" (TooMuchData), not "try again".
        """
        api = self.get_api()

        def classify(exc: BaseException) -> BaseException:
            if creates and _ambiguous(exc):
                return AmbiguousSubmit(
                    f"{what}: {type(exc).__name__}: {scrub(str(exc))[:300]}; the request may have created a report "
                    "run, so it is not sent again (no second run); the next run loads the window"
                )
            if shrinkable and isinstance(exc, requests.exceptions.ReadTimeout):
                return TooMuchData(f"{what}: no answer within {REQUEST_TIMEOUT_S} s; asking for less")
            return self.classify(exc)

        direct = decode is not None  # a page the SDK need not parse first (hooks/meta_api)
        if direct and method != "GET":
            raise ValueError(f"{what}: only GET answers are decoded by the caller")

        def send() -> Any:
            if decode is not None:
                return api.get_decoded(path, params, decode)
            return api.call(method, path, params=dict(params))

        def once() -> Any:
            self._wait_for_quota(what)
            try:
                response = ratelimit.meta_request(self, path, send, what=what)  # the account's pace, shared
            except Exception as exc:
                headers = getattr(exc, "http_headers", None)
                if callable(headers):
                    self._note_usage(headers() or {}, what)
                raise
            self._note_usage(response.headers(), what)
            if direct:
                return response.value
            body = response.json()
            if response.status() != 200 or not isinstance(body, dict):
                raise GraphResponseError(response.status(), str(response.body()))
            return body

        try:
            return call_with_retries(once, classify=classify, policy=self.policy, what=what, sleep=self._sleep)
        except TransientApiError as exc:
            raise RetriesExhausted(f"{what}: {exc} (after {self.policy.attempts} attempts)") from None

    def paged(
        self, path: tuple[str, ...], params: Mapping[str, Any], *, what: str, shrinkable: bool = False,
        typed: bool = False,
    ) -> Iterator[Any]:
        """Objects of every page, one page in memory at a time. Follows `paging.cursors.after` while the
        page also has `paging.next` (the SDK's own rule: `after` is there even on the last page).

        `typed`: insights pages decoded by msgspec into `meta_decode.Insight` structs (about 3x faster than
        json.loads and dicts; bench row 4), for `meta_decode.insight_rows`; otherwise dicts."""
        params = dict(params)
        page = 0
        while True:
            page += 1
            label = f"{what} page {page}"
            if typed:
                body = self.request("GET", path, params, what=label, shrinkable=shrinkable,
                                    decode=meta_decode.decode_page)
            else:
                body = meta_decode.page_of(self.request("GET", path, params, what=label, shrinkable=shrinkable))
            yield from body.data
            if not body.data or not body.after or not body.has_next:
                return
            params["after"] = body.after

    # -- endpoints ---------------------------------------------------------------------------------

    def entities(self, account_id: str, edge: str, fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
        return self.paged((f"act_{account_id}", edge), meta.entity_params(fields), what=f"act_{account_id}/{edge}")

    def insights(self, account_id: str, params: Mapping[str, Any], *, typed: bool = False) -> Iterator[Any]:
        """Synchronous insights (`typed`: as `meta_decode.Insight` structs, for ad rows); raises TooMuchData
        when Meta asks for less (the caller splits)."""
        return self.paged((f"act_{account_id}", "insights"), params, what=f"act_{account_id}/insights",
                          shrinkable=True, typed=typed)

    def start_report(self, account_id: str, params: Mapping[str, Any]) -> str:
        body = self.request("POST", (f"act_{account_id}", "insights"), params,
                            what=f"act_{account_id}/insights (async)", creates=True)
        run_id = body.get("report_run_id")
        if not run_id:
            raise InvalidRequest(f"Meta accepted an async report for act_{account_id} without a report_run_id: {body}")
        return str(run_id)

    def report_status(self, run_id: str) -> tuple[str, int]:
        body = self.request("GET", (run_id,), {"fields": "async_status,async_percent_completion"},
                            what=f"report run {run_id}")
        return str(body.get("async_status")), int(body.get("async_percent_completion") or 0)

    def report_rows(self, run_id: str) -> Iterator[Any]:
        """An async report run's ad rows, as `meta_decode.Insight` structs (or dicts where a page did not fit)."""
        return self.paged((run_id, "insights"), {"limit": meta.PAGE_LIMIT}, what=f"report run {run_id} rows",
                          typed=True)

    def insights_by_ids(self, object_ids: Iterable[str], params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Insights of objects read by id, `meta.IDS_PER_REQUEST` per request (Graph's multiple-id read,
        `GET /insights?ids=...`): deleted ads, whose numbers the account node no longer returns. An object
        with more rows than a page goes on from its own cursor at `/<id>/insights`."""
        ids = sorted(set(object_ids))
        for start in range(0, len(ids), meta.IDS_PER_REQUEST):
            chunk = ids[start:start + meta.IDS_PER_REQUEST]
            body = self.request("GET", ("insights",), {**params, "ids": ",".join(chunk)},
                                what=f"insights of {len(chunk)} objects by id")
            for object_id in chunk:
                part = body.get(object_id) or {}
                yield from part.get("data") or []
                paging = part.get("paging") or {}
                after = (paging.get("cursors") or {}).get("after")
                if part.get("data") and after and "next" in paging:
                    yield from self.paged((object_id, "insights"), {**params, "after": after},
                                          what=f"{object_id}/insights")

    def campaign_ids(self, account_id: str) -> list[str]:
        return [str(c["id"]) for c in self.entities(account_id, "campaigns", ("id",))]

    # -- errors ------------------------------------------------------------------------------------

    def classify(self, exc: BaseException) -> BaseException:
        return classify_error(exc, conn_id=self.facebook_conn_id)


def _ambiguous(exc: BaseException) -> bool:
    """Whether a failed request may still have been carried out: no answer, a cut connection, or an answer
    that is not Graph's own error object. A Graph error body (a throttle, a bad parameter) or a connection
    that never opened proves nothing was done."""
    from facebook_business.exceptions import FacebookRequestError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "NewConnectionError" not in repr(exc.args) and "Connection refused" not in str(exc)
    if isinstance(exc, requests.exceptions.RequestException | GraphResponseError):
        return True
    return isinstance(exc, FacebookRequestError) and exc.api_error_code() is None


def classify_error(exc: BaseException, *, conn_id: str = "facebook_default") -> BaseException:
    """Expired tokens and missing permissions fail now (and mark the account auth_failed); rate limits,
    unknown and service errors, 5xx and answers that are not JSON (a 200 cut off mid-body) retry,
    honouring the wait Meta estimates; "reduce the amount of data" asks the caller for less; bad parameters
    fail with Meta's message. Unknown exceptions come back unchanged."""
    from facebook_business.exceptions import FacebookRequestError

    if isinstance(exc, (TransientApiError, AuthFailure, QuotaExhausted, InvalidRequest, RetriesExhausted,
                        Throttled, TooMuchData, UnsupportedApiVersion)):
        return exc
    if isinstance(exc, GraphResponseError):
        if exc.status >= 500 or (exc.status == 200 and not exc.is_json):
            return TransientApiError(f"Meta answered something that is not Graph JSON: {scrub(str(exc))}")
        return InvalidRequest(f"Meta answered something that is not Graph JSON: {scrub(str(exc))}")
    if isinstance(exc, requests.exceptions.RequestException):
        return TransientApiError(f"Graph API unreachable: {type(exc).__name__}: {scrub(str(exc))[:300]}")
    if not isinstance(exc, FacebookRequestError):
        return exc
    code, subcode, status = exc.api_error_code(), exc.api_error_subcode(), exc.http_status()
    body = exc.body()
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    message = exc.api_error_message() or (f"HTTP {status}: {str(body)[:200]}" if body else f"HTTP {status}")
    text = f"(#{code}{'/' + str(subcode) if subcode else ''}) {message}" if code is not None else message
    if error.get("error_user_msg"):
        text += f" ({error['error_user_msg']})"
    if error.get("fbtrace_id"):
        text += f" [fbtrace_id {error['fbtrace_id']}]"
    text = scrub(text)
    if code == DEPRECATED_VERSION_CODE:
        return unsupported_version(text)
    kind = meta.error_kind(code, subcode, status, message=exc.api_error_message() or "",
                           json_body=isinstance(body, dict))
    if kind == "auth":
        if code in (102, 190):
            hint = ("the access token is expired or invalid: create a new long-lived or system-user token "
                    f"and put it in the access_token extra of connection {conn_id!r}")
        elif (code, subcode) in meta.PERMANENT_AUTH:
            hint = "the token's user is not linked to the ad account's business: link it in Business Settings"
        else:
            hint = (f"the token of connection {conn_id!r} lacks permission on the ad account: in Business Settings "
                    "assign the ad account to its user or system user (at least 'View performance') and grant the "
                    "token the ads_read permission; check too that the registry's account_id is right")
        return AuthFailure(f"Meta refused the request: {text}; {hint}")
    if kind == "shrink":
        return TooMuchData(f"Meta {text}")
    if kind == "transient":
        usage = meta.parse_usage(exc.http_headers())
        retry_after = usage.regain_minutes * 60 if usage.regain_minutes > 0 else None
        return TransientApiError(f"Meta {text}", retry_after=retry_after)
    return InvalidRequest(f"Meta rejected the request: {text}")


# -- a sunset API version (issue 16): fails at once, never retried ----------------------------------

#: "(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version"
DEPRECATED_VERSION_CODE = 2635


def unsupported_version(text: str) -> UnsupportedApiVersion:
    from ads_sync import versions

    error: UnsupportedApiVersion = versions.unsupported("meta", "Meta no longer serves Marketing API",
                                                        "facebook-business", text, sunset_word="expiry")
    return error
