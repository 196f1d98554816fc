"""Scripted failures: "fail the Nth matching call with this error, M times".

A Fault is plain data (JSON round-trippable) so a test in another process can script it through
the control API; the FaultBook does the counting, which starts when the fault is added.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

#: error names each service understands (the emulators decide what they look like on the wire)
ERRORS: dict[str, frozenset[str]] = {
    "google_ads": frozenset(
        {
            "UNAVAILABLE",
            "DEADLINE_EXCEEDED",
            "INTERNAL",
            "RATE_EXCEEDED",
            "DAILY_QUOTA",
            "AUTH_INVALID",
            "PERMISSION_DENIED",
            "DEVELOPER_TOKEN_NOT_APPROVED",
            "INVALID_ARGUMENT",
            # the API version the client calls is turned off (RequestError.UNSUPPORTED_VERSION)
            "UNSUPPORTED_VERSION",
            "SLOW",
            # issue 11: a stream cut below the API, the long-term quota, an access token called expired,
            # a cancelled or suspended account, a rate limit whose wait is only in the message
            "STREAM_REMOVED",
            "LONG_TERM_QUOTA",
            "TOKEN_EXPIRED",
            "CUSTOMER_NOT_ENABLED",
            "RATE_EXCEEDED_LONG",
            # bad answers (sandbox/google_ads_bad_rows.py): the call succeeds with a broken row
            "DUPLICATE_ROWS",
            "NEGATIVE_COST",
            "DATE_OUTSIDE_WINDOW",
            "UNKNOWN_ENUM",
            # the stream leaves out its first row while FROM customer totals still count it (issue 10)
            "DROP_ROW",
        }
    ),
    "oauth": frozenset({"invalid_grant", "invalid_client", "UNAVAILABLE", "SLOW"}),
    # sandbox/sheets.py: 403 (no access / API disabled), 404, 429, 500
    "sheets": frozenset({"PERMISSION_DENIED", "SERVICE_DISABLED", "NOT_FOUND", "RATE_LIMIT", "INTERNAL", "SLOW"}),
    # sandbox/meta.py: Graph errors by name; USAGE_HIGH answers with usage headers at 80 %; JOB_* make the
    # report run that a POST /insights starts fail, be skipped, stall or never start
    "meta": frozenset({
        "THROTTLED", "ACCOUNT_THROTTLED", "APP_LIMIT", "RATE_LIMIT_613", "UNKNOWN", "SERVICE_UNAVAILABLE",
        "HTTP_503", "HTTP_502", "TOKEN_EXPIRED", "TOKEN_INVALID", "PERMISSION_DENIED", "NO_PERMISSION",
        "PROFILE_NOT_LINKED", "INVALID_PARAMETER", "USAGE_HIGH", "SLOW",
        "DEPRECATED_VERSION",  # error #2635: the Marketing API version called is turned off
        "JOB_FAILED", "JOB_SKIPPED", "JOB_STALLED", "JOB_NOT_STARTED",
        # a page served without its first row while level=account totals still count it (issue 10)
        "DROP_ROW",
        # issue 11: a 200 cut off mid-body, "reduce the amount of data", permission errors under code 100,
        # a throttle whose regain estimate is minutes
        "TRUNCATED_200", "REDUCE_DATA", "MISSING_PERMISSIONS", "OBJECT_NOT_VISIBLE", "THROTTLED_MINUTES",
    }),
}


@dataclass(kw_only=True)
class Fault:
    """Fail calls to `service` that match customer_id/resource (None = any).

    nth: the first failing matching call, counted from when the fault is added (1 = the next one).
    times: how many consecutive matching calls fail from there; -1 = forever.
    after_rows: for streaming calls, send this many rows first, then break the stream.
    delay_s: sleep before answering (SLOW answers normally afterwards).
    """

    service: str
    error: str
    customer_id: str | None = None
    resource: str | None = None
    nth: int = 1
    times: int = 1
    after_rows: int = 0
    delay_s: float = 0.0

    def __post_init__(self) -> None:
        if self.service not in ERRORS:
            raise ValueError(f"unknown fault service {self.service!r}; expected one of {sorted(ERRORS)}")
        if self.error not in ERRORS[self.service]:
            expected = sorted(ERRORS[self.service])
            raise ValueError(f"unknown {self.service} fault error {self.error!r}; expected one of {expected}")
        if self.nth < 1 or self.times == 0 or self.times < -1 or self.after_rows < 0 or self.delay_s < 0:
            raise ValueError(f"invalid fault counts: {self}")
        if self.customer_id is not None:
            self.customer_id = self.customer_id.replace("-", "")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fault:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        return cls(**data)

    def matches(self, service: str, customer_id: str | None, resource: str | None) -> bool:
        return (
            self.service == service
            and (self.customer_id is None or self.customer_id == customer_id)
            and (self.resource is None or self.resource == resource)
        )


class FaultBook:
    """The armed faults of one sandbox; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[list[Any]] = []  # [fault, matching calls seen]

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._armed.append([fault, 0])
        return fault

    def clear(self) -> None:
        with self._lock:
            self._armed.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [fault for fault, _ in self._armed]

    def check(
        self, service: str, customer_id: str | None = None, resource: str | None = None
    ) -> Fault | None:
        """Count this call against every matching fault; return the first one that fires."""
        fired: Fault | None = None
        with self._lock:
            for entry in self._armed:
                fault, seen = entry
                if not fault.matches(service, customer_id, resource):
                    continue
                seen += 1
                entry[1] = seen
                if (
                    fired is None
                    and seen >= fault.nth
                    and (fault.times == -1 or seen < fault.nth + fault.times)
                ):
                    fired = fault
        return fired
