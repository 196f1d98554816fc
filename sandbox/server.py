"""Sandbox: every emulated service of one sandbox, started and stopped together."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import TracebackType

from . import control, meta, oauth, sheets
from .data import Volume
from .faults import FaultBook
from .google_ads import GoogleAdsServer
from .httpd import HttpServer, Router
from .request_log import RequestLog
from .sheets_store import SheetsStore
from .state import SandboxState
from .tls import Certificate, ensure_certificate, process_certificate


class Sandbox:
    """Google Ads (gRPC + TLS) and the HTTP side (OAuth token endpoint, control API) on local ports.

    state_dir holds what outlives the process: the TLS certificate is created once under
    state_dir/tls, unless this process already pinned one (see tls.process_certificate: gRPC trusts
    one roots file per process) or tls_dir names another directory. today=None follows the real
    date on the UTC+14 calendar (read per request), so every account's yesterday is complete.
    """

    def __init__(
        self,
        *,
        state_dir: Path,
        host: str = "127.0.0.1",
        grpc_port: int = 0,
        http_port: int = 0,
        today: date | None = None,
        volume: Volume = Volume(),  # noqa: B008 - frozen, so sharing the default is safe
        tls_dir: Path | None = None,
    ) -> None:
        self.state_dir = Path(state_dir)
        self.host = host
        self._tls_dir = Path(tls_dir) if tls_dir is not None else None
        self._cert: Certificate | None = None
        self._wanted_ports = (grpc_port, http_port)
        self.state = SandboxState(volume=volume, fixed_today=today)
        self.router = Router()  # later emulators (Meta Graph API, Sheets) mount their routes here
        oauth.mount(self.router, self.state)
        control.mount(self.router, self.state)
        self.sheets = SheetsStore(self.state_dir / "sheets.json")
        sheets.mount(self.router, self.state, self.sheets)
        self.meta = meta.mount(self.router, self.state)
        self._grpc: GoogleAdsServer | None = None
        self._http: HttpServer | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._grpc is not None:
            return self
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self._tls_dir is not None:
            cert = ensure_certificate(self._tls_dir)
        else:
            cert = process_certificate(self.state_dir / "tls")
        self.state.stopping.clear()
        grpc_port, http_port = self._wanted_ports
        http = HttpServer(self.router, self.host, http_port)
        try:
            grpc_server = GoogleAdsServer(
                self.state, host=self.host, port=grpc_port, cert_pem=cert.cert_pem(), key_pem=cert.key_pem()
            )
        except BaseException:
            http.stop()
            raise
        http.start()
        grpc_server.start()
        self._http, self._grpc, self._cert = http, grpc_server, cert
        return self

    def stop(self) -> None:
        self.state.stopping.set()
        if self._grpc is not None:
            self._grpc.stop()
            self._grpc = None
        if self._http is not None:
            self._http.stop()
            self._http = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- endpoints -----------------------------------------------------------------------------
    @property
    def ca_path(self) -> Path:
        """The certificate PEM clients must trust (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH)."""
        if self._cert is None:
            raise RuntimeError("the sandbox has not been started; call start() first")
        return self._cert.cert_path

    def _running(self) -> tuple[GoogleAdsServer, HttpServer]:
        if self._grpc is None or self._http is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self._grpc, self._http

    @property
    def grpc_port(self) -> int:
        return self._running()[0].port

    @property
    def http_port(self) -> int:
        return self._running()[1].port

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.http_port}"

    @property
    def token_uri(self) -> str:
        return f"{self.http_url}/token"

    @property
    def meta_graph_url(self) -> str:
        """What replaces https://graph.facebook.com for the facebook-business SDK (FacebookSession.GRAPH)."""
        return self.http_url

    @property
    def sheets_endpoint(self) -> str:
        """What replaces https://sheets.googleapis.com in the Sheets API's URLs."""
        return self.http_url

    @property
    def google_ads_endpoint(self) -> str:
        """host:port for GoogleAdsClient(endpoint=...); "localhost" because the certificate names it."""
        return f"localhost:{self.grpc_port}"

    def endpoints(self) -> dict[str, object]:
        return {
            "grpc_port": self.grpc_port,
            "http_port": self.http_port,
            "ca_path": str(self.ca_path),
            "google_ads_endpoint": self.google_ads_endpoint,
            "token_uri": self.token_uri,
            "http_url": self.http_url,
            "sheets_endpoint": self.sheets_endpoint,
            "meta_graph_url": self.meta_graph_url,
        }

    # -- scripting -----------------------------------------------------------------------------
    @property
    def requests(self) -> RequestLog:
        return self.state.requests

    @property
    def faults(self) -> FaultBook:
        return self.state.faults

    @property
    def today(self) -> date:
        return self.state.today()

    def reset(self) -> None:
        """Clear the request log and the faults."""
        self.state.reset()

    def set_today(self, today: date | None) -> None:
        """Pin the sandbox's date (None: follow the real clock again)."""
        self.state.set_today(today)
