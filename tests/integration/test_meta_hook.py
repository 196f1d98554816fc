"""MetaAdsHook and the report-run trigger against the sandbox's Graph API: cursor paging, a failed page that
resumes at its cursor, throttling that pauses (the clock is recorded, not slept), errors, timeouts."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest

from sandbox import Fault, meta_data

ACCOUNT = "555000111"
START, END = date(2026, 1, 5), date(2026, 1, 11)

pytestmark = pytest.mark.integration


class Clock:
    """Records sleeps and advances a fake monotonic clock by them."""

    def __init__(self) -> None:
        self.now, self.sleeps = 1000.0, []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hook(fresh_sandbox):
    from ads_sync.retry import RetryPolicy
    from ads_sync.sources.meta.hook import MetaAdsHook

    clock = Clock()
    h = MetaAdsHook(policy=RetryPolicy(attempts=3, base_delay=0.01), sleep=clock.sleep, clock=clock)
    h.clock = clock
    fresh_sandbox.set_today(date(2026, 1, 20))
    yield h
    fresh_sandbox.set_today(None)


def source_rows() -> list[dict]:
    """The sandbox's own rows, as the requested fields project them."""
    from ads_sync.sources.meta.reports import INSIGHT_FIELDS

    return [{k: v for k, v in r.items() if k in INSIGHT_FIELDS}
            for _, r in meta_data.insights(ACCOUNT, START, END, date(2026, 1, 20),
                                           statuses=meta_data.ACCOUNT_NODE_DELIVERED)]


def read(hook, limit: int = 5) -> list[dict]:
    from ads_sync.sources.meta import reports as meta

    return list(hook.insights(ACCOUNT, meta.insights_params((START, END), limit=limit)))


