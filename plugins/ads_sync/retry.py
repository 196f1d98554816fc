"""One retry loop for every API call: jittered exponential backoff that honours the API's hints."""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ads_sync.errors import QuotaExhausted, Throttled, TransientApiError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 60.0
    #: a hinted wait up to this long is slept in the worker; a longer one is Throttled (a deferrable task
    #: defers, freeing its worker slot, and starts again)
    max_sleep_s: float = 30.0
    #: a hint longer than this is a quota that will not clear soon: fail with when it resets
    max_hinted_delay: float = 3600.0

    def delay(self, attempt: int, hint: float | None) -> float:
        if hint is not None:
            return hint + random.uniform(0, self.base_delay)
        return min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)


def check_wait(seconds: float | None, policy: RetryPolicy, *, what: str, why: str) -> None:
    """A wait the API asks for: fine to sleep, Throttled (defer, then start again), or a quota to fail on."""
    if seconds is None or seconds <= policy.max_sleep_s:
        return
    if seconds > policy.max_hinted_delay:
        raise QuotaExhausted(f"{what}: the API asks to wait {seconds:.0f} s ({why}); not waiting that long; "
                             "the next scheduled run will catch up")
    raise Throttled(f"{what}: the API asks to wait {seconds:.0f} s ({why})", seconds=seconds)


def call_with_retries(
    fn: Callable[[], T],
    *,
    classify: Callable[[BaseException], BaseException],
    policy: RetryPolicy,
    what: str,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `fn`; on a transient error (as `classify` says) wait and run it again from the start.

    `classify` maps a library exception to one of ads_sync.errors (or returns it unchanged when it
    knows nothing of it, which is then raised as is). `fn` must be safe to re-run from the start: a
    broken stream cannot resume, so the caller discards what it had and re-reads the whole query.
    """
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - classified below, never swallowed
            error = classify(exc)
            if not isinstance(error, TransientApiError):
                if error is exc:
                    raise
                raise error from exc
            if attempt >= policy.attempts:
                raise error from exc
            wait = policy.delay(attempt, error.retry_after)
            check_wait(error.retry_after, policy, what=what, why=str(error))
            log.warning("%s: %s; retry %d of %d in %.1f s", what, error, attempt, policy.attempts - 1, wait)
            sleep(wait)
