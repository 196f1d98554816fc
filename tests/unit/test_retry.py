from __future__ import annotations

import pytest

from ads_sync.errors import AuthFailure, QuotaExhausted, TransientApiError
from ads_sync.retry import RetryPolicy, call_with_retries


def flaky(failures: list[BaseException], result: str = "ok"):
    calls = {"n": 0}

    def fn() -> str:
        calls["n"] += 1
        if failures:
            raise failures.pop(0)
        return result

    return fn, calls


def test_transient_errors_are_retried_then_succeed() -> None:
    slept: list[float] = []
    fn, calls = flaky([TransientApiError("a"), TransientApiError("b", retry_after=3)])
    assert call_with_retries(fn, classify=lambda e: e, policy=RetryPolicy(base_delay=1), what="t",
                             sleep=slept.append) == "ok"
    assert calls["n"] == 3
    assert 0.5 <= slept[0] <= 1.0 and 3 <= slept[1] <= 4  # backoff, then the API's hint


def test_gives_up_after_the_last_attempt() -> None:
    fn, calls = flaky([TransientApiError(str(i)) for i in range(10)])
    with pytest.raises(TransientApiError):
        call_with_retries(fn, classify=lambda e: e, policy=RetryPolicy(attempts=3), what="t", sleep=lambda s: None)
    assert calls["n"] == 3


def test_permanent_errors_are_not_retried() -> None:
    fn, calls = flaky([ValueError("raw")])
    with pytest.raises(AuthFailure):
        call_with_retries(fn, classify=lambda e: AuthFailure("no"), policy=RetryPolicy(), what="t",
                          sleep=lambda s: None)
    assert calls["n"] == 1


def test_a_hint_of_hours_fails_instead_of_sleeping() -> None:
    fn, calls = flaky([TransientApiError("quota", retry_after=40591)])
    with pytest.raises(QuotaExhausted, match="40591"):
        call_with_retries(fn, classify=lambda e: e, policy=RetryPolicy(), what="t", sleep=lambda s: None)
    assert calls["n"] == 1
