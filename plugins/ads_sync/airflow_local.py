"""`make airflow`: a real Airflow 3 for humans on this machine, and the process handling the e2e tests share.

Starts the sandbox (its own process, so every Airflow process reaches it), the embedded PostgreSQL
warehouse (unless `AIRFLOW_CONN_ADS_WAREHOUSE` is set), then the api-server, scheduler, dag-processor and
triggerer with their home in `.local/airflow` and their metadata in PostgreSQL (database `ads_airflow` on the
embedded server, or `<db>_airflow` beside a configured warehouse; `AIRFLOW__DATABASE__SQL_ALCHEMY_CONN` wins),
with pools and variables from `airflow_settings.yaml`.
Every child runs in its own process group, so stopping (Ctrl-C, SIGTERM, or a test's teardown) ends
everything it forked too, and nothing is left holding a port.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from ads_sync import local

COMPONENTS: tuple[str, ...] = ("api-server", "scheduler", "dag-processor", "triggerer")
ADMIN = "admin"


def child_environ(env: Mapping[str, str]) -> dict[str, str]:
    """Our environment without any Airflow settings or connections of its own, plus `env`: a test
    process's in-process sandbox and Airflow home must not leak into a deployment's processes."""
    inherited = {
        k: v for k, v in os.environ.items()
        if not k.startswith("AIRFLOW") and k != "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"
    }
    return {**inherited, **env}


class ProcessDied(RuntimeError):
    """A child exited while it should be serving: the message carries the tail of its log."""


class Processes:
    """Children, each in its own process group, stopped newest first; usable as a context manager."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log_path(name), "ab") as log:
            child = subprocess.Popen(
                argv, env=child_environ(env), stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, cwd=local.ROOT, start_new_session=True,
            )
        self.children[name] = child
        return child

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def tail(self, name: str, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path(name).read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def check(self) -> None:
        """Raise ProcessDied if any child has exited."""
        for name, child in self.children.items():
            if child.poll() is not None:
                raise ProcessDied(
                    f"{name} exited with {child.returncode}; last lines of {self.log_path(name)}:\n{self.tail(name)}"
                )

    def stop(self, name: str | None = None, timeout: float = 20.0) -> None:
        """SIGTERM each process group (newest first), then SIGKILL what is still there after `timeout`."""
        names = [name] if name is not None else list(reversed(self.children))
        for n in names:
            _signal_group(self.children[n], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for n in names:
            child = self.children[n]
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            # the leader may be gone while its forks (task runners, gunicorn workers) linger
            _signal_group(child, signal.SIGKILL)
            child.wait()
        for n in names:
            del self.children[n]

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class RemoteSandbox:
    """A `python -m sandbox` in another process, as found through the endpoints.json it writes.

    Answers the same attribute names as the in-process `Sandbox` (google_ads_endpoint, token_uri,
    ca_path, http_url, and whatever endpoints later emulators add), so `local.airflow_env` takes either.
    """

    def __init__(self, endpoints: Mapping[str, Any], state_dir: Path) -> None:
        self.endpoints = dict(endpoints)
        self.state_dir = state_dir

    @property
    def ca_path(self) -> Path:
        return Path(self.endpoints["ca_path"])

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["endpoints"][name]
        except KeyError:
            raise AttributeError(f"the sandbox's endpoints.json has no {name!r}") from None


def start_sandbox(processes: Processes, state_dir: Path, timeout: float = 60.0) -> RemoteSandbox:
    """Start the sandbox as a separate process and wait until it has written its endpoints."""
    state_dir.mkdir(parents=True, exist_ok=True)
    endpoints_file = state_dir / "endpoints.json"
    endpoints_file.unlink(missing_ok=True)  # a killed sandbox leaves its file behind
    child = processes.start(
        "sandbox", [sys.executable, "-m", "sandbox", "--state-dir", str(state_dir)],
        {"PYTHONPATH": os.pathsep.join([str(local.ROOT / "plugins"), str(local.ROOT)])},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check()
        if endpoints_file.exists():
            endpoints = json.loads(endpoints_file.read_text())
            if endpoints.get("pid") == child.pid:
                return RemoteSandbox(endpoints, state_dir)
        time.sleep(0.1)
    raise TimeoutError(f"the sandbox wrote no {endpoints_file} within {timeout:.0f} s")


def server_env(
    *,
    home: Path,
    warehouse: str,
    sandbox: RemoteSandbox | None,
    port: int,
    metadata_url: str,
    executor: str = "LocalExecutor",
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Environment shared by every component of one deployment.

    All of them must agree on the JWT secret (the api-server signs the tokens tasks use) and on where
    the execution API lives; log servers get free ports so two deployments on one machine never collide.
    The Connections page's Test button is on: this is a local deployment whose only user is its admin.
    """
    env = local.airflow_env(
        home=home, warehouse=warehouse, metadata=metadata_url, sandbox=sandbox  # type: ignore[arg-type]
    )
    env.update({
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}/",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
        "PYTHONPATH": os.pathsep.join([str(local.ROOT / "plugins"), str(local.ROOT)]),
    })
    env.update(extra or {})
    return env


def airflow(*args: str) -> list[str]:
    return [sys.executable, "-m", "airflow", *args]


def prepare(env: Mapping[str, str], settings_file: Path | None = None) -> None:
    """Migrate the metadata database, then load airflow_settings.yaml (pools the DAGs need)."""
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    full = child_environ(env)
    subprocess.run(airflow("db", "migrate"), env=full, check=True, stdout=subprocess.DEVNULL)
    settings = [sys.executable, "-m", "ads_sync.settings_loader"]
    if settings_file is not None:
        settings += ["--file", str(settings_file)]
    subprocess.run(settings, env=full, check=True, cwd=local.ROOT)


CLI_KEYS = (
    "AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CORE__DAGS_FOLDER",
    "AIRFLOW__CORE__PLUGINS_FOLDER", "AIRFLOW__CORE__LOAD_EXAMPLES", "AIRFLOW__CORE__EXECUTOR",
)


def write_cli_env(env: Mapping[str, str]) -> Path:
    """What the `airflow` command line needs to reach this deployment's metadata (`backfill create`,
    `dags next-execution`): no connection and no API secret. The metadata URL carries the database
    server's password when a configured warehouse server has one, so the file is readable by its owner only."""
    path = Path(env["AIRFLOW_HOME"]) / "cli.env"
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(f"{key}={env[key]}\n" for key in CLI_KEYS if key in env))
    return path


def start_components(
    processes: Processes, env: Mapping[str, str], components: Iterable[str] = COMPONENTS
) -> None:
    for component in components:
        processes.start(component, airflow(*component.split()), env)


def wait_for_api(processes: Processes, base_url: str, timeout: float = 180.0) -> None:
    """Until the api-server answers its health check (and every child still runs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check()
        try:
            with urllib.request.urlopen(f"{base_url}/api/v2/monitor/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the api-server at {base_url} did not answer within {timeout:.0f} s")


def admin_password(env: Mapping[str, str], timeout: float = 30.0) -> str:
    """The password the simple auth manager generated for `admin` (it writes the file at start)."""
    path = Path(env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
                or Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return str(json.loads(path.read_text())[ADMIN])
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            time.sleep(0.2)
    raise TimeoutError(f"no password for {ADMIN} in {path}")


def _stop_on_signal(signum: int, frame: FrameType | None) -> Any:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ads-sync airflow", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="UI and REST API port (next free one if busy)")
    args = parser.parse_args(argv)
    port = args.port
    while not port_free(port):
        port += 1
    for signum in (signal.SIGINT, signal.SIGTERM):  # SIGINT too: a shell may start us with it ignored
        signal.signal(signum, _stop_on_signal)

    embedded = local.WAREHOUSE_ENV not in os.environ
    home = local.LOCAL / "airflow"
    warehouse = local.warehouse_url()
    where = "embedded PostgreSQL (.local/postgres)" if embedded else "from " + local.WAREHOUSE_ENV
    print(f"airflow: warehouse {where}")
    processes = Processes(home / "process-logs")
    try:
        sandbox = start_sandbox(processes, local.LOCAL / "sandbox")
        print(f"airflow: sandbox at {sandbox.http_url} (Google Ads gRPC {sandbox.google_ads_endpoint})")
        # the user's own [section] settings (AIRFLOW__*) still win; their other AIRFLOW* variables do not leak
        own = {k: v for k, v in os.environ.items() if k.startswith("AIRFLOW__")}
        metadata = local.airflow_metadata(warehouse)
        env = server_env(home=home, warehouse=warehouse, sandbox=sandbox, port=port, metadata_url=metadata,
                         extra=own)
        print(f"airflow: migrating metadata (PostgreSQL {local.where(metadata)}) and loading airflow_settings.yaml ...",
              flush=True)
        prepare(env)
        start_components(processes, env)
        url = f"http://127.0.0.1:{port}"
        wait_for_api(processes, url)
        print(f"airflow: {', '.join(COMPONENTS)} running; logs in {processes.log_dir}")
        print(f"airflow: UI and REST API at {url}  login: {ADMIN} / {admin_password(env)}")
        cli_env = write_cli_env(env).relative_to(local.ROOT)
        print(f"airflow: command line: set -a; . {cli_env}; set +a; .venv/bin/airflow dags list")
        print("airflow: daily and weekly DAGs start paused (unpause them in the UI); Ctrl-C stops everything",
              flush=True)
        while True:
            processes.check()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nairflow: stopping ...", flush=True)
        return 0
    except ProcessDied as exc:
        print(f"airflow: {exc}", file=sys.stderr)
        return 1
    finally:
        processes.stop()
        if embedded:
            from ads_sync import embedded as pg

            pg.stop(local.LOCAL / "postgres")
        print("airflow: stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
