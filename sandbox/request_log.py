"""The log of every call a sandbox received, so tests can assert API efficiency.

Entries are plain JSON-able dicts (service, method, customer_id, resource, query,
login_customer_id, at, plus status/rows once answered) so the in-process view and the one read
over the control API are the same thing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any


class RequestLog:
    """Thread-safe, append-only (until cleared) request log; also used as a read-only snapshot."""

    def __init__(self, entries: Iterable[dict[str, Any]] = ()) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = [dict(e) for e in entries]

    def record(self, service: str, method: str, **details: Any) -> dict[str, Any]:
        """Append an entry and return it; the caller may update it (status, rows) while answering."""
        entry: dict[str, Any] = {
            "service": service,
            "method": method,
            "customer_id": None,
            "resource": None,
            "query": None,
            "login_customer_id": None,
            "status": None,
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            **details,
        }
        with self._lock:
            self._entries.append(entry)
        return entry

    def update(self, entry: dict[str, Any], **changes: Any) -> None:
        with self._lock:
            entry.update(changes)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def entries(self) -> list[dict[str, Any]]:
        """A copy, oldest first."""
        with self._lock:
            return [dict(e) for e in self._entries]

    def filter(
        self, service: str | None = None, customer_id: str | None = None, resource: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            e
            for e in self.entries
            if (service is None or e["service"] == service)
            and (customer_id is None or e["customer_id"] == customer_id.replace("-", ""))
            and (resource is None or e["resource"] == resource)
        ]

    def count(
        self, service: str | None = None, customer_id: str | None = None, resource: str | None = None
    ) -> int:
        return len(self.filter(service, customer_id, resource))

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
