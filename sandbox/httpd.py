"""One threaded HTTP server for every HTTP-speaking emulator (OAuth, control API, later Meta, Sheets).

Emulators register routes on a small table: (method, path pattern) -> handler(Request) -> Response.
Patterns may hold `{name}` segments (e.g. "/v26.0/act_{account}/insights") that arrive as
`request.params`.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode(), keep_blank_values=True).items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return cls(
            status,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        )


Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
        self._routes.append((method.upper(), re.compile(f"^{regex}$"), handler))

    def dispatch(self, request: Request) -> Response:
        path_matched = False
        for method, regex, handler in self._routes:
            m = regex.match(request.path)
            if m is None:
                continue
            path_matched = True
            if method == request.method:
                request.params = m.groupdict()
                return handler(request)
        if path_matched:
            return Response.json({"error": "method_not_allowed"}, 405)
        return Response.json({"error": "not_found", "path": request.path}, 404)


class _Handler(BaseHTTPRequestHandler):
    router: Router  # set on the per-server subclass
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=url.path,
            query=parse_qs(url.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        try:
            response = self.router.dispatch(request)
        except (ValueError, KeyError, TypeError) as exc:  # malformed input from the caller
            response = Response.json({"error": "bad_request", "message": str(exc)}, 400)
        except Exception as exc:  # pragma: no cover - a sandbox bug; say so instead of hanging up
            log.exception("sandbox handler failed")
            response = Response.json({"error": "sandbox_error", "message": repr(exc)}, 500)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)


class HttpServer:
    """ThreadingHTTPServer on a background thread; port 0 picks a free port."""

    def __init__(self, router: Router, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("SandboxHandler", (_Handler,), {"router": router})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        # a short poll interval keeps stop() (and so every test's teardown) quick
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox-http",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
