"""API rate limits shared by every worker: how often we call, where pools only cap how many call at once.

- Google Ads: requests per developer token per second and per day (Basic access: 15,000 operations a
  day; a SearchStream request is one operation). Keyed by a hash of the token, never the token.
- Meta: per ad account, the pause the usage headers ask for (`sources.meta.parse_usage`), as the last
  worker that saw them stored it, plus an optional requests-per-second cap.

The daily quota is counted by `limits` (a moving window of a day: one stable, documented API for Redis
and memory, what Flask-Limiter and slowapi run on; pyrate-limiter's bucket API changed incompatibly in each
of its last major versions). The per-second pace is our own `Pacer`, a sliding log of grants in a sorted
set, one Lua script per request, timed by Redis's own clock: the platform counts requests when they
*arrive*, and a request granted at t arrives a little later (channel set-up, a loaded worker), so a
window of exactly one second at the grant lets two bursts land in one second at the platform. The pace
therefore allows N grants per (1 s + margin), the margin (`rate_limit_margin_ms`, default 100) being the
grant-to-arrival delay the deployment must absorb. `limits` windows are whole seconds, so it cannot.

Where: the Redis of Airflow connection `ads_sync_redis` (or the `rate_limit_redis_conn_id` extra of the API
connection), through `RedisHook`; without that connection (the embedded default), the same limiter runs
in this process's memory. Windows use the workers' wall clocks: on several machines keep them in NTP sync.

Limits come from the API connection's extras, else the defaults below:
`rate_limit_per_second`, `rate_limit_per_day` (Google Ads; 0 turns one off), `rate_limit_margin_ms` and
`rate_limit_per_second` (Meta, per ad account; off by default: Meta's limits are the usage scores its
headers report).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ads_sync.errors import QuotaExhausted

log = logging.getLogger(__name__)

#: Google publishes no per-second figure (requests are throttled per token and customer); 10/s stays
#: clear of RESOURCE_TEMPORARILY_EXHAUSTED in practice. 15,000/day is Basic access; Standard: set 0.
GOOGLE_ADS_PER_SECOND = 10
GOOGLE_ADS_PER_DAY = 15_000
META_PER_SECOND = 0
#: grant-to-arrival slack: N grants per 1.1 s keep the platform's 1-second windows at N
MARGIN_MS = 100
REDIS_CONN_ID = "ads_sync_redis"
KEY_PREFIX = "ads_sync_ratelimit"
#: longest a worker sleeps for a slot before giving the run back to Airflow's retries
MAX_WAIT_S = 300.0


@dataclass(frozen=True)
class Limits:
    per_second: int
    per_day: int
    margin_ms: int = MARGIN_MS

    @classmethod
    def from_extras(cls, extras: Mapping[str, Any], *, per_second: int, per_day: int) -> Limits:
        return cls(
            per_second=_count(extras, "rate_limit_per_second", per_second),
            per_day=_count(extras, "rate_limit_per_day", per_day),
            margin_ms=_count(extras, "rate_limit_margin_ms", MARGIN_MS),
        )

    @property
    def window_s(self) -> float:
        """The pace's window: one second plus the margin."""
        return 1.0 + self.margin_ms / 1000


def _count(extras: Mapping[str, Any], key: str, default: int) -> int:
    value = extras.get(key, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"connection extra {key} must be a whole number >= 0 (0 turns it off), got {value!r}")
    return value


class Pacer:
    """A sliding log of grants per scope: `try_acquire` grants when fewer than `limit` fall in the last
    `window_s`, else says how long until the oldest leaves it."""

    def try_acquire(self, scope: str, limit: int, window_s: float) -> float:
        raise NotImplementedError


class MemoryPacer(Pacer):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grants: dict[str, deque[float]] = {}

    def try_acquire(self, scope: str, limit: int, window_s: float) -> float:
        with self._lock:
            now = time.time()
            grants = self._grants.setdefault(scope, deque())
            while grants and grants[0] <= now - window_s:
                grants.popleft()
            if len(grants) < limit:
                grants.append(now)
                return 0.0
            return grants[0] + window_s - now


