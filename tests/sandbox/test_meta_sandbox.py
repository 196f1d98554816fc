"""The Graph emulator on the wire: cursor paging, usage headers, Graph error bodies, the async report
lifecycle, token checks, and a request log without secrets."""
from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from datetime import date
from urllib.parse import urlencode

from sandbox import Fault, meta_data
from sandbox import meta as graph

ACCOUNT = "777888999"
TODAY = date(2026, 1, 10)  # tests/sandbox/conftest.py pins it


def call(sandbox, method: str, path: str, token: str = graph.ACCESS_TOKEN, **params) -> tuple[int, dict, dict]:
    proof = hmac.new(graph.APP_SECRET.encode(), token.encode(), hashlib.sha256).hexdigest()
    query = urlencode({"access_token": token, "appsecret_proof": proof})
    body = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    url = f"{sandbox.http_url}/{graph.VERSION}{path}?{query}"
    if method == "GET":
        url += "&" + urlencode(body)
        data = None
    else:
        data = urlencode(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read() or b"null")


def insights_params(**extra) -> dict:
    return {"level": "ad", "time_increment": 1, "time_range": {"since": "2026-01-01", "until": "2026-01-07"},
            "fields": "ad_id,date_start,spend,actions", "action_attribution_windows": ["7d_click"], **extra}


def test_cursor_paging_ends_without_next(sandbox) -> None:
    rows, after, pages = [], None, 0
    while True:
        extra = {"after": after} if after else {}
        status, _, body = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params(limit=7, **extra))
        assert status == 200
        pages += 1
        rows += body["data"]
        if "next" not in body.get("paging", {}):
            break
        assert "after=" in body["paging"]["next"]
        after = body["paging"]["cursors"]["after"]
    expected = meta_data.expected(ACCOUNT, date(2026, 1, 1), date(2026, 1, 7), TODAY,
                                  statuses=meta_data.DEFAULT_STATUSES)
    assert len(rows) == expected.rows and pages == -(-expected.rows // 7)
    assert all(set(r) <= {"actions", "ad_id", "date_start", "date_stop", "spend"} for r in rows)
    assert all({"ad_id", "date_start", "spend"} <= set(r) for r in rows)


def test_usage_headers_and_usage_high(sandbox) -> None:
    _, headers, _ = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params())
    assert json.loads(headers["x-fb-ads-insights-throttle"])["acc_id_util_pct"] < 75
    sandbox.faults.add(Fault(service="meta", error="USAGE_HIGH"))
    _, headers, _ = call(sandbox, "GET", f"/act_{ACCOUNT}/campaigns", fields="id")
    usage = json.loads(headers["X-Business-Use-Case-Usage"])[ACCOUNT][0]
    assert usage["call_count"] == 80 and usage["estimated_time_to_regain_access"] == 0


def test_errors_come_in_graphs_shape(sandbox) -> None:
    status, _, body = call(sandbox, "GET", f"/act_{ACCOUNT}/campaigns", token="wrong", fields="id")
    assert status == 400 and body["error"]["code"] == 190 and body["error"]["fbtrace_id"]
    sandbox.faults.add(Fault(service="meta", error="THROTTLED", resource="insights"))
    status, headers, body = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params())
    assert status == 400 and (body["error"]["code"], body["error"]["error_subcode"]) == (17, 2446079)
    assert json.loads(headers["X-Business-Use-Case-Usage"])[ACCOUNT][0]["estimated_time_to_regain_access"] == 1


def test_windows_and_retention_meta_refuses(sandbox) -> None:
    status, _, body = call(sandbox, "GET", f"/act_{ACCOUNT}/insights",
                           **insights_params(action_attribution_windows=["7d_view"]))
    assert status == 400 and "7d_view" in body["error"]["message"]
    status, _, body = call(sandbox, "GET", f"/act_{ACCOUNT}/insights",
                           **insights_params(time_range={"since": "2022-01-01", "until": "2022-01-02"}))
    assert status == 400 and body["error"]["code"] == 3018


def test_async_report_lifecycle_and_a_failed_run(sandbox) -> None:
    status, _, body = call(sandbox, "POST", f"/act_{ACCOUNT}/insights", **insights_params())
    run_id = body["report_run_id"]
    early = call(sandbox, "GET", f"/{run_id}/insights")
    assert early[0] == 400 and early[2]["error"]["code"] == 100
    assert call(sandbox, "GET", f"/{run_id}")[2]["async_status"] == "Job Running"
    assert call(sandbox, "GET", f"/{run_id}")[2]["async_status"] == "Job Completed"
    rows = call(sandbox, "GET", f"/{run_id}/insights", limit=500)[2]["data"]
    assert len(rows) == meta_data.expected(ACCOUNT, date(2026, 1, 1), date(2026, 1, 7), TODAY,
                                  statuses=meta_data.DEFAULT_STATUSES).rows

    sandbox.faults.add(Fault(service="meta", error="JOB_FAILED", resource="async_report"))
    failed = call(sandbox, "POST", f"/act_{ACCOUNT}/insights", **insights_params())[2]["report_run_id"]
    statuses = [call(sandbox, "GET", f"/{failed}")[2]["async_status"] for _ in range(3)]
    assert statuses[-1] == "Job Failed"


