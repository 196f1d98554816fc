"""A Meta Graph endpoint that is not the bottleneck (issue 15): the sandbox's answers recorded once, then
replayed as the same bytes (status, headers, body) at wire speed, so the Meta whole path measures the
product and the typical DAG, not the sandbox's row generator.

Run as its own process (`python -m bench.replay_graph UPSTREAM PORT_FILE`), like the sandbox. Keyed by
method, path and query (GETs only: a POST, which may create something, always goes upstream); the
SDK sends the same query for the same request, cursor included.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

#: hop-by-hop or recomputed headers, not replayed
_SKIP = frozenset({"connection", "transfer-encoding", "content-length", "date", "server", "keep-alive"})


def serve(upstream: str, port_file: Path) -> None:
    recorded: dict[str, tuple[int, list[tuple[str, str]], bytes]] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as requests' session expects

        def log_message(self, *args: object) -> None:
            return

        def _forward(self, body: bytes | None) -> tuple[int, list[tuple[str, str]], bytes]:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            req = urllib.request.Request(upstream + self.path, data=body, method=self.command, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=300) as resp:
                    return resp.status, list(resp.headers.items()), resp.read()
            except urllib.error.HTTPError as exc:
                return exc.code, list(exc.headers.items()), exc.read()

        def _answer(self, answer: tuple[int, list[tuple[str, str]], bytes]) -> None:
            status, headers, body = answer
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in _SKIP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            with lock:
                answer = recorded.get(self.path)
            if answer is None:
                answer = self._forward(None)
                if answer[0] == 200:
                    with lock:
                        recorded[self.path] = answer
            self._answer(answer)

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            self._answer(self._forward(self.rfile.read(length) if length else b""))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_file.write_text(f"http://127.0.0.1:{server.server_address[1]}")
    server.serve_forever()


def start(upstream: str, state_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The replay process and its base URL (what replaces the Graph URL in the connection)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    port_file = state_dir / "graph-replay-endpoint"
    port_file.unlink(missing_ok=True)
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "bench.replay_graph", upstream, str(port_file)],
                            cwd=root, env={**os.environ}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not port_file.exists() or not port_file.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the Graph replay endpoint did not start")
        time.sleep(0.05)
    return proc, port_file.read_text()


if __name__ == "__main__":
    serve(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