#: atomic across workers; the clock is Redis's (TIME), so workers' clocks need not agree
_PACE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local window, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, string.format('%.6f', now) .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
  return '0'
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return tostring(tonumber(oldest[2]) + window - now)
"""


class RedisPacer(Pacer):
    def __init__(self, client: Any) -> None:
        self.script = client.register_script(_PACE_LUA)

    def try_acquire(self, scope: str, limit: int, window_s: float) -> float:
        token = f"{os.getpid()}:{threading.get_ident()}:{random.getrandbits(32)}"  # noqa: S311 - a unique member
        wait = self.script(keys=[f"{KEY_PREFIX}:pace:{scope}"], args=[window_s, limit, token])
        return float(wait)


class SharedLimiter:
    """A daily counter, a per-second pace and a small "paused until" record per scope, in Redis or in
    memory."""

    def __init__(self, storage: Any, pauses: PauseStore, pacer: Pacer, *, where: str) -> None:
        from limits.strategies import MovingWindowRateLimiter

        self.limiter = MovingWindowRateLimiter(storage)
        self.pacer = pacer
        self.pauses = pauses
        self.where = where

    def acquire(
        self, scope: str, limits: Limits, *, what: str, sleep: Callable[[float], None] | None = None,
        max_wait_s: float = MAX_WAIT_S,
    ) -> None:
        """Block until `scope` may make one more request; a spent daily quota raises QuotaExhausted."""
        from limits import RateLimitItemPerDay

        if limits.per_day and not self.limiter.hit(RateLimitItemPerDay(limits.per_day), scope):
            raise QuotaExhausted(
                f"{what}: the {limits.per_day} requests a day allowed for {scope} are spent (counted by every "
                "worker); the next run after the window moves on catches up"
            )
        if not limits.per_second:
            return
        waited = 0.0
        while (wait := self.pacer.try_acquire(scope, limits.per_second, limits.window_s)) > 0:
            # jitter, so workers woken by the same expiry do not race for one slot in lockstep
            delay = max(0.005, wait) + random.uniform(0, 0.02)  # noqa: S311
            waited += delay
            if waited > max_wait_s:
                raise QuotaExhausted(f"{what}: no request slot for {scope} within {max_wait_s:.0f} s")
            (sleep or time.sleep)(delay)

    def wait_for_pause(
        self, scope: str, *, what: str, max_wait_s: float, sleep: Callable[[float], None] | None = None
    ) -> None:
        """Honour the pause any worker last stored for `scope`."""
        until, why = self.pauses.get(scope)
        wait = until - time.time()
        if wait <= 0:
            return
        if wait > max_wait_s:
            raise QuotaExhausted(
                f"{what}: a worker was asked to wait {wait / 60:.0f} min ({why}); not sleeping that long in a "
                "worker; the next run will catch up"
            )
        log.info("%s: pausing %.1f s before the next request (shared %s): %s", what, wait, self.where, why)
        (sleep or time.sleep)(wait)

    def pause(self, scope: str, seconds: float, why: str) -> None:
        if seconds > 0:
            self.pauses.set(scope, time.time() + seconds, why)


class PauseStore:
    def get(self, scope: str) -> tuple[float, str]:
        raise NotImplementedError

    def set(self, scope: str, until: float, why: str) -> None:
        raise NotImplementedError


class MemoryPauses(PauseStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pauses: dict[str, tuple[float, str]] = {}

    def get(self, scope: str) -> tuple[float, str]:
        with self._lock:
            return self._pauses.get(scope, (0.0, ""))

    def set(self, scope: str, until: float, why: str) -> None:
        with self._lock:
            if until > self._pauses.get(scope, (0.0, ""))[0]:
                self._pauses[scope] = (until, why)


class RedisPauses(PauseStore):
    def __init__(self, client: Any) -> None:
        self.client = client

    def _key(self, scope: str) -> str:
        return f"{KEY_PREFIX}:pause:{scope}"

    def get(self, scope: str) -> tuple[float, str]:
        raw = self.client.get(self._key(scope))
        if not raw:
            return 0.0, ""
        data = json.loads(raw)
        return float(data["until"]), str(data["why"])

    def set(self, scope: str, until: float, why: str) -> None:
        ttl_ms = max(1, int((until - time.time()) * 1000))
        # the newest headers win: they are the platform's latest word on this account
        self.client.set(self._key(scope), json.dumps({"until": until, "why": why}), px=ttl_ms)


_lock = threading.Lock()
_shared: dict[str, SharedLimiter] = {}


def shared_limiter(redis_conn_id: str = REDIS_CONN_ID) -> SharedLimiter:
    """The process's limiter for that Redis connection, or the in-memory one when it does not exist."""
    with _lock:
        if redis_conn_id not in _shared:
            _shared[redis_conn_id] = _build(redis_conn_id)
        return _shared[redis_conn_id]


