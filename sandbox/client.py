"""SandboxClient: drive a sandbox running in another process through its control API.

Mirrors the in-process Sandbox: .requests (entries, count), .faults (add, clear, active),
reset(), set_today(). Stdlib only, so any test or script can use it.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .faults import Fault
from .request_log import RequestLog


class SandboxError(RuntimeError):
    pass


class SandboxClient:
    def __init__(self, http_url: str, timeout_s: float = 10.0) -> None:
        self.http_url = http_url.rstrip("/")
        self.timeout_s = timeout_s
        self.faults = _RemoteFaults(self)

    @classmethod
    def from_state_dir(cls, state_dir: Path) -> SandboxClient:
        """Find a `python -m sandbox` through the endpoints.json it wrote."""
        endpoints = json.loads((Path(state_dir) / "endpoints.json").read_text())
        return cls(endpoints["http_url"])

    def call(self, method: str, path: str, payload: Any = None, **query: str | None) -> Any:
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.http_url}/_sandbox/{path}" + (f"?{urlencode(params)}" if params else "")
        body = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(
            url, data=body, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SandboxError(
                f"{method} {url}: HTTP {exc.code}: {exc.read().decode(errors='replace')}"
            ) from None

    def health(self) -> dict[str, Any]:
        return self.call("GET", "health")

    @property
    def requests(self) -> RequestLog:
        """A snapshot of the request log."""
        return RequestLog(self.call("GET", "requests")["requests"])

    def reset(self) -> None:
        self.call("POST", "reset", {})

    @property
    def today(self) -> date:
        return date.fromisoformat(self.call("GET", "today")["today"])

    def set_today(self, today: date | None) -> None:
        self.call("POST", "today", {"today": today.isoformat() if today else None})

    @property
    def now(self) -> datetime | None:
        value = self.call("GET", "now")["now"]
        return datetime.fromisoformat(value) if value else None

    def set_now(self, now: datetime | None) -> None:
        """Set the sandbox clock (an aware instant): each account's today so far follows it. None: real time."""
        self.call("POST", "now", {"now": now.isoformat() if now else None})


class _RemoteFaults:
    def __init__(self, client: SandboxClient) -> None:
        self._client = client

    def add(self, fault: Fault) -> Fault:
        return Fault.from_dict(self._client.call("POST", "faults", fault.to_dict())["fault"])

    def clear(self) -> None:
        self._client.call("DELETE", "faults")

    def active(self) -> list[Fault]:
        return [Fault.from_dict(f) for f in self._client.call("GET", "faults")["faults"]]
