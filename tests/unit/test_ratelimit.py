"""The shared rate limiter: moving windows that no second ever overruns, a daily quota that fails the
request instead of sleeping for hours, and Meta pauses one worker stores and another honours. In memory,
and on the real Redis at 127.0.0.1:6379 (two limiters with their own connections, as two workers)."""
from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest

from ads_sync import ratelimit
from ads_sync.errors import QuotaExhausted
from ads_sync.ratelimit import Limits, MemoryPacer, MemoryPauses, RedisPacer, RedisPauses, SharedLimiter

REDIS_DB = 14


def memory_limiter() -> SharedLimiter:
    from limits.storage import MemoryStorage

    return SharedLimiter(MemoryStorage(), MemoryPauses(), MemoryPacer(), where="memory")


def redis_limiters(n: int) -> list[SharedLimiter]:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("SKIPPED LOUDLY: no Redis at 127.0.0.1:6379")
    import redis
    from limits.storage import RedisStorage

    out = []
    for _ in range(n):
        client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
        out.append(SharedLimiter(RedisStorage("redis://", connection_pool=client.connection_pool,
                                              key_prefix=ratelimit.KEY_PREFIX), RedisPauses(client), RedisPacer(client),
                                 where="redis"))
    return out


def busiest(stamps: list[float], seconds: float) -> int:
    stamps = sorted(stamps)
    return max(sum(1 for t in stamps[i:] if t < s + seconds) for i, s in enumerate(stamps))


def hammer(limiters: list[SharedLimiter], scope: str, limits: Limits, per_thread: int, threads: int) -> list[float]:
    stamps: list[float] = []
    lock = threading.Lock()

    def record(limiter: SharedLimiter) -> None:
        """Stamp each grant with the time taken just before asking, as the backend stamps it: a stamp
        taken after `acquire` returns would add thread-scheduling delay to some and not others."""
        try_acquire = limiter.pacer.try_acquire

        def stamped(scope: str, limit: int, window_s: float) -> float:
            asked = time.time()
            wait = try_acquire(scope, limit, window_s)
            if wait <= 0:
                with lock:
                    stamps.append(asked)
            return wait

        limiter.pacer.try_acquire = stamped  # type: ignore[method-assign]

    def work(limiter: SharedLimiter) -> None:
        for _ in range(per_thread):
            limiter.acquire(scope, limits, what="test")

    for limiter in set(limiters):
        record(limiter)
    pool = [threading.Thread(target=work, args=(limiters[i % len(limiters)],)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return stamps


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_no_second_ever_holds_more_than_the_limit(backend: str) -> None:
    limiters = [memory_limiter()] if backend == "memory" else redis_limiters(2)
    scope = f"test:{time.time_ns()}"
    stamps = hammer(limiters, scope, Limits(per_second=5, per_day=0, margin_ms=0), per_thread=5, threads=4)
    assert len(stamps) == 20
    # 10 ms of slack: the stamp is taken just before the grant, the backend's clock a moment later
    assert busiest(stamps, 1.0 - 0.01) == 5  # reached, never exceeded
    assert max(stamps) - min(stamps) >= 3.0  # 20 requests at 5/s need at least three window moves


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_the_margin_widens_the_window_so_late_arrivals_stay_within_the_limit(backend: str) -> None:
    limiters = [memory_limiter()] if backend == "memory" else redis_limiters(2)
    scope = f"test:{time.time_ns()}"
    stamps = hammer(limiters, scope, Limits(per_second=4, per_day=0, margin_ms=400), per_thread=3, threads=4)
    assert len(stamps) == 12
    assert busiest(stamps, 1.4 - 0.01) == 4  # no 1.4 s of grants over 4: arrivals up to 0.4 s late stay at 4/s
    assert max(stamps) - min(stamps) >= 2 * 1.4  # 12 at 4 per 1.4 s need two window moves of 1.4 s


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_a_spent_daily_quota_fails_without_sleeping(backend: str) -> None:
    limiter = memory_limiter() if backend == "memory" else redis_limiters(1)[0]
    scope = f"test:{time.time_ns()}"
    for _ in range(3):
        limiter.acquire(scope, Limits(per_second=0, per_day=3), what="q")
    with pytest.raises(QuotaExhausted, match="3 requests a day"):
        limiter.acquire(scope, Limits(per_second=0, per_day=3), what="q")


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_a_pause_one_worker_stored_is_honoured_by_another(backend: str) -> None:
    first, second = [memory_limiter()] * 2 if backend == "memory" else redis_limiters(2)
    scope = f"meta:act_{time.time_ns()}"
    slept: list[float] = []
    second.wait_for_pause(scope, what="r", max_wait_s=60, sleep=slept.append)
    assert slept == []
    first.pause(scope, 30, "usage at 95% of a rate limit")
    second.wait_for_pause(scope, what="r", max_wait_s=60, sleep=slept.append)
    assert len(slept) == 1 and 29 < slept[0] <= 30
    with pytest.raises(QuotaExhausted, match="usage at 95%"):
        second.wait_for_pause(scope, what="r", max_wait_s=10, sleep=slept.append)


def test_limits_from_connection_extras() -> None:
    default = Limits.from_extras({}, per_second=ratelimit.GOOGLE_ADS_PER_SECOND, per_day=ratelimit.GOOGLE_ADS_PER_DAY)
    assert default == Limits(per_second=10, per_day=15_000, margin_ms=ratelimit.MARGIN_MS)
    assert Limits.from_extras({"rate_limit_per_second": "4", "rate_limit_per_day": 0, "rate_limit_margin_ms": 250},
                              per_second=10, per_day=15_000) == Limits(4, 0, 250)
    with pytest.raises(ValueError, match="rate_limit_per_second"):
        Limits.from_extras({"rate_limit_per_second": -1}, per_second=10, per_day=0)


def test_token_scope_never_holds_the_token() -> None:
    scope = ratelimit.token_scope("google_ads", "secret-developer-token")
    assert "secret" not in scope and scope == ratelimit.token_scope("google_ads", "secret-developer-token")


class _Response:
    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def headers(self) -> dict[str, str]:
        return self._headers


def test_meta_gate_shares_the_usage_headers_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    shared = memory_limiter()
    monkeypatch.setattr(ratelimit, "shared_limiter", lambda conn_id=None: shared)
    a, b = ratelimit.MetaGate({}, max_wait_s=600), ratelimit.MetaGate({}, max_wait_s=600)
    usage = {"x-business-use-case-usage": json.dumps({"42": [{"type": "ads_insights", "call_count": 99,
             "total_cputime": 10, "total_time": 10, "estimated_time_to_regain_access": 0}]})}
    a.call(("act_42", "insights"), lambda: _Response(usage), what="a")
    until, why = shared.pauses.get("meta:act_42")
    assert until > time.time() and "99%" in why
    seen: list[Any] = []
    monkeypatch.setattr(ratelimit.time, "sleep", lambda s: seen.append(s))
    b.call(("act_42", "insights"), lambda: _Response({}), what="b")
    assert seen and seen[0] > 0  # b waited although its own answers never said so
    seen.clear()
    b.call(("act_43", "insights"), lambda: _Response({}), what="b")
    assert seen == []  # another ad account is not paced by this one's usage