def _build(redis_conn_id: str) -> SharedLimiter:
    client = _redis_client(redis_conn_id)
    if client is None:
        from limits.storage import MemoryStorage

        return SharedLimiter(MemoryStorage(), MemoryPauses(), MemoryPacer(), where="in this process")
    from limits.storage import RedisStorage

    storage = RedisStorage("redis://", connection_pool=client.connection_pool, key_prefix=KEY_PREFIX)
    return SharedLimiter(storage, RedisPauses(client), RedisPacer(client), where=f"in Redis {redis_conn_id}")


def _redis_client(redis_conn_id: str) -> Any | None:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.providers.redis.hooks.redis import RedisHook

    try:
        return RedisHook(redis_conn_id=redis_conn_id).get_conn()
    except AirflowNotFoundException:
        return None


def token_scope(platform: str, token: str) -> str:
    """A developer token as a key: a hash, so Redis never holds the secret."""
    return f"{platform}:token:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


# -- the hooks' one call each ----------------------------------------------------------------------


class GoogleAdsGate:
    """Per hook: the developer token's limits, read once from the connection."""

    def __init__(self, extras: Mapping[str, Any]) -> None:
        self.limits = Limits.from_extras(extras, per_second=GOOGLE_ADS_PER_SECOND, per_day=GOOGLE_ADS_PER_DAY)
        self.scope = token_scope("google_ads", str(extras["developer_token"]))
        self.limiter = shared_limiter(str(extras.get("rate_limit_redis_conn_id") or REDIS_CONN_ID))
        log.info("Google Ads limits for this developer token: %s requests per %.2f s, %s/day (0 = off), "
                 "counted %s", self.limits.per_second, self.limits.window_s, self.limits.per_day,
                 self.limiter.where)

    def before_request(self, what: str) -> None:
        self.limiter.acquire(self.scope, self.limits, what=what)


def google_ads_request(hook: Any, customer_id: str) -> None:
    """Called by GoogleAdsApiHook before each request: blocks for a slot of its developer token."""
    gate = getattr(hook, "_rate_gate", None)
    if gate is None:
        gate = GoogleAdsGate(hook.get_connection(hook.google_ads_conn_id).extra_dejson)
        hook._rate_gate = gate
    gate.before_request(f"Google Ads customer {customer_id}")


class MetaGate:
    """Per hook: waits out the pause any worker stored for the ad account, counts requests, and stores
    the pause this answer's usage headers ask for."""

    def __init__(self, extras: Mapping[str, Any], *, max_wait_s: float) -> None:
        self.limits = Limits.from_extras(extras, per_second=META_PER_SECOND, per_day=0)
        self.limiter = shared_limiter(str(extras.get("rate_limit_redis_conn_id") or REDIS_CONN_ID))
        self.max_wait_s = max_wait_s
        self.account = "unknown"

    def call(self, path: tuple[str, ...], request: Callable[[], Any], *, what: str) -> Any:
        from ads_sync.sources.meta import reports as meta

        if path and path[0].startswith("act_"):
            self.account = path[0]  # report runs and their rows belong to the account asked last
        scope = f"meta:{self.account}"
        self.limiter.wait_for_pause(scope, what=what, max_wait_s=self.max_wait_s)
        self.limiter.acquire(scope, self.limits, what=what)
        try:
            response = request()
        except Exception as exc:
            headers = getattr(exc, "http_headers", None)
            if callable(headers):
                self._share(scope, meta.parse_usage(headers() or {}))
            raise
        self._share(scope, meta.parse_usage(response.headers()))
        return response

    def _share(self, scope: str, usage: Any) -> None:
        if usage.pause_s > 0:
            why = (f"Meta estimates access returns in {usage.regain_minutes:g} min" if usage.regain_minutes
                   else f"usage at {usage.pct:.0f}% of a rate limit")
            self.limiter.pause(scope, usage.pause_s, why)


def meta_request(hook: Any, path: tuple[str, ...], request: Callable[[], Any], *, what: str) -> Any:
    """Called by MetaAdsHook around each Graph request."""
    gate = getattr(hook, "_rate_gate", None)
    if gate is None:
        gate = MetaGate(hook.get_connection(hook.facebook_conn_id).extra_dejson,
                        max_wait_s=hook.policy.max_hinted_delay)
        hook._rate_gate = gate
    return gate.call(path, request, what=what)
