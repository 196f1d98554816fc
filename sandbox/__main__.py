"""python -m sandbox: run a sandbox in the foreground until Ctrl-C or SIGTERM.

Writes <state_dir>/endpoints.json so other processes can find it (SandboxClient.from_state_dir),
and removes it on a clean exit.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
from datetime import date
from pathlib import Path

from .data import Volume
from .server import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=Path(".local/sandbox"))
    parser.add_argument(
        "--tls-dir", type=Path, default=None, help="certificate directory (default: STATE_DIR/tls)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--grpc-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="pin the date (YYYY-MM-DD)")
    parser.add_argument("--campaigns", type=int, default=Volume().campaigns)
    parser.add_argument("--ad-groups-per-campaign", type=int, default=Volume().ad_groups_per_campaign)
    args = parser.parse_args(argv)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    volume = Volume(campaigns=args.campaigns, ad_groups_per_campaign=args.ad_groups_per_campaign)
    sandbox = Sandbox(
        state_dir=args.state_dir,
        host=args.host,
        grpc_port=args.grpc_port,
        http_port=args.http_port,
        today=args.today,
        volume=volume,
        tls_dir=args.tls_dir,
    )
    endpoints_file = args.state_dir / "endpoints.json"
    with sandbox:
        endpoints = {**sandbox.endpoints(), "pid": os.getpid()}
        tmp = endpoints_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(endpoints, indent=2) + "\n")
        tmp.replace(endpoints_file)
        print("sandbox running (Ctrl-C to stop)", flush=True)
        for key, value in endpoints.items():
            print(f"  {key}: {value}", flush=True)
        print(f"  clients: export GRPC_DEFAULT_SSL_ROOTS_FILE_PATH={sandbox.ca_path}", flush=True)
        try:
            stop.wait()
        finally:
            endpoints_file.unlink(missing_ok=True)
    print("sandbox stopped", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
