"""A Google Ads endpoint that is not the bottleneck: SearchStream answers recorded once from the sandbox,
then replayed as the same encoded bytes at wire speed (issue 15: the whole path measured against a
source that costs next to nothing, so the figure is the product's, not the sandbox's).

Run as its own process (`python -m bench.replay UPSTREAM TLS_DIR PORT_FILE`), like the sandbox, so
that serving does not share the client's interpreter. Keyed by the request's bytes (customer id and
query); the caller's metadata (developer token, OAuth bearer) is passed upstream on a miss.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

SERVICE = "google.ads.googleads.v26.services.GoogleAdsService"


def serve(upstream: str, tls_dir: Path, port_file: Path) -> None:
    import grpc

    from sandbox.tls import ensure_certificate

    cert = ensure_certificate(tls_dir)
    channel = grpc.secure_channel(upstream, grpc.ssl_channel_credentials(root_certificates=cert.cert_pem()),
                                  options=[("grpc.max_receive_message_length", 256 * 1024 * 1024)])
    forward = channel.unary_stream(f"/{SERVICE}/SearchStream", request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
    recorded: dict[bytes, list[bytes]] = {}
    lock = threading.Lock()

    def search_stream(request: bytes, context: Any) -> Iterator[bytes]:
        with lock:
            answer = recorded.get(request)
        if answer is None:
            metadata = [(k, v) for k, v in context.invocation_metadata() if k != "user-agent"]
            answer = list(forward(request, metadata=metadata))
            with lock:
                recorded[request] = answer
        yield from answer

    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "SearchStream": grpc.unary_stream_rpc_method_handler(
            search_stream, request_deserializer=lambda b: b, response_serializer=lambda b: b),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8),
                         options=[("grpc.max_send_message_length", 256 * 1024 * 1024)])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_secure_port("localhost:0", grpc.ssl_server_credentials([(cert.key_pem(), cert.cert_pem())]))
    server.start()
    port_file.write_text(f"localhost:{port}")
    server.wait_for_termination()


def start(upstream: str, tls_dir: Path, state_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The replay process and its endpoint."""
    state_dir.mkdir(parents=True, exist_ok=True)
    port_file = state_dir / "replay-endpoint"
    port_file.unlink(missing_ok=True)
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen([sys.executable, "-m", "bench.replay", upstream, str(tls_dir), str(port_file)],
                            cwd=root, env={**os.environ}, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not port_file.exists() or not port_file.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the replay endpoint did not start")
        time.sleep(0.05)
    return proc, port_file.read_text()


if __name__ == "__main__":
    sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "plugins"), str(Path(__file__).resolve().parents[1])]
    serve(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