def test_request_log_names_account_and_resource_never_the_token(sandbox) -> None:
    call(sandbox, "GET", f"/act_{ACCOUNT}/adsets", fields="id,name")
    [entry] = sandbox.requests.filter(service="meta")
    assert (entry["customer_id"], entry["resource"], entry["status"]) == (ACCOUNT, "adsets", "OK")
    assert graph.ACCESS_TOKEN not in json.dumps(entry) and "appsecret_proof" not in entry["query"]


def test_late_conversions_grow_for_28_days() -> None:
    ad = meta_data.ads(ACCOUNT)[0]
    day = date(2026, 1, 1)
    readings = []
    for age in (1, 14, 28, 40):
        row = meta_data.insight(ACCOUNT, ad, day, date.fromordinal(day.toordinal() + age))
        readings.append(sum(float(a["value"]) for a in row["actions"] if a["action_type"] == "purchase")
                        if row else None)
    assert readings[0] <= readings[1] <= readings[2] == readings[3]


def _sum(rows: list[dict]) -> tuple:
    return (sum(int(r["impressions"]) for r in rows), sum(float(r["spend"]) * 100 for r in rows))


def test_status_rules_archived_on_request_deleted_by_id_and_account_totals_count_everything(sandbox) -> None:
    """Meta's rules (sandbox/meta.py docstring): the account node hides ARCHIVED unless filtered for and
    DELETED always; /<id>/insights and ids= serve any ad; level=account counts every ad."""
    ads = meta_data.ads(ACCOUNT)
    archived = {str(a.id) for a in ads if a.effective_status == "ARCHIVED"}
    deleted = {str(a.id) for a in ads if a.effective_status == "DELETED"}
    assert archived and deleted
    fields = "ad_id,date_start,spend,impressions"

    def ad_ids(**extra) -> set[str]:
        body = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params(fields=fields, limit=500, **extra))[2]
        return {r["ad_id"] for r in body["data"]}

    plain = ad_ids()
    assert not plain & (archived | deleted)
    every = ["ACTIVE", "PAUSED", "ARCHIVED", "DELETED"]
    with_archived = ad_ids(filtering=[{"field": "ad.effective_status", "operator": "IN", "value": every}])
    assert archived <= with_archived and not with_archived & deleted

    one = sorted(deleted)[0]
    by_path = call(sandbox, "GET", f"/{one}/insights", **insights_params(fields=fields, limit=500))
    assert by_path[0] == 200 and {r["ad_id"] for r in by_path[2]["data"]} == {one}
    status, _, body = call(sandbox, "GET", "/insights", ids=",".join(sorted(deleted)),
                           **insights_params(fields=fields, limit=500))
    assert status == 200 and set(body) == deleted
    by_id = [r for part in body.values() for r in part["data"]]

    every_ad = [r for _, r in meta_data.insights(ACCOUNT, date(2026, 1, 1), date(2026, 1, 7), TODAY)]
    totals = call(sandbox, "GET", f"/act_{ACCOUNT}/insights",
                  **insights_params(level="account", fields="date_start,spend,impressions", limit=500))[2]["data"]
    assert len(totals) == 7 and "ad_id" not in totals[0]
    served = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params(
        fields=fields, limit=500, filtering=[{"field": "ad.effective_status", "operator": "IN", "value": every}]))[2]
    assert _sum(totals) == _sum(every_ad) == _sum(served["data"] + by_id)

    edges = {r["id"] for r in call(sandbox, "GET", f"/act_{ACCOUNT}/ads", fields="id", limit=100)[2]["data"]}
    assert not edges & (archived | deleted)
    everything = call(sandbox, "GET", f"/act_{ACCOUNT}/ads", fields="id,effective_status", limit=100,
                      filtering=[{"field": "effective_status", "operator": "IN", "value": every}])[2]["data"]
    assert {r["id"] for r in everything} == {str(a.id) for a in ads if a.effective_status in every}

    page = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params(fields=fields, limit=500))[2]["data"]
    sandbox.faults.add(Fault(service="meta", error="DROP_ROW", resource="insights"))
    short = call(sandbox, "GET", f"/act_{ACCOUNT}/insights", **insights_params(fields=fields, limit=500))[2]["data"]
    assert short == page[1:]  # the first row left out, while level=account still counts it
