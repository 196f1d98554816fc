"""The control API under /_sandbox/: what tests in another process use to script and inspect."""

from __future__ import annotations

import os
from datetime import date, datetime

from .faults import Fault
from .httpd import Request, Response, Router
from .state import SandboxState

PREFIX = "/_sandbox"


def mount(router: Router, state: SandboxState) -> None:
    def health(_: Request) -> Response:
        return Response.json({"status": "ok", "today": state.today().isoformat(), "pid": os.getpid()})

    def requests(request: Request) -> Response:
        entries = state.requests.filter(
            service=request.arg("service"),
            customer_id=request.arg("customer_id"),
            resource=request.arg("resource"),
        )
        return Response.json({"count": len(entries), "requests": entries})

    def add_fault(request: Request) -> Response:
        fault = state.faults.add(Fault.from_dict(request.json()))
        return Response.json({"fault": fault.to_dict()}, 201)

    def list_faults(_: Request) -> Response:
        return Response.json({"faults": [f.to_dict() for f in state.faults.active()]})

    def clear_faults(_: Request) -> Response:
        state.faults.clear()
        return Response.json({"faults": []})

    def reset(_: Request) -> Response:
        state.reset()
        return Response.json({"status": "reset"})

    def get_today(_: Request) -> Response:
        return Response.json({"today": state.today().isoformat(), "fixed": state.fixed_today is not None})

    def set_today(request: Request) -> Response:
        value = (request.json() or {}).get("today")
        state.set_today(date.fromisoformat(value) if value else None)
        return get_today(request)

    def get_now(_: Request) -> Response:
        now = state.now()
        return Response.json({"now": now.isoformat() if now else None, "fixed": state.fixed_now is not None,
                              "today": state.today().isoformat()})

    def set_now(request: Request) -> Response:
        """{"now": "2026-03-29T10:05:00+02:00"} sets the clock (today so far follows it); null: the real one."""
        value = (request.json() or {}).get("now")
        try:
            state.set_now(datetime.fromisoformat(value) if value else None)
        except ValueError as exc:
            return Response.json({"error": str(exc)}, 400)
        return get_now(request)

    router.add("GET", f"{PREFIX}/health", health)
    router.add("GET", f"{PREFIX}/requests", requests)
    router.add("POST", f"{PREFIX}/faults", add_fault)
    router.add("GET", f"{PREFIX}/faults", list_faults)
    router.add("DELETE", f"{PREFIX}/faults", clear_faults)
    router.add("POST", f"{PREFIX}/reset", reset)
    router.add("GET", f"{PREFIX}/today", get_today)
    router.add("POST", f"{PREFIX}/today", set_today)
    router.add("GET", f"{PREFIX}/now", get_now)
    router.add("POST", f"{PREFIX}/now", set_now)