def test_pages_follow_the_cursor_and_every_request_is_counted(hook, fresh_sandbox) -> None:
    rows = read(hook)
    want = source_rows()
    assert rows == want
    pages = -(-len(want) // 5)
    assert fresh_sandbox.requests.count(service="meta", resource="insights") == pages == hook.requests
    assert hook.clock.sleeps == []


def test_typed_pages_are_msgspec_structs_and_map_to_the_same_rows(hook, fresh_sandbox) -> None:
    """The insights reads of a sync decode each page with msgspec (meta_decode), on the same paging, and
    give the same AD_DAILY tuples as dict pages through meta.insight_rows."""
    from ads_sync.sources.meta import decode as meta_decode
    from ads_sync.sources.meta import reports as meta

    typed = list(hook.insights(ACCOUNT, meta.insights_params((START, END), limit=5), typed=True))
    assert typed and all(type(o) is meta_decode.Insight for o in typed)
    types = meta.DEFAULT_ACTION_TYPES
    assert list(meta_decode.insight_rows(typed, (START, END), types)) == list(
        meta.insight_rows(source_rows(), (START, END), types))
    assert fresh_sandbox.requests.count(service="meta", resource="insights") == -(-len(typed) // 5)


def test_a_failed_page_is_retried_alone_and_resumes_at_its_cursor(hook, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="HTTP_502", resource="insights", nth=3))
    rows = read(hook)
    assert rows == source_rows()
    queries = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", resource="insights")]
    assert queries[2] == queries[3]  # the same cursor asked again, the pages before it not re-read
    assert len(hook.clock.sleeps) == 1


def test_a_throttled_request_waits_the_estimated_minutes_and_resumes(hook, fresh_sandbox) -> None:
    from ads_sync.retry import RetryPolicy

    hook.policy = RetryPolicy(attempts=3, base_delay=0.01, max_sleep_s=120)  # a worker that may sleep 2 min
    fresh_sandbox.faults.add(Fault(service="meta", error="THROTTLED", resource="insights", nth=2))
    rows = read(hook)
    assert len(rows) == meta_data.expected(ACCOUNT, START, END, date(2026, 1, 20),
                                              statuses=meta_data.ACCOUNT_NODE_DELIVERED).rows
    assert any(s >= 60 for s in hook.clock.sleeps)


def test_a_throttle_of_minutes_is_not_slept_in_the_worker(hook, fresh_sandbox) -> None:
    """Code 17 with a 1-minute estimate (more than the 30 s a worker sleeps): Throttled, which the extract
    task turns into a deferral; nothing slept here."""
    from ads_sync.errors import Throttled

    fresh_sandbox.faults.add(Fault(service="meta", error="THROTTLED", resource="insights", nth=2))
    with pytest.raises(Throttled) as caught:
        read(hook)
    assert 60 <= caught.value.seconds < 62
    assert all(s < 30 for s in hook.clock.sleeps)


def test_high_usage_slows_down_before_the_limit(hook, fresh_sandbox) -> None:
    fresh_sandbox.faults.add(Fault(service="meta", error="USAGE_HIGH", resource="insights", nth=1))
    read(hook)
    assert len(hook.clock.sleeps) == 1 and 1 < hook.clock.sleeps[0] < 5


def test_a_wait_of_hours_fails_instead_of_sleeping(hook, fresh_sandbox) -> None:
    from ads_sync.errors import QuotaExhausted

    hook._resume_at, hook._why_paused = hook.clock() + 3 * 3600, "test"
    with pytest.raises(QuotaExhausted, match="not waiting that long"):
        read(hook)
    assert fresh_sandbox.requests.count(service="meta") == 0


@pytest.mark.parametrize("error, exc_name, words", [
    ("TOKEN_EXPIRED", "AuthFailure", "access token"),
    ("PERMISSION_DENIED", "AuthFailure", "ads_read"),
    ("PROFILE_NOT_LINKED", "AuthFailure", "2853001"),
    ("INVALID_PARAMETER", "InvalidRequest", "Invalid parameter"),
])
def test_permanent_errors_fail_after_one_request(hook, fresh_sandbox, error, exc_name, words) -> None:
    from ads_sync import errors

    fresh_sandbox.faults.add(Fault(service="meta", error=error, times=-1))
    with pytest.raises(getattr(errors, exc_name), match=words) as caught:
        read(hook)
    assert "sandbox-meta-access-token" not in str(caught.value)
    assert fresh_sandbox.requests.count(service="meta") == 1


def test_transient_errors_that_never_clear_end_in_retries_exhausted(hook, fresh_sandbox) -> None:
    from ads_sync.sources.meta.hook import RetriesExhausted

    fresh_sandbox.faults.add(Fault(service="meta", error="SERVICE_UNAVAILABLE", times=-1))
    with pytest.raises(RetriesExhausted, match="after 3 attempts"):
        read(hook)
    assert fresh_sandbox.requests.count(service="meta") == 3


def test_retired_attribution_windows_are_refused_by_the_sandbox(hook) -> None:
    from ads_sync.errors import InvalidRequest
    from ads_sync.sources.meta import reports as meta

    params = {**meta.insights_params((START, END)), "action_attribution_windows": ["7d_click", "28d_view"]}
    with pytest.raises(InvalidRequest, match="28d_view"):
        list(hook.insights(ACCOUNT, params))


def trigger_event(jobs, **kwargs) -> dict:
    from ads_sync.sources.meta.trigger import MetaReportRunsTrigger

    trigger = MetaReportRunsTrigger(conn_id="facebook_default", account_id=ACCOUNT,
                                    jobs=[j.to_dict() for j in jobs], poll_s=0.05, max_poll_s=0.1, **kwargs)

    async def first():
        async for event in trigger.run():
            return event.payload

    return asyncio.run(first())


@pytest.mark.parametrize("fault, kwargs, status", [
    (None, {}, "done"),
    ("JOB_FAILED", {}, "Job Failed"),
    ("JOB_STALLED", {"finish_timeout_s": 0.3}, "not finished after"),
    ("JOB_NOT_STARTED", {"start_timeout_s": 0.3}, "not started after"),
])
def test_the_trigger_settles_each_report_run(hook, fresh_sandbox, fault, kwargs, status) -> None:
    import time
    from dataclasses import replace

    from ads_sync.sources.meta import reports as meta

    if fault:
        fresh_sandbox.faults.add(Fault(service="meta", error=fault, resource="async_report"))
    run_id = hook.start_report(ACCOUNT, meta.insights_params((START, END)))
    job = replace(meta.Job(START, END), run_id=run_id, submitted_at=time.time())
    payload = trigger_event([job], **kwargs)
    [settled] = payload["jobs"]
    assert settled["status"].startswith(status)
    assert payload["requests"] == fresh_sandbox.requests.count(service="meta", resource="report_run")
    if status == "done":
        rows = list(hook.report_rows(run_id))
        assert len(rows) == meta_data.expected(ACCOUNT, START, END, date(2026, 1, 20),
                                              statuses=meta_data.ACCOUNT_NODE_DELIVERED).rows


def test_the_trigger_hands_an_expired_token_back_as_an_auth_error(hook, fresh_sandbox) -> None:
    import time
    from dataclasses import replace

    from ads_sync.sources.meta import reports as meta

    run_id = hook.start_report(ACCOUNT, meta.insights_params((START, END - timedelta(days=3))))
    fresh_sandbox.faults.add(Fault(service="meta", error="TOKEN_EXPIRED", times=-1))
    payload = trigger_event([replace(meta.Job(START, END), run_id=run_id, submitted_at=time.time())])
    assert payload["kind"] == "auth" and "access token" in payload["error"]


def test_a_200_cut_off_mid_body_is_retried_and_the_read_completes(hook, fresh_sandbox) -> None:
    """A 200 whose JSON stops mid-way (a proxy closing early) is transient, not a bad request."""
    fresh_sandbox.faults.add(Fault(service="meta", error="TRUNCATED_200", resource="insights", nth=2))
    assert read(hook) == source_rows()
    queries = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", resource="insights")]
    assert queries[1] == queries[2]  # the cut page asked again


@pytest.mark.parametrize("error", ["MISSING_PERMISSIONS", "OBJECT_NOT_VISIBLE"])
def test_permission_errors_under_code_100_are_auth_failures_that_say_what_to_grant(hook, fresh_sandbox,
                                                                                   error) -> None:
    from ads_sync.errors import AuthFailure

    fresh_sandbox.faults.add(Fault(service="meta", error=error, times=-1))
    with pytest.raises(AuthFailure, match="ads_read") as caught:
        read(hook)
    assert "#100" in str(caught.value) and "Business Settings" in str(caught.value)
    assert fresh_sandbox.requests.count(service="meta") == 1


def test_reduce_the_amount_of_data_is_too_much_data_not_a_retry(hook, fresh_sandbox) -> None:
    from ads_sync.errors import TooMuchData

    fresh_sandbox.faults.add(Fault(service="meta", error="REDUCE_DATA", resource="insights", times=-1))
    with pytest.raises(TooMuchData, match="reduce the amount of data"):
        read(hook)
    assert fresh_sandbox.requests.count(service="meta") == 1


def test_the_report_post_is_not_sent_again_after_an_ambiguous_failure(hook, fresh_sandbox) -> None:
    """A 503 page (no Graph error object) may come after the report run was made: never POST twice."""
    from ads_sync.errors import AmbiguousSubmit
    from ads_sync.sources.meta import reports as meta

    fresh_sandbox.faults.add(Fault(service="meta", error="HTTP_503", resource="async_report", nth=1))
    with pytest.raises(AmbiguousSubmit, match="not sent again"):
        hook.start_report(ACCOUNT, meta.insights_params((START, END)))
    assert fresh_sandbox.requests.count(service="meta", resource="async_report") == 1


def test_the_report_post_is_retried_after_an_error_that_proves_nothing_was_made(hook, fresh_sandbox) -> None:
    """A throttle is Graph's own answer: the run was not made, so asking again makes exactly one."""
    from ads_sync.sources.meta import reports as meta

    fresh_sandbox.faults.add(Fault(service="meta", error="APP_LIMIT", resource="async_report", nth=1))
    run_id = hook.start_report(ACCOUNT, meta.insights_params((START, END)))
    posts = fresh_sandbox.requests.filter(service="meta", resource="async_report")
    assert len(posts) == 2 and [p["status"] for p in posts] == [4, "OK"]
    assert hook.report_status(run_id)[0] in ("Job Running", "Job Completed")


def read_typed(hook, limit: int = 5) -> list:
    from ads_sync.sources.meta import reports as meta

    return list(hook.insights(ACCOUNT, meta.insights_params((START, END), limit=limit), typed=True))


@pytest.mark.parametrize("error, outcome", [
    ("HTTP_502", "retried"), ("SERVICE_UNAVAILABLE", "retried"), ("TRUNCATED_200", "retried"),
    ("UNKNOWN", "retried"), ("TOKEN_EXPIRED", "AuthFailure"), ("INVALID_PARAMETER", "InvalidRequest"),
    ("REDUCE_DATA", "TooMuchData"),
])
def test_typed_pages_skip_the_sdks_parse_but_fail_as_the_sdk_says(hook, fresh_sandbox, error, outcome) -> None:
    """Typed insights pages are read without the SDK's own json.loads (GraphApi.get_decoded); whatever is not
    a page still goes through the SDK's rule, so every fault ends as it does on the dict path: retried at
    its cursor, or the same error class. Requests are counted either way."""
    from ads_sync import errors
    from ads_sync.sources.meta import decode as meta_decode
    from ads_sync.sources.meta import reports as meta

    fresh_sandbox.faults.add(Fault(service="meta", error=error, resource="insights", nth=2))
    if outcome == "retried":
        rows = read_typed(hook)
        types = meta.DEFAULT_ACTION_TYPES
        assert list(meta_decode.insight_rows(rows, (START, END), types)) == list(
            meta.insight_rows(source_rows(), (START, END), types))
        queries = [e["query"] for e in fresh_sandbox.requests.filter(service="meta", resource="insights")]
        assert queries[1] == queries[2]  # the failed page asked again at its own cursor
        assert hook.requests == len(queries) == -(-len(rows) // 5) + 1
    else:
        with pytest.raises(getattr(errors, outcome)):
            read_typed(hook)
        assert hook.requests == fresh_sandbox.requests.count(service="meta", resource="insights") == 2
