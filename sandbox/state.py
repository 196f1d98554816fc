"""What every emulated service of one sandbox shares: clock, data volume, log, faults, tokens."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from .data import Volume
from .faults import FaultBook
from .oauth import TokenStore
from .request_log import RequestLog

#: UTC+14 (Line Islands) is the first zone to start a day
EARLIEST_OFFSET = timedelta(hours=14)


@dataclass
class SandboxState:
    volume: Volume = field(default_factory=Volume)
    fixed_today: date | None = None
    #: the sandbox clock (an aware instant), set by tests through /_sandbox/now; None: the real clock
    fixed_now: datetime | None = None
    requests: RequestLog = field(default_factory=RequestLog)
    faults: FaultBook = field(default_factory=FaultBook)
    tokens: TokenStore = field(default_factory=TokenStore)
    #: set on shutdown so injected delays end early instead of holding the server open
    stopping: threading.Event = field(default_factory=threading.Event)

    def today(self) -> date:
        """Read per request, so a long-lived sandbox without a fixed date moves on at midnight.

        The calendar of UTC+14, the first on earth to start a day: whatever an account's time zone,
        its yesterday is complete here, as it is at Google (which serves each day in the account's zone).
        """
        if self.fixed_now is not None:
            return (self.fixed_now.astimezone(UTC) + EARLIEST_OFFSET).date()
        return self.fixed_today or (datetime.now(UTC) + EARLIEST_OFFSET).date()

    def set_today(self, today: date | None) -> None:
        self.fixed_today = today
        if today is not None:
            self.fixed_now = None

    def now(self) -> datetime | None:
        """The instant that decides each account's today so far (issue 17): the set clock, else the real
        one; None while a test pins only the date (`set_today`), which keeps every day before it complete
        and no later day delivering, as before the clock existed."""
        if self.fixed_now is not None:
            return self.fixed_now
        return None if self.fixed_today is not None else datetime.now(UTC)

    def set_now(self, now: datetime | None) -> None:
        if now is not None and (now.tzinfo is None or now.utcoffset() is None):
            raise ValueError("the sandbox clock needs an aware instant (with a UTC offset)")
        self.fixed_now = now

    def reset(self) -> None:
        """Forget the request log and the faults (issued tokens stay valid)."""
        self.requests.clear()
        self.faults.clear()

    def sleep(self, seconds: float) -> None:
        self.stopping.wait(seconds)
